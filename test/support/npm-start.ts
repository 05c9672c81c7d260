/**
 * `npm start` (`tsx infra/local/start.ts`) as a child process on a free port, ready when its banner is out.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../infra/local/dynamodb-local';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

export interface NpmStart {
  port: number;
  output(): string;
  /** The token the banner printed for a demo user. */
  token(sub: string): string;
  /** Ctrl-C; resolves with the exit code once it has stopped. */
  stop(): Promise<number | null>;
  /** SIGKILL if it still runs (for an afterAll after a failure). */
  kill(): void;
}

export async function startNpmStart(args: string[], env: Record<string, string> = {}, readyWithinMs = 120_000): Promise<NpmStart> {
  const port = await freePort();
  // Its defaults unless the test says otherwise: not a HOST this shell may have exported.
  const { HOST: _host, ...inherited } = process.env;
  const child = spawn(tsx, ['infra/local/start.ts', ...args], {
    cwd: root,
    env: { ...inherited, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // A wait bound for a busy machine, not a speed check.
  const deadline = Date.now() + readyWithinMs;
  while (!output.includes('Ctrl-C stops everything') && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`npm start did not come up:\n${output}`);
  }
  return {
    port,
    output: () => output,
    token(sub) {
      const found = new RegExp(`\\s${sub}\\s+(\\S+\\.\\S+\\.\\S+)`).exec(output)?.[1];
      if (!found) throw new Error(`No token for ${sub} in the banner`);
      return found;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
