import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Role } from '../../domain/shared/actor';
import { generateDevKeys, signDevToken } from '../../infra/local/dev-auth';
import { createLocalApi, loadHandlers } from '../../infra/local/local-api';
import { createLocalApprovalEngine, type LocalApprovalEngine } from '../../infra/local/local-workflow';
import { provideOpenApiDocument } from '../../infra/openapi/write';
import { useApprovalEngine } from '../../functions/shared/approval-engine';
import { handler as approvalTasks } from '../../functions/workflows/approval-tasks';
import { expectDocumented, type RouteExpectation } from './documented-responses';
import { createTestTable } from './dynamo';

export interface TestApi {
  baseUrl: string;
  /** A token for `sub` of `tenant` with that role (or roles: a user may hold several). */
  token(tenant: string, role: Role | readonly Role[], sub: string): Promise<string>;
  /** The local approval workflow engine behind this API. */
  approvals: LocalApprovalEngine;
  close(): Promise<void>;
}

/**
 * The local API (the same server `npm start` runs) on a free port, over its own table. The Lambda handlers
 * read TABLE_NAME/DYNAMODB_ENDPOINT from the environment like on AWS; each test file runs in its own process.
 */
export async function startTestApi(): Promise<TestApi> {
  const { tableName, endpoint } = await createTestTable();
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.APPROVAL_LINK_SECRET = randomBytes(32).toString('base64url');
  process.env.CURSOR_SECRET = randomBytes(32).toString('base64url');
  // The document GET /openapi.json serves, generated from the route table as `npm start` and CDK synth do.
  const openApiDocument = provideOpenApiDocument();
  const approvals = createLocalApprovalEngine({ handler: approvalTasks, log: (line) => line.includes('failed') && console.error(line) });
  useApprovalEngine(approvals);
  const keys = await generateDevKeys();
  // Only faults are logged: a test run should show why a 500 happened.
  const server = createLocalApi({ handlers: await loadHandlers(), keys, log: (line) => line.startsWith('local api fault') && console.error(line) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token: (tenant, role, sub) => signDevToken(keys, { tenant, roles: typeof role === 'string' ? [role] : [...role], sub }),
    approvals,
    close: async () => {
      approvals.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dirname(openApiDocument), { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /**
   * What the request is to the OpenAPI check every response goes through (./documented-responses.ts): an
   * operation of the document unless it says otherwise (`none`: an unknown path; `any`: random paths; `local`: a
   * local convenience such as `/docs`).
   */
  route?: RouteExpectation;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = Record<string, unknown>>(
  api: TestApi,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${api.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  // What the document says this operation answers, or the test fails here naming the route, status and schema errors.
  const sent = new URL(response.url);
  expectDocumented(
    { method, path: `${sent.pathname}${sent.search}`, status: response.status, contentType: response.headers.get('content-type'), text },
    options.route,
  );
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/**
 * `fetch` for a server that is not a TestApi (the `npm start` child process): the response is checked against the
 * document like `call()`'s, and handed back unread.
 */
export async function documentedFetch(url: string, init: RequestInit & { route?: RouteExpectation } = {}): Promise<Response> {
  const { route, ...request } = init;
  const response = await fetch(url, request);
  const sent = new URL(response.url);
  expectDocumented(
    {
      method: request.method ?? 'GET',
      path: `${sent.pathname}${sent.search}`,
      status: response.status,
      contentType: response.headers.get('content-type'),
      text: await response.clone().text(),
    },
    route,
  );
  return response;
}
