/**
 * `npm start` and `npm run token` as a newcomer meets them: real child processes, real ports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-local';
import { documentedFetch } from '../support/local-api';
import { root, startNpmStart } from '../support/npm-start';

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
    const run = await startNpmStart(['--in-memory']);
    onTestFinished(() => run.kill());
    const { port } = run;
    const output = run.output();
    expect(output).toContain('Salesflow is running');
    const managerToken = run.token('alice');

    // Every response checked against the OpenAPI document, as call() checks the TestApi's.
    const health = await documentedFetch(`http://localhost:${port}/health`);
    expect(health.status).toBe(200);
    const customers = await documentedFetch(`http://localhost:${port}/customers`, { headers: { authorization: `Bearer ${managerToken}` } });
    const page = (await customers.json()) as { items: Array<{ name: string }> };
    expect(page.items.map((c) => c.name)).toContain('Globex Corporation');

    // The seed ran a contract through the approval workflow (signed, so Stark's deal is won) and left Globex's
    // waiting for a manager: the state machine runs in this process.
    const mike = run.token('mike');
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

    expect(await run.stop()).toBe(0);
    expect(run.output()).toContain('Stopped.');
    await expect(fetch(`http://localhost:${port}/health`)).rejects.toThrow();
  });

  it(
    'keeps pending approvals across a restart: a step left pending is decided afterwards and the contract is approved',
    { timeout: 300_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'salesflow-restart-'));
      const first = await runtime(['--data-dir', dataDir], { APPROVAL_TIMEOUT_SECONDS: '3600' });
      const [pending] = await approvalsOf(first, 'mike');
      expect(pending).toMatchObject({ contractTitle: 'Globex platform renewal', status: 'pending', level: 1 });
      const output = await first.stop();
      // Its execution was stopped by Ctrl-C, not finished.
      expect(output).toContain(`[workflow] contract-${pending!.contractId}-r1 stopped`);
      expect(output).not.toContain(`[workflow] contract-${pending!.contractId}-r1 succeeded`);

      const second = await runtime(['--data-dir', dataDir], { APPROVAL_TIMEOUT_SECONDS: '3600' });
      expect(second.output()).toContain(`resumed the pending step ${pending!.id}`);
      // The same request, still pending, due when it was due: decided now, not 410.
      expect(await approvalsOf(second, 'mike')).toEqual([expect.objectContaining({ id: pending!.id, status: 'pending', dueAt: pending!.dueAt })]);
      const decided = await second.call('POST', `/approvals/${pending!.id}/decision`, 'mike', { decision: 'approve', comment: 'After the restart' });
      expect(decided).toMatchObject({ status: 200, body: { status: 'approved' } });
      // Over 50,000.00: finance decides next, and the contract is approved.
      const finance = await eventually(async () => (await approvalsOf(second, 'fiona')).find((request) => request.contractId === pending!.contractId));
      expect((await second.call('POST', `/approvals/${finance.id}/decision`, 'fiona', { decision: 'approve' })).status).toBe(200);
      const contract = await eventually(async () => {
        const read = await second.call('GET', `/contracts/${pending!.contractId}`, 'alice');
        return (read.body as { status: string }).status === 'approved' ? read.body : undefined;
      });
      expect(contract).toMatchObject({ status: 'approved' });
      await second.stop();
    },
  );

  it('lets a step resumed after a restart time out on time and escalate', { timeout: 300_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'salesflow-restart-'));
    const first = await runtime(['--data-dir', dataDir], { APPROVAL_TIMEOUT_SECONDS: '30' });
    const [pending] = await approvalsOf(first, 'mike');
    await first.stop();

    const second = await runtime(['--data-dir', dataDir], { APPROVAL_TIMEOUT_SECONDS: '30' });
    expect(second.output()).toContain(`resumed the pending step ${pending!.id}`);
    // Escalated to the admins once its (remaining) wait is over.
    const escalated = await eventually(
      async () => (await approvalsOf(second, 'dana')).find((request) => request.contractId === pending!.contractId && request.escalated),
      90_000,
    );
    expect(escalated).toMatchObject({ level: 1, escalated: true, status: 'pending' });
    // On time: the resumed step waited what was left of its 30 s, not the whole wait again, and never fired early.
    const left = new RegExp(`resumed the pending step ${pending!.id} \\(\\S+\\) with (\\d+) s of its wait left`).exec(second.output())?.[1];
    expect(Number(left)).toBeLessThan(30);
    expect(Date.parse(escalated.createdAt)).toBeGreaterThanOrEqual(Date.parse(pending!.dueAt) - 1_000);
    await second.stop();
  });
});

describe("the README's examples", () => {
  /**
   * The `sh` blocks of "Call the API", in order, in one bash shell, as a newcomer pastes them into a terminal
   * beside a fresh `npm start` on another PORT. curl is wrapped to report each answer's status on stderr; every
   * answer must be a success but the ones the README announces as refusals.
   */
  it('run as written on a fresh npm start: every step answers as the README says, the contract is signed, no event is lost', { timeout: 300_000 }, async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Call the API'), readme.indexOf('\n## ', readme.indexOf('## Call the API') + 1));
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks.length).toBeGreaterThan(4);
    const script = join(mkdtempSync(join(tmpdir(), 'salesflow-readme-')), 'readme.sh');
    writeFileSync(
      script,
      ['set -eu', `curl() { command curl -w '%{stderr}STATUS %{http_code} %{method} %{url_effective}\\n' "$@"; }`, ...blocks].join('\n'),
    );

    const run = await runtime(['--in-memory'], {});
    const result = spawnSync('bash', [script], { cwd: root, env: { ...process.env, PORT: String(run.port) }, encoding: 'utf8', timeout: 240_000 });
    expect(result.status, `${result.stderr}\n${result.stdout}`).toBe(0);
    const answers = [...result.stderr.matchAll(/^STATUS (\d{3}) (\S+) (\S+)$/gm)].map(([, status, method, url]) => ({
      status: Number(status),
      call: `${method} ${new URL(url!).pathname.replace(/\/[\w-]*\d[\w-]*(?=\/|$)/g, (segment) => (segment.length > 10 ? '/{id}' : segment))}`,
    }));
    const refusals = answers.filter((answer) => answer.status >= 300);
    // The README's announced refusals: the duplicate domain (409) and the skipped gate (422).
    expect(refusals).toEqual([
      { status: 409, call: 'POST /customers' },
      { status: 422, call: 'POST /opportunities/{id}/stage' },
    ]);
    expect(answers.length).toBeGreaterThan(50);
    expect(answers).toContainEqual({ status: 200, call: 'POST /contracts/{id}/sign' });
    expect(result.stdout).toContain('"status":"signed"');
    // The approval example decided the contract it had just submitted, after asking for its links.
    expect(answers.map((answer) => answer.call)).toEqual(expect.arrayContaining(['POST /approvals/{id}/links', 'POST /approvals/{id}/decision']));
    expect(answers.findIndex((answer) => answer.call === 'POST /approvals/{id}/links')).toBeLessThan(
      answers.findIndex((answer) => answer.call === 'POST /approvals/{id}/decision'),
    );
    const output = await run.stop();
    // Every event the walk caused was published: nothing unreadable, nothing parked, nothing skipped.
    expect(output).not.toMatch(/cannot be published|still failing|parked in/i);
  });
});

interface RequestSummary {
  id: string;
  contractId: string;
  contractTitle: string;
  status: string;
  level: number;
  escalated: boolean;
  dueAt: string;
  createdAt: string;
}

/** `npm start` ready (../support/npm-start.ts), with calls as the demo users of its banner. */
async function runtime(args: string[], env: Record<string, string>) {
  const run = await startNpmStart(args, env);
  onTestFinished(() => run.kill());
  expect(run.output(), run.output()).toContain('Salesflow is running');
  return {
    port: run.port,
    output: run.output,
    async call(method: string, path: string, sub: string, body?: unknown) {
      const response = await documentedFetch(`http://localhost:${run.port}${path}`, {
        method,
        headers: { authorization: `Bearer ${run.token(sub)}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async stop() {
      expect(await run.stop()).toBe(0);
      return run.output();
    },
  };
}

async function approvalsOf(run: Awaited<ReturnType<typeof runtime>>, sub: string): Promise<RequestSummary[]> {
  const response = await run.call('GET', '/approvals', sub);
  expect(response.status).toBe(200);
  return (response.body as { items: RequestSummary[] }).items;
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Not within the deadline');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
