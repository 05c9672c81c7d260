/**
 * Bad input on every write route of the route table, over HTTP: malformed JSON, wrong types, missing and
 * unknown fields, oversized bodies — each a 4xx problem+json naming the field — and property-based bodies,
 * queries and ids (fast-check) that never produce a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Deps } from '../../domain/shared/ports';
import { routes, type RouteDefinition, type RouteId } from '../../functions/http/routes';
import { bodyIsOptional } from '../../functions/shared/route';
import { createDeps } from '../../functions/shared/runtime';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type CallResult, type TestApi } from '../support/local-api';
import { pathFor, routeFixture } from '../support/route-fixtures';
import { ROUTE_REQUESTS } from '../support/route-requests';

let api: TestApi;
let deps: Deps;
let token: string;
const tenant = newTenant('fuzz');

beforeAll(async () => {
  api = await startTestApi();
  deps = createDeps({ tableName: process.env.TABLE_NAME as string, endpoint: process.env.DYNAMODB_ENDPOINT });
  token = await api.token(tenant, 'admin', 'alice');
});
afterAll(() => api.close());

const bodyRoutes = (routes as readonly RouteDefinition[]).filter((route) => route.request?.body);
const allRoutes = routes as readonly RouteDefinition[];

async function target(route: RouteDefinition): Promise<string> {
  return pathFor(route, await routeFixture(deps, route, { tenant, owner: 'alice', approvals: api.approvals }));
}

function fieldsOf(route: RouteDefinition): string[] {
  const declared = route.request?.body;
  const schema = declared instanceof z.ZodOptional ? declared.unwrap() : declared;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function expectProblem(response: CallResult, status: number) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = response.body as { type: string; title: string; status: number; detail: string };
  expect(problem).toMatchObject({ type: expect.any(String), title: expect.any(String), status: response.status, detail: expect.any(String) });
}

describe.each(bodyRoutes.filter(bodyIsOptional).map((route) => [route.id, route] as const))('%s, whose body has no required field', (_, route) => {
  it('takes no body at all (no content-type) as {}', async () => {
    // Each on a record of its own: the first call may change it (complete the task, decide the quote).
    const empty = await call(api, route.method, await target(route), { token, body: {} });
    const bare = await call(api, route.method, await target(route), { token });
    expect(empty.status, JSON.stringify(empty.body)).toBeLessThan(300);
    expect(bare.status, JSON.stringify(bare.body)).toBe(empty.status);
  });
});

describe.each(bodyRoutes.map((route) => [route.id, route] as const))('%s', (_, route) => {
  it('malformed JSON is a 400 naming the body', async () => {
    const response = await call(api, route.method, await target(route), {
      token,
      rawBody: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 400);
    expect((response.body as { errors: Array<{ path: string }> }).errors[0]?.path).toBe('body');
  });

  it('an unknown field is a 400 naming it', async () => {
    const response = await call(api, route.method, await target(route), { token, body: { surprise: true } });
    expectProblem(response, 400);
    expect((response.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toContain('body.surprise');
  });

  it('wrong types are a 400 naming each field', async () => {
    const fields = fieldsOf(route);
    const body = Object.fromEntries(fields.map((field) => [field, { nested: [1, 2, 3] }]));
    const response = await call(api, route.method, await target(route), { token, body });
    expectProblem(response, 400);
    const paths = (response.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path);
    for (const field of fields) {
      expect(paths.some((path) => path === `body.${field}` || path.startsWith(`body.${field}.`)), `${field} in ${paths}`).toBe(true);
    }
  });

  it('an empty or missing body is a 400 naming the body unless no field is required; an array always is', async () => {
    const path = await target(route);
    const schema = route.request?.body as z.ZodType;
    expectProblem(await call(api, route.method, path, { token, body: [] }), 400);
    if (!schema.safeParse({}).success) expectProblem(await call(api, route.method, path, { token, body: {} }), 400);
    if (!bodyIsOptional(route)) {
      const missing = await call(api, route.method, path, { token });
      expectProblem(missing, 400);
      expect((missing.body as { errors: Array<{ path: string; message: string }> }).errors).toContainEqual({ path: 'body', message: 'Required' });
    }
  });

  it('an oversized body is a 413', async () => {
    const response = await call(api, route.method, await target(route), { token, body: { name: 'x'.repeat(80 * 1024) } });
    expectProblem(response, 413);
  });

  it('a body that is not JSON (nor a form, where the route takes one) is a 415', async () => {
    const response = await call(api, route.method, await target(route), {
      token,
      rawBody: 'name=Acme',
      headers: { 'content-type': route.formBody ? 'text/plain' : 'application/x-www-form-urlencoded' },
    });
    expectProblem(response, 415);
  });

  if (route.formBody) {
    it('a form is read like JSON: an unknown field is a 400 naming it, a repeated one a 400 too', async () => {
      const path = await target(route);
      const form = (rawBody: string) =>
        call(api, route.method, path, { token, rawBody, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
      const unknown = await form('surprise=1');
      expectProblem(unknown, 400);
      expect((unknown.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['body.surprise']);
      const [field] = fieldsOf(route);
      const repeated = await form(`${field}=a&${field}=b`);
      expectProblem(repeated, 400);
      expect((repeated.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual([`body.${field}`]);
    });
  }

  it('property: arbitrary bodies near the schema never cause a 5xx', async () => {
    const path = await target(route);
    const fields = [...fieldsOf(route), 'extra'];
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }),
      fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      fc.emailAddress(),
      fc.domain(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: fields.length }), async (body) => {
        const response = await call(api, route.method, path, { token, body, headers: { 'idempotency-key': `fuzz-${Math.random()}` } });
        expect(response.status, JSON.stringify({ body, response: response.body })).toBeLessThan(500);
        if (response.status >= 400) expect(response.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 40 },
    );
  });
});

/** The lists: every route whose query takes the shared `cursor` (domain/shared/schemas.ts PageQuery). */
const listRoutes = allRoutes.filter((route) => route.method === 'GET' && route.request?.query instanceof z.ZodObject && 'cursor' in route.request.query.shape);

describe.each(listRoutes.map((route) => [route.id, route] as const))('%s, a list', (_, route) => {
  it('a cursor it did not issue (forged, or tampered with) is a 400 naming query.cursor; a limit over 200 a 400 naming query.limit', async () => {
    const fixture = await routeFixture(deps, route, { tenant, owner: 'alice', approvals: api.approvals });
    // The route's own valid query (a required filter such as the audit trail's entityId), then the bad part.
    const valid = ROUTE_REQUESTS[route.id as RouteId](fixture, 'own', 'alice').query;
    const path = `${pathFor(route, fixture)}?${valid ? `${valid}&` : ''}`;
    // Shaped like ours — a payload and a MAC — but signed by nobody: what a client crafting a start key sends.
    const payload = Buffer.from(JSON.stringify({ pk: `$salesflow#tenantid_${tenant}`, sk: 'x' })).toString('base64url');
    for (const cursor of [`${payload}.${Buffer.from('not a mac').toString('base64url')}`, `${payload}.`, 'garbage']) {
      const forged = await call<{ errors: Array<{ path: string }> }>(api, 'GET', `${path}cursor=${encodeURIComponent(cursor)}`, { token });
      expectProblem(forged, 400);
      expect(forged.body.errors.map((issue) => issue.path)).toEqual(['query.cursor']);
    }
    const tooMany = await call<{ errors: Array<{ path: string }> }>(api, 'GET', `${path}limit=201`, { token });
    expectProblem(tooMany, 400);
    expect(tooMany.body.errors.map((issue) => issue.path)).toEqual(['query.limit']);
  });
});

describe('every route', () => {
  it('property: arbitrary query strings, ids and raw bodies never cause a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...allRoutes),
        fc.dictionary(fc.constantFrom('limit', 'cursor', 'owner', 'lifecycle', 'tag', 'q', 'archived', 'entityId', 'allowDuplicate', 'stage', 'status', 'customer', 'closeFrom', 'closeTo', 'since', 'active', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.oneof(fc.constant(undefined), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 100 })),
        async (route, query, id, rawBody) => {
          const path = route.path.replace('{id}', encodeURIComponent(id)).replace('{contactId}', encodeURIComponent(id));
          const search = new URLSearchParams(query).toString();
          const response = await call(api, route.method, `${path}${search ? `?${search}` : ''}`, {
            token,
            rawBody: route.method === 'GET' ? undefined : rawBody,
            headers: { 'content-type': 'application/json', 'if-match': id },
            // A random id may make a path of no route (`.` normalises away): then API Gateway's own 404.
            route: 'any',
          });
          expect(response.status, JSON.stringify({ route: route.id, query, id, rawBody, body: response.body })).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
