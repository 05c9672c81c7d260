/**
 * The middy chain, invoked like Lambda invokes it, with DynamoDB mocked at the SDK (aws-sdk-client-mock):
 * what a request gets back before and after it reaches the domain.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpHandler, HttpResponse } from '../../functions/shared/http';

const dynamo = mockClient(DynamoDBDocumentClient);
let handler: HttpHandler;

beforeAll(async () => {
  process.env.TABLE_NAME = 'unit-table';
  handler = (await import('../../functions/http/customers/handler')).handler;
});
beforeEach(() => dynamo.reset());
afterAll(() => dynamo.restore());

const context = { awsRequestId: 'req-1', functionName: 'customers', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function event(
  routeKey: string,
  options: { body?: string; claims?: Record<string, string>; headers?: Record<string, string>; path?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [method, rawPath] = routeKey.split(' ') as [string, string];
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.path && { pathParameters: options.path }),
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      domainName: 'api.example',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 'test' },
      routeKey,
      stage: '$default',
      ...(options.claims && { authorizer: { jwt: { claims: options.claims, scopes: [] } } }),
    },
  } as unknown as APIGatewayProxyEventV2;
}

const rep = { sub: 'bob', 'custom:tenantId': 'acme', 'cognito:groups': '[rep]' };
const finance = { sub: 'fiona', 'custom:tenantId': 'acme', 'cognito:groups': '[finance]' };

async function invoke(e: APIGatewayProxyEventV2) {
  const response = (await handler(e, context)) as HttpResponse;
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

describe('the HTTP handler chain', () => {
  it('answers 401 problem+json when the authorizer context carries no claims', async () => {
    const response = await invoke(event('GET /customers'));
    expect(response.statusCode).toBe(401);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 403 for a role the route table does not allow, before touching the table', async () => {
    const response = await invoke(event('POST /customers', { claims: finance, body: '{"name":"Acme"}' }));
    expect(response.statusCode).toBe(403);
    expect(response.json.detail).toMatch(/admin, manager, rep/);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 415 for a body that is not JSON, 400 for malformed JSON, 413 for an oversized one', async () => {
    expect((await invoke(event('POST /customers', { claims: rep, body: 'name=x', headers: { 'content-type': 'text/plain' } }))).statusCode).toBe(415);
    const malformed = await invoke(event('POST /customers', { claims: rep, body: '{"name": ' }));
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json.errors).toEqual([{ path: 'body', message: 'Malformed JSON' }]);
    const huge = await invoke(event('POST /customers', { claims: rep, body: JSON.stringify({ name: 'x'.repeat(70_000) }) }));
    expect(huge.statusCode).toBe(413);
  });

  it('names every invalid field, including unknown ones and bad path parameters', async () => {
    const response = await invoke(
      event('PATCH /customers/{id}', {
        claims: rep,
        path: { id: 'bad id!' },
        body: JSON.stringify({ lifecycle: 'vip', owner: 7, colour: 'red' }),
        headers: { 'if-match': 'yesterday' },
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json.errors.map((issue: { path: string }) => issue.path).sort()).toEqual(
      ['body.colour', 'body.lifecycle', 'body.owner', 'headers.if-match', 'path.id'].sort(),
    );
  });

  it("says what is wrong with each field in the API's words: absent is Required, a wrong type or size says what it must be", async () => {
    const response = await invoke(event('POST /customers', { claims: rep, body: JSON.stringify({ name: '  ', tags: [1], lifecycle: 'vip', phone: '1' }) }));
    expect(response.statusCode).toBe(400);
    expect(response.json.errors).toEqual([
      { path: 'body.name', message: 'Must not be empty' },
      { path: 'body.lifecycle', message: 'Must be one of lead, prospect, customer, churned' },
      { path: 'body.tags.0', message: 'Must be a string' },
      { path: 'body.phone', message: 'Must be at least 3 characters long' },
    ]);
    const missing = await invoke(event('POST /customers', { claims: rep, body: JSON.stringify({ segment: 'smb' }) }));
    expect(missing.json.errors).toEqual([{ path: 'body.name', message: 'Required' }]);
    expect(missing.json.detail).toBe('Invalid request: body.name: Required');
    const finance403 = await invoke(event('PATCH /customers/{id}', { claims: finance, path: { id: 'C1' }, body: '{"segment":"smb"}' }));
    expect(finance403.json.detail).toBe('This operation needs one of these roles: admin, manager, rep');
  });

  it('maps a missing record to 404 and sends the correlation id back', async () => {
    dynamo.on(GetCommand).resolves({});
    const response = await invoke(
      event('GET /customers/{id}', { claims: rep, path: { id: 'C1' }, headers: { 'x-correlation-id': 'trace-42' } }),
    );
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['x-correlation-id']).toBe('trace-42');
  });

  it('turns a store fault into a 500 that leaks nothing', async () => {
    dynamo.on(GetCommand).rejects(new Error('socket hang up talking to dynamodb.internal:443'));
    const response = await invoke(event('GET /customers/{id}', { claims: rep, path: { id: 'C1' } }));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/socket|dynamodb\.internal/);
  });

  it('writes a new customer in one transaction with its audit entry, its event and its domain guard', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const response = await invoke(event('POST /customers', { claims: rep, body: JSON.stringify({ name: 'Acme', domain: 'acme.com' }) }));
    expect(response.statusCode).toBe(201);
    expect(response.headers?.location).toBe(`/customers/${response.json.id}`);
    expect(response.headers?.etag).toBe('"1"');
    const writes = dynamo.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.args[0].input.TransactItems).toHaveLength(4);
  });
});
