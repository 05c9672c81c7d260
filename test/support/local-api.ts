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
import { createTestTable } from './dynamo';

export interface TestApi {
  baseUrl: string;
  token(tenant: string, role: Role, sub: string): Promise<string>;
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
    token: (tenant, role, sub) => signDevToken(keys, { tenant, roles: [role], sub }),
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
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
