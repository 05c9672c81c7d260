/**
 * Issue 15, findings 7 and 9: tenant ids the keys cannot alias, and a local runtime that is not an open door.
 *
 * - ElectroDB lower-cases keys and joins their parts with `#`: a token naming `Acme` would read `acme`'s
 *   records. A token whose tenant id is not of the documented pattern is refused (403) before any handler.
 * - `npm start` listens on 127.0.0.1 (its API and DynamoDB Local), and its job endpoint runs a job only for
 *   `npm run job`, which holds the per-start secret: a web page in the browser can send a POST to
 *   http://localhost:3000 (a form post needs no preflight), so being on this machine proves nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeys } from '../../infra/local/dev-auth';
import { createLocalApi, listenLocalApi, type FunctionHandlers } from '../../infra/local/local-api';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';
import { root, startNpmStart, type NpmStart } from '../support/npm-start';

describe('the tenant id a token names', () => {
  let api: TestApi;
  const tenant = newTenant('alias');
  beforeAll(async () => {
    api = await startTestApi();
    const manager = await api.token(tenant, 'manager', 'alice');
    expect((await call(api, 'POST', '/customers', { token: manager, body: { name: 'Aliased Ltd' } })).status).toBe(201);
  });
  afterAll(() => api?.close());

  it.each([
    ['the tenant capitalised', () => `${tenant.charAt(0).toUpperCase()}${tenant.slice(1)}`],
    ['the tenant in upper case', () => tenant.toUpperCase()],
    ['the tenant with a key part after #', () => `${tenant}#x`],
    ['Acme', () => 'Acme'],
    ['ACME', () => 'ACME'],
    ['acme#x', () => 'acme#x'],
    ['empty', () => ''],
    ['64 characters long', () => 'a'.repeat(64)],
  ])('is refused when it is %s: 403 problem+json, and nothing of any tenant', async (_label, tenantOf) => {
    const token = await api.token(tenantOf(), 'manager', 'alice');
    const response = await call(api, 'GET', '/customers', { token });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 403, title: 'Forbidden', detail: expect.stringMatching(/tenant id/) });
    expect(JSON.stringify(response.body)).not.toContain('Aliased Ltd');
  });

  it('is served when it is of the pattern: the tenant itself, and one of 63 characters', async () => {
    const own = await call<{ items: Array<{ name: string }> }>(api, 'GET', '/customers', { token: await api.token(tenant, 'rep', 'bob') });
    expect(own.status).toBe(200);
    expect(own.body.items.map((customer) => customer.name)).toEqual(['Aliased Ltd']);
    const longest = await call<{ items: unknown[] }>(api, 'GET', '/customers', { token: await api.token('a'.repeat(63), 'rep', 'bob') });
    expect(longest).toMatchObject({ status: 200, body: { items: [] } });
  });
});

describe('the local API server', () => {
  // The job endpoint needs none of the API's handlers.
  const server = async (options: { jobSecret?: string } = {}) =>
    createLocalApi({ handlers: {} as FunctionHandlers, keys: await generateDevKeys(), jobs: { tick: async () => 'ticked' }, ...options });

  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const api = await server();
    const address = await listenLocalApi(api, 0);
    api.close();
    expect(address.address).toBe('127.0.0.1');
  });

  it('runs no job when it was given no secret, whatever the request presents', async () => {
    const api = await server();
    const { port } = await listenLocalApi(api, 0);
    const answers = await Promise.all(
      ['', 'Bearer ', 'Bearer undefined'].map(async (authorization) => (await fetch(`http://127.0.0.1:${port}/_local/jobs/tick`, { method: 'POST', headers: { authorization } })).status),
    );
    api.close();
    expect(answers).toEqual([403, 403, 403]);
  });

  it('names its jobs only to the holder of the secret', async () => {
    const api = await server({ jobSecret: 's3cret-value' });
    const { port } = await listenLocalApi(api, 0);
    const post = (name: string, authorization?: string) =>
      fetch(`http://127.0.0.1:${port}/_local/jobs/${name}`, { method: 'POST', headers: authorization ? { authorization } : {} });
    const anonymous = await post('nothing');
    const holder = await post('nothing', 'Bearer s3cret-value');
    const ran = await post('tick', 'Bearer s3cret-value');
    api.close();
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).not.toContain('tick');
    expect(holder.status).toBe(404);
    expect(await holder.json()).toEqual({ message: 'No job "nothing"; jobs: tick' });
    expect(await ran.json()).toEqual({ job: 'tick', result: 'ticked' });
  });
});

describe('npm run token', () => {
  it.each([['Acme'], ['acme#x'], ['a'.repeat(64)]])('makes no token for the tenant %s', (tenant) => {
    const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['infra/local/token.ts', '--tenant', tenant, '--sub', 'alice'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/is not a tenant id: a tenant id is 1 to 63 lowercase letters, digits and dashes/);
  });

  it('makes no token for a user id that would fold onto another', () => {
    const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['infra/local/token.ts', '--tenant', 'acme', '--sub', 'Alice'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/is not a user id/);
  });
});

describe('npm start on this machine', () => {
  let run: NpmStart;
  // With --data-dir: the secret is still where `npm run job` looks, .local/ of this checkout.
  const dataDir = mkdtempSync(join(tmpdir(), 'salesflow-security-'));
  beforeAll(async () => {
    run = await startNpmStart(['--data-dir', dataDir]);
  }, 150_000);
  afterAll(() => {
    run?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const jobUrl = (name: string) => `http://127.0.0.1:${run.port}/_local/jobs/${name}`;
  const secretFile = () => join(root, '.local', `job-secret-${run.port}`);

  it('serves the API on 127.0.0.1 only, and its banner says so', async () => {
    expect(await accepts('127.0.0.1', run.port)).toBe(true);
    const outside = outsideAddresses();
    expect(await Promise.all(outside.map((address) => accepts(address, run.port)))).toEqual(outside.map(() => false));
    expect(run.output()).toContain(`listening on 127.0.0.1:${run.port} only`);
  });

  it('keeps DynamoDB Local on 127.0.0.1 only', async () => {
    const port = Number(/DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output())?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    const outside = outsideAddresses();
    expect(await Promise.all(outside.map((address) => accepts(address, port)))).toEqual(outside.map(() => false));
    expect(run.output()).toMatch(/DynamoDB\s+http:\/\/127\.0\.0\.1:\d+ +table salesflow-local, listening on 127\.0\.0\.1 only/);
  });

  it('runs no job for a request without the secret, with a wrong one, or sent by a browser', async () => {
    // What any web page can make a browser send to localhost: a form post (no preflight), with its Origin.
    const formPost = await fetch(jobUrl('reminders'), {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });
    expect(formPost.status).toBe(403);
    expect((await fetch(jobUrl('reminders'), { method: 'POST' })).status).toBe(403);
    expect((await fetch(jobUrl('reminders'), { method: 'POST', headers: { authorization: 'Bearer not-the-secret' } })).status).toBe(403);

    const secret = readFileSync(secretFile(), 'utf8').trim();
    expect((await fetch(jobUrl('reminders'), { method: 'POST', headers: { authorization: `Bearer ${secret}x` } })).status).toBe(403);
    expect((await fetch(jobUrl('reminders'), { method: 'POST', headers: { authorization: `Basic ${secret}` } })).status).toBe(403);
    // Even with the secret: a request that carries a browser's Origin or fetch metadata is a browser's.
    const fromPage = await fetch(jobUrl('reminders'), { method: 'POST', headers: { authorization: `Bearer ${secret}`, origin: `http://localhost:${run.port}` } });
    expect(fromPage.status).toBe(403);
    const withMetadata = await fetch(jobUrl('reminders'), { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'sec-fetch-site': 'same-origin' } });
    expect(withMetadata.status).toBe(403);
    expect(await withMetadata.text()).toMatch(/browser/);
  });

  it('runs a job for the secret, as npm run job sends it (same PORT, no --data-dir): reminders and redrive-events', async () => {
    const secret = readFileSync(secretFile(), 'utf8').trim();
    const direct = await fetch(jobUrl('reminders'), { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
    expect(direct.status).toBe(200);
    expect(await direct.json()).toMatchObject({ job: 'reminders', result: { dueTimers: expect.any(Number) } });

    const env = { ...process.env, PORT: String(run.port) };
    const reminders = spawnSync('npm', ['run', '-s', 'job', '--', 'reminders'], { cwd: root, env, encoding: 'utf8' });
    expect(reminders.status, reminders.stderr).toBe(0);
    expect(JSON.parse(reminders.stdout)).toMatchObject({ job: 'reminders', result: { dueTimers: expect.any(Number), skipped: expect.any(Number) } });
    const redrive = spawnSync('npm', ['run', '-s', 'job', '--', 'redrive-events'], { cwd: root, env, encoding: 'utf8' });
    expect(redrive.status, redrive.stderr).toBe(0);
    expect(JSON.parse(redrive.stdout)).toEqual({ job: 'redrive-events', result: { redriven: 0, stillFailing: 0 } });
  });

  it('keeps the secret readable by this user only (0600) in .local, and removes it when it stops', async () => {
    const secret = readFileSync(secretFile(), 'utf8').trim();
    expect(secret).toMatch(/^[\w-]{43,}$/);
    expect(statSync(secretFile()).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((name) => name.includes('secret'))).toEqual([]);
    expect(await run.stop()).toBe(0);
    expect(existsSync(secretFile())).toBe(false);
  });
});

/** This machine's addresses that are not loopback (the ones another machine could reach), link-local left out. */
function outsideAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && !entry.internal && !entry.address.startsWith('fe80:'))
    .map((entry) => entry!.address);
}

/** Whether a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 5_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
