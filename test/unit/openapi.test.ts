import { describe, expect, it } from 'vitest';
import { routes, type RouteDefinition } from '../../functions/http/routes';
import { bodyIsOptional } from '../../functions/shared/route';
import { buildOpenApiDocument } from '../../infra/openapi/document';
import { undocumentedIn, type ObservedResponse } from '../support/documented-responses';

type Response = { description: string; content?: Record<string, { schema?: unknown }> };
const document = buildOpenApiDocument() as unknown as {
  openapi: string;
  servers: Array<{ url: string }>;
  security: unknown;
  paths: Record<string, Record<string, { operationId: string; security?: unknown; 'x-roles': string[]; responses: Record<string, Response>; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>>;
  components: { schemas: Record<string, unknown> };
};
const operation = (path: string, method: string) => document.paths[path]?.[method];

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it.each((routes as readonly RouteDefinition[]).map((route) => [route.id, route] as const))('documents %s', (_, route) => {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()];
    expect(operation?.operationId).toBe(route.id);
    expect(operation?.responses[String(route.response.status)]).toBeDefined();
    expect(operation?.responses['500']).toBeDefined();
    if (route.access === 'public') {
      // Said explicitly, so that the document's bearer requirement is not inherited.
      expect(operation?.security).toEqual([]);
      expect(operation?.responses['401']).toBeUndefined();
    } else {
      expect(operation?.security).toEqual([{ bearerAuth: [] }]);
      expect(operation?.['x-roles']).toEqual([...route.access]);
      expect(operation?.responses['401']).toBeDefined();
      expect(operation?.responses['403']).toBeDefined();
    }
    for (const status of route.errors ?? []) expect(operation?.responses[String(status)]).toBeDefined();
    if (route.request?.body) expect(operation?.requestBody).toBeDefined();
    // An action whose body has no required field may be sent without one.
    if (route.request?.body) expect(operation?.requestBody).toMatchObject({ required: !bodyIsOptional(route) });
    if (route.ifMatch) expect(operation?.parameters?.some((p) => p.in === 'header' && p.name === 'If-Match')).toBe(true);
    if (route.idempotent) expect(operation?.parameters?.some((p) => p.name === 'Idempotency-Key')).toBe(true);
  });

  it('publishes the shared schemas as components', () => {
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Customer', 'Contact', 'Activity', 'Problem', 'CustomerPage', 'GatewayUnauthorized']));
  });

  it('needs a bearer token unless an operation says otherwise, and is served from its own host', () => {
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it("documents a 401 as API Gateway's JSON and, for a token without usable claims, the function's problem+json", () => {
    expect(operation('/customers/{id}', 'get')?.responses['401']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/GatewayUnauthorized' } },
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(document.components.schemas.GatewayUnauthorized).toMatchObject({
      type: 'object',
      properties: { message: { type: 'string', enum: ['Unauthorized'] } },
      required: ['message'],
      additionalProperties: false,
    });
  });

  it.each([
    ['/quotes/{id}/document'],
    ['/contracts/{id}/document'],
  ])('documents %s as an HTML string', (path) => {
    expect(operation(path, 'get')?.responses['200']?.content).toEqual({ 'text/html': { schema: { type: 'string', description: expect.any(String) } } });
  });

  it('documents the bodies of /health and /openapi.json', () => {
    expect(operation('/health', 'get')?.responses['200']?.content?.['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['status', 'service', 'stage'],
    });
    expect(operation('/openapi.json', 'get')?.responses['200']?.content?.['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['openapi', 'info', 'paths'],
    });
  });
});

/** The check every HTTP suite's responses go through (test/support/documented-responses.ts), on responses made up here. */
describe('the documented-response check', () => {
  const customer = {
    id: 'c1', name: 'Acme', lifecycle: 'lead', tags: [], owner: 'bob', archived: false,
    createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'bob', updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: 'bob', version: 1,
  };
  const json = (method: string, path: string, status: number, body: unknown, contentType = 'application/json'): ObservedResponse => ({
    method, path, status, contentType, text: JSON.stringify(body),
  });
  const problem = { type: '/problems/not-found', title: 'Not Found', status: 404, detail: 'No customer c2' };

  it('accepts what the document says', () => {
    expect(undocumentedIn(json('GET', '/customers/c1', 200, customer)).problems).toEqual([]);
    expect(undocumentedIn(json('GET', '/customers?limit=5', 200, { items: [customer], nextCursor: null })).problems).toEqual([]);
    expect(undocumentedIn(json('GET', '/customers/c2', 404, problem, 'application/problem+json')).problems).toEqual([]);
    expect(undocumentedIn(json('GET', '/customers', 401, { message: 'Unauthorized' })).problems).toEqual([]);
    expect(undocumentedIn({ method: 'DELETE', path: '/customers/c1', status: 204, contentType: null, text: '' }).problems).toEqual([]);
    expect(undocumentedIn({ method: 'GET', path: '/quotes/q1/document', status: 200, contentType: 'text/html; charset=utf-8', text: '<p>Hi</p>' }).problems).toEqual([]);
  });

  it('names the route and what is wrong: status, content type, a missing, mistyped or undeclared field, a body on a 204', () => {
    const undocumented = undocumentedIn(json('GET', '/customers/c1', 418, {}));
    expect(undocumented.route).toBe('GET /customers/{id} (getCustomer)');
    expect(undocumented.problems).toEqual([expect.stringMatching(/^status 418 is not documented/)]);
    expect(undocumentedIn(json('GET', '/customers/c2', 404, problem)).problems).toEqual([expect.stringMatching(/content type application\/json is not documented for 404/)]);
    expect(undocumentedIn(json('GET', '/customers/c1', 200, { ...customer, version: 'one' })).problems).toEqual([expect.stringMatching(/^body\/version must be integer/)]);
    expect(undocumentedIn(json('GET', '/customers/c1', 200, { ...customer, name: undefined })).problems).toEqual([expect.stringMatching(/must have required property 'name'/)]);
    expect(undocumentedIn(json('GET', '/customers', 200, { items: [{ ...customer, pk: 'x' }], nextCursor: null })).problems).toEqual([
      expect.stringMatching(/^body\/items\/0 must NOT have unevaluated properties .*"pk"/),
    ]);
    expect(undocumentedIn(json('GET', '/customers', 401, { message: 'Unauthorized' }, 'application/problem+json')).problems).toEqual([
      expect.stringMatching(/must have required property 'type'/),
      expect.stringMatching(/must have required property 'title'/),
      expect.stringMatching(/must have required property 'status'/),
    ]);
    expect(undocumentedIn(json('DELETE', '/customers/c1', 204, {})).problems).toEqual([expect.stringMatching(/documented without a body/)]);
    // Public: no 401 at all.
    expect(undocumentedIn(json('GET', '/health', 401, { message: 'Unauthorized' })).problems).toEqual([expect.stringMatching(/^status 401 is not documented/)]);
  });

  it('matches a literal segment before a parameter, and a path of no route only when the request says so', () => {
    expect(undocumentedIn(json('GET', '/me/tasks', 200, { items: [], nextCursor: null })).route).toBe('GET /me/tasks (listMyTasks)');
    const gateway404 = json('GET', '/nope', 404, { message: 'Not Found' });
    expect(undocumentedIn(gateway404).problems).toEqual(['no operation of the document matches this method and path']);
    expect(undocumentedIn(gateway404, 'none').problems).toEqual([]);
    expect(undocumentedIn(gateway404, 'any').problems).toEqual([]);
    expect(undocumentedIn(json('GET', '/nope', 200, {}), 'none').problems.length).toBeGreaterThan(0);
    // An exemption cannot hide a real operation.
    expect(undocumentedIn(json('GET', '/customers/c1', 200, customer), 'local').problems).toEqual([expect.stringMatching(/is an operation of the document/)]);
  });
});
