/**
 * The schedules of `npm start`: the same EventBridge Scheduler expressions the stage config gives CDK, fired
 * in this process. Only `rate(...)` expressions are in use; anything else is refused loudly rather than
 * silently never firing.
 */
export interface LocalSchedule {
  name: string;
  expression: string;
  run: () => Promise<unknown>;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Milliseconds between runs of a `rate(value unit)` expression. */
export function rateMilliseconds(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) throw new Error(`The local scheduler runs rate(...) expressions only, not "${expression}"`);
  const value = Number(match[1]);
  const unit = match[2]!.replace(/s$/, '');
  if (value < 1 || (value !== 1) !== match[2]!.endsWith('s')) throw new Error(`"${expression}" is not a valid rate (rate(1 minute), rate(5 minutes))`);
  return value * UNIT_MS[unit]!;
}

/** Starts every schedule; a run never overlaps the previous one of the same job. Returns a stop function. */
export function startLocalScheduler(schedules: readonly LocalSchedule[], log: (line: string) => void): () => void {
  const timers = schedules.map((schedule) => {
    let running = false;
    return setInterval(() => {
      if (running) return;
      running = true;
      schedule
        .run()
        .then((result) => log(`[schedule] ${schedule.name}: ${JSON.stringify(result)}`))
        .catch((error: unknown) => log(`[schedule] ${schedule.name} failed: ${(error as Error).message}`))
        .finally(() => {
          running = false;
        });
    }, rateMilliseconds(schedule.expression));
  });
  return () => timers.forEach((timer) => clearInterval(timer));
}
