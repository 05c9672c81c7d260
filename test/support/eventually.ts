/**
 * Retries an assertion until it holds: for effects of asynchronous work (a workflow step, a stream poll) that
 * has no completion signal over HTTP. The deadline bounds a wait; it asserts nothing about speed.
 */
export async function eventually<T>(check: () => Promise<T>, options: { deadlineMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 20_000);
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
    }
  }
}
