/**
 * The API over HTTP against the local server (`npm start`'s server, on its own table): the contract a client
 * sees — status codes, headers, problem+json, idempotency and optimistic concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, type TestApi } from '../support/local-api';
import { newTenant } from '../support/dynamo';

let api: TestApi;
let tenant: string;
let bob: string;
let alice: string;
let otherTenantManager: string;

beforeAll(async () => {
  api = await startTestApi();
  tenant = newTenant('e2e');
  bob = await api.token(tenant, 'rep', 'bob');
  alice = await api.token(tenant, 'manager', 'alice');
  otherTenantManager = await api.token(newTenant('other'), 'manager', 'mallory');
});
afterAll(() => api.close());

type Customer = { id: string; name: string; version: number; owner: string; lastContactedAt?: string };

describe('system routes', () => {
  it('GET /health needs no token', async () => {
    const response = await call(api, 'GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok' });
  });

  it('GET /openapi.json serves the generated document and /docs an HTML reference', async () => {
    const document = await call<{ openapi: string; paths: Record<string, unknown>; servers: unknown }>(api, 'GET', '/openapi.json');
    expect(document.body.openapi).toBe('3.1.0');
    expect(Object.keys(document.body.paths)).toContain('/customers/{id}/timeline');
    // The server is where this caller reached the API, per request (the static document names only `/`).
    expect(document.body.servers).toEqual([{ url: api.baseUrl }]);
    const viaTls = await call<{ servers: unknown }>(api, 'GET', '/openapi.json', { headers: { 'x-forwarded-proto': 'https' } });
    expect(viaTls.body.servers).toEqual([{ url: api.baseUrl.replace(/^http:/, 'https:') }]);
    // A local convenience, not an API Gateway route: not in the document.
    const docs = await call<string>(api, 'GET', '/docs', { route: 'local' });
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(docs.body).toContain('/openapi.json');
  });

  it('an unknown path is a 404 and a bad token a 401, as API Gateway answers them', async () => {
    expect((await call(api, 'GET', '/nope', { token: bob, route: 'none' })).status).toBe(404);
    expect((await call(api, 'GET', '/customers', { token: `${bob}x` })).status).toBe(401);
    const expired = await call(api, 'GET', '/customers', { token: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' });
    expect(expired.status).toBe(401);
  });
});

describe('customers over HTTP', () => {
  it('create answers 201 with Location and ETag; read answers the record with its ETag', async () => {
    const created = await call<Customer>(api, 'POST', '/customers', { token: bob, body: { name: 'Acme', domain: 'acme-e2e.com' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/customers/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    const read = await call<Customer>(api, 'GET', `/customers/${created.body.id}`, { token: alice });
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe('"1"');
    expect((await call(api, 'GET', `/customers/${created.body.id}`, { token: otherTenantManager })).status).toBe(404);
  });

  it('a duplicate answers 409 problem+json naming the existing record; a manager may force it', async () => {
    const first = await call<Customer>(api, 'POST', '/customers', { token: bob, body: { name: 'Dup', email: 'hello@dup.com' } });
    const duplicate = await call<{ existing: { id: string }; status: number }>(api, 'POST', '/customers', {
      token: bob,
      body: { name: 'Dup again', email: 'HELLO@dup.com' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('content-type')).toBe('application/problem+json');
    expect(duplicate.body.existing.id).toBe(first.body.id);
    expect((await call(api, 'POST', '/customers?allowDuplicate=true', { token: bob, body: { name: 'Dup 3', email: 'hello@dup.com' } })).status).toBe(403);
    expect((await call(api, 'POST', '/customers?allowDuplicate=true', { token: alice, body: { name: 'Dup 4', email: 'hello@dup.com' } })).status).toBe(201);
  });

  it('PATCH with a stale If-Match answers 412; parallel PATCHes with one If-Match: exactly one wins', async () => {
    const created = await call<Customer>(api, 'POST', '/customers', { token: bob, body: { name: 'Contended' } });
    const path = `/customers/${created.body.id}`;
    const responses = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((segment) =>
        call(api, 'PATCH', path, { token: bob, body: { segment }, headers: { 'if-match': '"1"' } }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    const final = await call<Customer & { segment: string }>(api, 'GET', path, { token: bob });
    const winner = responses.find((r) => r.status === 200)?.body as { segment: string };
    expect(final.body).toMatchObject({ version: 2, segment: winner.segment });
    expect(final.headers.get('etag')).toBe('"2"');
  });

  it('parallel POSTs with one Idempotency-Key create exactly one record and all get the same answer', async () => {
    const key = `create-${tenant}`;
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        call<Customer>(api, 'POST', '/customers', { token: bob, body: { name: 'Once Only Ltd' }, headers: { 'idempotency-key': key } }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    const listed = await call<{ items: Customer[] }>(api, 'GET', '/customers?q=once%20only', { token: alice });
    expect(listed.body.items).toHaveLength(1);

    const reused = await call(api, 'POST', '/customers', { token: bob, body: { name: 'Something else' }, headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    // Keys belong to their caller: the same key from someone else is a new request.
    const someoneElse = await call(api, 'POST', '/customers', { token: alice, body: { name: 'Once Only Ltd 2' }, headers: { 'idempotency-key': key } });
    expect(someoneElse.status).toBe(201);
  });

  it('a refused request is replayed as refused, not re-run', async () => {
    await call(api, 'POST', '/customers', { token: bob, body: { name: 'Taken', domain: 'taken-e2e.com' } });
    const attempt = () =>
      call(api, 'POST', '/customers', { token: bob, body: { name: 'Taken 2', domain: 'taken-e2e.com' }, headers: { 'idempotency-key': 'k-409' } });
    expect((await attempt()).status).toBe(409);
    const replay = await attempt();
    expect(replay.status).toBe(409);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('contacts, activities and the timeline work together; lastContactedAt follows', async () => {
    const customer = await call<Customer>(api, 'POST', '/customers', { token: bob, body: { name: 'Timeline Co' } });
    const base = `/customers/${customer.body.id}`;
    const contact = await call<{ id: string }>(api, 'POST', `${base}/contacts`, {
      token: bob,
      body: { name: 'Pat', email: 'pat@timeline.co', buyingRole: 'champion' },
    });
    expect(contact.status).toBe(201);
    const activity = await call<{ occurredAt: string }>(api, 'POST', `${base}/activities`, {
      token: bob,
      body: { type: 'meeting', subject: 'Kick-off', contactId: contact.body.id },
    });
    expect(activity.status).toBe(201);
    const timeline = await call<{ items: Array<{ subject: string }>; nextCursor: string | null }>(api, 'GET', `${base}/timeline`, { token: alice });
    expect(timeline.body.items.map((a) => a.subject)).toEqual(['Kick-off']);
    const after = await call<Customer>(api, 'GET', base, { token: bob });
    expect(after.body.lastContactedAt).toBe(activity.body.occurredAt);
    const contacts = await call<{ items: Array<{ id: string }> }>(api, 'GET', `${base}/contacts`, { token: alice });
    expect(contacts.body.items.map((c) => c.id)).toEqual([contact.body.id]);
  });

  it('DELETE archives (204) and the audit trail shows every change with its actor', async () => {
    const customer = await call<Customer>(api, 'POST', '/customers', { token: bob, body: { name: 'Short Lived' } });
    const path = `/customers/${customer.body.id}`;
    expect((await call(api, 'PATCH', path, { token: bob, body: { lifecycle: 'prospect' } })).status).toBe(200);
    expect((await call(api, 'DELETE', path, { token: bob, headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await call(api, 'DELETE', path, { token: bob, headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await call<Customer & { archived: boolean }>(api, 'GET', path, { token: bob })).body.archived).toBe(true);
    expect((await call(api, 'POST', `${path}/restore`, { token: bob })).status).toBe(200);
    const audit = await call<{ items: Array<{ action: string; actor: string }> }>(api, 'GET', `/audit?entityId=${customer.body.id}`, { token: alice });
    expect(audit.body.items.map((e) => `${e.action}:${e.actor}`)).toEqual(['create:bob', 'update:bob', 'archive:bob', 'restore:bob']);
    expect((await call(api, 'GET', `/audit?entityId=${customer.body.id}`, { token: bob })).status).toBe(403);
  });

  it('a cursor from another list or tenant is a 400 naming query.cursor', async () => {
    await Promise.all(['P1', 'P2', 'P3'].map((name) => call(api, 'POST', '/customers', { token: bob, body: { name: `Paged ${name}` } })));
    const page = await call<{ nextCursor: string }>(api, 'GET', '/customers?limit=1', { token: alice });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const elsewhere = await call<{ errors: Array<{ path: string }> }>(api, 'GET', `/customers?limit=1&cursor=${page.body.nextCursor}`, {
      token: otherTenantManager,
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors[0]?.path).toBe('query.cursor');
    const otherList = await call(api, 'GET', `/customers?limit=1&lifecycle=lead&cursor=${page.body.nextCursor}`, { token: alice });
    expect(otherList.status).toBe(400);
  });
});
