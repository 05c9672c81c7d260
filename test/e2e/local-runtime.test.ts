/**
 * `npm start` and `npm run token` as a newcomer meets them: real child processes, real ports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-local';
import { documentedFetch } from '../support/local-api';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

function runStart(env: Record<string, string>, args: string[] = []) {
  return spawn(tsx, ['infra/local/start.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitForExit(child: ReturnType<typeof runStart>) {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('npm run token', () => {
  it('prints a token and nothing else', () => {
    const result = spawnSync(tsx, ['infra/local/token.ts', '--tenant', 'acme', '--role', 'manager', '--sub', 'alice'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = JSON.parse(Buffer.from(result.stdout.split('.')[1] as string, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'alice', 'custom:tenantId': 'acme', 'cognito:groups': ['manager'] });
  });

  it('refuses an unknown role', () => {
    const result = spawnSync(tsx, ['infra/local/token.ts', '--role', 'king'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Unknown role king/);
  });
});

describe('npm start', () => {
  let blocker: Server;
  let blockedPort: number;
  beforeAll(async () => {
    blockedPort = await freePort();
    blocker = createServer().listen(blockedPort);
  });
  afterAll(() => blocker.close());

  it('says clearly, without a stack trace, that the port is taken', async () => {
    const { code, output } = await waitForExit(runStart({ PORT: String(blockedPort) }, ['--in-memory']));
    expect(code).toBe(1);
    expect(output).toContain(`Port ${blockedPort} is already in use`);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('says clearly that Java is missing', async () => {
    // A PATH with node and nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const port = await freePort();
    const { code, output } = await waitForExit(runStart({ PORT: String(port), PATH: bin }, ['--in-memory']));
    expect(code).toBe(1);
    expect(output).toMatch(/Java was not found/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  // Starting everything (Java, the seed through the approval workflow) on a busy CI machine: a wait bound, not a speed check.
  it('runs the whole system, serves the seeded tenant, and stops cleanly on Ctrl-C', { timeout: 150_000 }, async () => {
    const port = await freePort();
    const child = runStart({ PORT: String(port) }, ['--in-memory']);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const deadline = Date.now() + 120_000;
    while (!output.includes('Ctrl-C stops everything') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain('Salesflow is running');
    const managerToken = /manager\s+alice\s+(\S+)/.exec(output)?.[1];
    expect(managerToken).toBeDefined();

    // Every response checked against the OpenAPI document, as call() checks the TestApi's.
    const health = await documentedFetch(`http://localhost:${port}/health`);
    expect(health.status).toBe(200);
    const customers = await documentedFetch(`http://localhost:${port}/customers`, { headers: { authorization: `Bearer ${managerToken}` } });
    const page = (await customers.json()) as { items: Array<{ name: string }> };
    expect(page.items.map((c) => c.name)).toContain('Globex Corporation');

    // The seed ran a contract through the approval workflow (signed, so Stark's deal is won) and left Globex's
    // waiting for a manager: the state machine runs in this process.
    const mike = /manager\s+mike\s+(\S+)/.exec(output)?.[1];
    const approvals = await documentedFetch(`http://localhost:${port}/approvals`, { headers: { authorization: `Bearer ${mike}` } });
    const pending = (await approvals.json()) as { items: Array<{ contractTitle: string; status: string }> };
    expect(pending.items.map((r) => [r.contractTitle, r.status])).toEqual([['Globex platform renewal', 'pending']]);
    const won = await documentedFetch(`http://localhost:${port}/opportunities?status=won`, { headers: { authorization: `Bearer ${managerToken}` } });
    expect(((await won.json()) as { items: Array<{ name: string }> }).items.map((o) => o.name)).toEqual(['Stark support upgrade']);

    // `npm run job -- reminders` runs the reminder job inside this runtime, now.
    const job = spawnSync('npm', ['run', '-s', 'job', '--', 'reminders'], { cwd: root, env: { ...process.env, PORT: String(port) }, encoding: 'utf8' });
    expect(job.status).toBe(0);
    expect(JSON.parse(job.stdout)).toMatchObject({ job: 'reminders', result: { dueTimers: expect.any(Number), skipped: expect.any(Number) } });
    expect(output).toContain('Schedules    reminders rate(15 minutes)');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
    await expect(fetch(`http://localhost:${port}/health`)).rejects.toThrow();
  });
});
