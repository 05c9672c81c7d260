/**
 * Tenant ids and user ids as the keys need them. ElectroDB lower-cases every key and joins key parts with `#`,
 * so a token naming `Acme` (or `acme#x`) would read and write under the keys of another tenant. The claims are
 * checked where they are read, before anything reaches the table.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TENANT_ID_PATTERN, USER_ID_PATTERN, isTenantId, isUserId } from '../../domain/shared/actor';
import type { HttpHandler, HttpResponse } from '../../functions/shared/http';
import { DEMO_TENANT, DEMO_USERS } from '../../infra/local/seed';
import { newTenant } from '../support/dynamo';

const dynamo = mockClient(DynamoDBDocumentClient);
let handler: HttpHandler;

beforeAll(async () => {
  process.env.TABLE_NAME = 'unit-table';
  handler = (await import('../../functions/http/customers/handler')).handler;
});
beforeEach(() => dynamo.reset());
afterAll(() => dynamo.restore());

const context = { awsRequestId: 'req-1', functionName: 'customers', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function listCustomers(claims: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /customers',
    rawPath: '/customers',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      domainName: 'api.example',
      http: { method: 'GET', path: '/customers', protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 'test' },
      routeKey: 'GET /customers',
      stage: '$default',
      authorizer: { jwt: { claims, scopes: [] } },
    },
  } as unknown as APIGatewayProxyEventV2;
}

async function invoke(claims: Record<string, string>) {
  const response = (await handler(listCustomers(claims), context)) as HttpResponse;
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

describe('the tenant id pattern', () => {
  it('takes lowercase letters, digits and dashes, 1 to 63 of them, a letter or digit at each end', () => {
    for (const tenant of ['acme', 'a', '7', 'bench-small', 'bench-large', 'benchtemplate0', 'x-1-y', 'a'.repeat(63)]) {
      expect(isTenantId(tenant), tenant).toBe(true);
    }
    for (const tenant of ['', 'Acme', 'ACME', 'acme#x', 'acme-', '-acme', 'ac me', 'acme_x', 'acme.x', 'acmé', 'acme\n', 'a'.repeat(64)]) {
      expect(isTenantId(tenant), JSON.stringify(tenant)).toBe(false);
    }
    expect(isTenantId(undefined)).toBe(false);
    expect(isTenantId(42)).toBe(false);
    expect(TENANT_ID_PATTERN.source).toBe('^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$');
  });

  it('is what the demo tenant and every test tenant are', () => {
    expect(isTenantId(DEMO_TENANT)).toBe(true);
    expect(isTenantId(newTenant())).toBe(true);
    expect(isTenantId(newTenant('matrix'))).toBe(true);
    expect(() => newTenant('Upper')).toThrow(/tenant id/);
  });
});

describe('the user id pattern', () => {
  it('takes what Cognito and the demo users have, and nothing that folds or splits in a key', () => {
    for (const sub of ['bob', 'rep-user', '0a1b2c3d-4e5f-6789-abcd-ef0123456789', 'dana@acme.example', 'auth0|abc', 'b'.repeat(128)]) {
      expect(isUserId(sub), sub).toBe(true);
    }
    for (const user of DEMO_USERS) expect(isUserId(user.sub), user.sub).toBe(true);
    for (const sub of ['', 'Bob', 'bob#x', ' bob', 'bob ', '-bob', 'böb', 'b'.repeat(129)]) {
      expect(isUserId(sub), JSON.stringify(sub)).toBe(false);
    }
    expect(USER_ID_PATTERN.test('bob\n')).toBe(false);
  });
});

describe('a verified token naming no tenant this service can have', () => {
  it.each([
    ['Acme', 'upper case: keys are lower-cased, so it would be acme'],
    ['ACME', 'all upper case'],
    ['acme#x', 'the key separator'],
    ['', 'empty'],
    ['a'.repeat(64), 'longer than 63 characters'],
    ['acme x', 'a space'],
    ['-acme', 'a leading dash'],
    ['acme_x', 'an underscore'],
    ['acmé', 'a letter outside a–z'],
    ['acme\n', 'a trailing newline'],
  ])('is a 403 problem+json before the table is touched: %j (%s)', async (tenant) => {
    const response = await invoke({ sub: 'bob', 'custom:tenantId': tenant, 'cognito:groups': '[rep]' });
    expect(response.statusCode).toBe(403);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(response.json.detail).toMatch(/tenant id/);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('is a 403 too when the claim is missing from a token that has claims', async () => {
    const response = await invoke({ sub: 'bob', 'cognito:groups': '[rep]' });
    expect(response.statusCode).toBe(403);
    expect(response.json.detail).toMatch(/tenant id/);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe("a verified token whose subject would alias another user's keys", () => {
  it.each([
    ['Bob', 'upper case: bob would read the notifications addressed to Bob'],
    ['bob#x', 'the key separator'],
    [' bob', 'white space'],
    ['', 'empty'],
    ['b'.repeat(129), 'longer than 128 characters'],
  ])('is a 403 before the table is touched: %j (%s)', async (sub) => {
    const response = await invoke({ sub, 'custom:tenantId': 'acme', 'cognito:groups': '[rep]' });
    expect(response.statusCode).toBe(403);
    expect(response.json.detail).toMatch(/user id/);
    expect(dynamo.calls()).toHaveLength(0);
  });
});
