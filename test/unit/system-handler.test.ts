/**
 * The system function serves the OpenAPI document as the static file the build wrote (read once, on the first
 * request), with the server the caller reached; it builds no schema.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler, HttpResponse } from '../../functions/shared/http';

const folder = mkdtempSync(join(tmpdir(), 'system-handler-'));
const file = join(folder, 'openapi.json');
let handler: HttpHandler;

beforeAll(async () => {
  process.env.OPENAPI_DOCUMENT_PATH = file;
  handler = (await import('../../functions/http/system/handler')).handler;
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const context = { awsRequestId: 'req-1', functionName: 'system', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function getOpenApi(headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /openapi.json',
    rawPath: '/openapi.json',
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
      http: { method: 'GET', path: '/openapi.json', protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 'test' },
      routeKey: 'GET /openapi.json',
      stage: '$default',
    },
  } as unknown as APIGatewayProxyEventV2;
}

async function invoke(event: APIGatewayProxyEventV2) {
  const response = (await handler(event, context)) as HttpResponse;
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

describe('GET /openapi.json', () => {
  it('is a 500 problem while the document is missing, and is read once it is there', async () => {
    const missing = await invoke(getOpenApi());
    expect(missing.statusCode).toBe(500);
    expect(missing.headers?.['content-type']).toBe('application/problem+json');

    writeFileSync(file, JSON.stringify({ openapi: '3.1.0', info: { title: 'Salesflow API' }, servers: [], paths: {} }));
    const served = await invoke(getOpenApi());
    expect(served.statusCode).toBe(200);
    expect(served.json).toEqual({
      openapi: '3.1.0',
      info: { title: 'Salesflow API' },
      servers: [{ url: 'https://abc.execute-api.eu-west-1.amazonaws.com' }],
      paths: {},
    });
    // `servers` first where the generated document has it, right after `info`.
    expect(Object.keys(served.json)).toEqual(['openapi', 'info', 'servers', 'paths']);
  });

  it('names the server per request, as the caller reached it, from the document read on the first request', async () => {
    writeFileSync(file, JSON.stringify({ openapi: '3.1.0', changed: true }));
    const viaHttp = await invoke(getOpenApi({ 'x-forwarded-proto': 'http' }));
    expect(viaHttp.json.servers).toEqual([{ url: 'http://abc.execute-api.eu-west-1.amazonaws.com' }]);
    expect(viaHttp.json.changed).toBeUndefined();
  });
});
