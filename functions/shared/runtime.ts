/**
 * What a Lambda builds once per cold start and reuses on every invocation: the logger, the DynamoDB clients
 * and the ElectroDB service. Nothing here runs per request. The cursor key is not read here: it is loaded when a
 * request first needs it (./cursor-key.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { createSalesDb } from '../../domain/db';
import type { Deps } from '../../domain/shared/ports';
import { cursorKey } from './cursor-key';

export { logger } from './logger';

export function createDynamoClient(options: { endpoint?: string; region?: string } = {}) {
  return new DynamoDBClient({
    ...(options.endpoint && {
      endpoint: options.endpoint,
      // DynamoDB Local accepts any credentials; these keep the SDK from looking for real ones.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // Locally one process serves every function at once (a Lambda serves one request): more than the
      // default 50 sockets, so a burst of requests does not queue behind each other in the SDK.
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
      // DynamoDB Local (SQLite underneath) answers a loaded machine with transient 5xx now and then.
      maxAttempts: 6,
    }),
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
  });
}

export function createDocumentClient(options: { endpoint?: string; region?: string } = {}) {
  return DynamoDBDocumentClient.from(createDynamoClient(options), { marshallOptions: { removeUndefinedValues: true } });
}

/** `cursorKey` defaults to the stage's (./cursor-key.ts); tests that call use cases directly hand in their own. */
export function createDeps(options: {
  tableName: string;
  endpoint?: string;
  client?: DynamoDBClient;
  cursorKey?: Deps['cursorKey'];
}): Deps {
  const nextUlid = monotonicFactory();
  const documentClient = options.client
    ? DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
    : createDocumentClient({ endpoint: options.endpoint });
  return {
    db: createSalesDb(documentClient, options.tableName),
    clock: { now: () => new Date() },
    ids: { next: () => nextUlid() },
    cursorKey: options.cursorKey ?? cursorKey,
  };
}

let defaultDeps: Deps | undefined;

/** Makes `deps` this process's deps (the benchmark runs the handlers on an instrumented client). */
export function useRuntimeDeps(deps: Deps): void {
  defaultDeps = deps;
}

/**
 * The deps of this process, from its environment (TABLE_NAME, and DYNAMODB_ENDPOINT when running locally), built
 * on first use. `instrument` wraps their DynamoDB client when they are built (the traced functions capture it for
 * X-Ray: ./tracer.ts); a Lambda runs one handler, so the first call decides.
 */
export function runtimeDeps(options: { instrument?: (client: DynamoDBClient) => DynamoDBClient } = {}): Deps {
  if (!defaultDeps) {
    const tableName = process.env.TABLE_NAME;
    if (!tableName) throw new Error('TABLE_NAME is not set');
    const client = createDynamoClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
    defaultDeps = createDeps({ tableName, client: options.instrument ? options.instrument(client) : client });
  }
  return defaultDeps;
}
