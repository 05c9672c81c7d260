/**
 * Latency against the floor, per route of the route table: the real handler invoked in-process with an API
 * Gateway v2 event, interleaved with the floor — the same DynamoDB requests that invocation sent, replayed raw
 * with the SDK (same parallel groups) on the same data. Also the number of DynamoDB requests and the consumed
 * capacity of one invocation.
 */
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ROLES, type Role } from '../domain/shared/actor';
import type { Deps } from '../domain/shared/ports';
import type { FunctionHandlers } from '../infra/local/local-api';
import type { ApprovalEngine } from '../domain/approvals/engine';
import type { RouteDefinition } from '../functions/http/routes';
import { pathFor, routeFixture } from '../test/support/route-fixtures';
import { ROUTE_REQUESTS } from '../test/support/route-requests';
import { parallelGroups, type RecordedCall, type Recorder } from './lib/dynamo-recorder';
import { httpEvent, lambdaContext } from './lib/events';
import { summarize, type Summary } from './lib/stats';

export interface RouteLatency {
  route: string;
  id: string;
  caller?: Role;
  handler?: Summary;
  floor?: Summary;
  requests?: number;
  commands?: string[];
  capacity?: number;
  /** Why it was not measured, when it was not. */
  skipped?: string;
}

/** Document-client commands by the low-level name the recorder sees. */
const REPLAY: Record<string, new (input: never) => unknown> = {
  GetItemCommand: GetCommand,
  QueryCommand: QueryCommand,
  PutItemCommand: PutCommand,
  UpdateItemCommand: UpdateCommand,
  DeleteItemCommand: DeleteCommand,
  BatchGetItemCommand: BatchGetCommand,
  BatchWriteItemCommand: BatchWriteCommand,
  TransactWriteItemsCommand: TransactWriteCommand,
};

export interface LatencyOptions {
  deps: Deps;
  recorder: Recorder;
  floorClient: DynamoDBClient;
  handlers: FunctionHandlers;
  approvals: ApprovalEngine;
  tenant: string;
  iterations: number;
  warmup: number;
}

export async function measureLatency(options: LatencyOptions & { routes: readonly RouteDefinition[]; log: (line: string) => void }): Promise<RouteLatency[]> {
  const rows: RouteLatency[] = [];
  for (const route of options.routes) {
    const row = await measureRoute(route, options);
    rows.push(row);
    options.log(`  ${row.route.padEnd(44)} ${row.skipped ?? `p50 ${row.handler?.p50.toFixed(2)} ms vs floor ${row.floor?.p50.toFixed(2)} ms`}`);
  }
  return rows;
}

/** One route, with its standard request (or `query` instead of the standard query string). Never throws. */
export async function measureRoute(route: RouteDefinition, options: LatencyOptions & { query?: string }): Promise<RouteLatency> {
  const row: RouteLatency = { route: `${route.method} ${route.path}${options.query ? `?${options.query}` : ''}`, id: route.id };
  const floorDocuments = DynamoDBDocumentClient.from(options.floorClient, { marshallOptions: { removeUndefinedValues: true } });
  try {
    await measureInto(row, route, options, floorDocuments);
  } catch (error) {
    row.skipped = `failed: ${(error as Error).message.slice(0, 80)}`;
  }
  return row;
}

async function measureInto(
  row: RouteLatency,
  route: RouteDefinition,
  options: LatencyOptions & { query?: string },
  floorDocuments: DynamoDBDocumentClient,
): Promise<void> {
  const handler = options.handlers[route.fn];
  // The first role whose call succeeds: authorization is the matrix's subject, not the bench's.
  const roles = route.access === 'public' ? (['admin'] as Role[]) : ROLES.filter((role) => (route.access as readonly Role[]).includes(role));
  for (const role of roles) {
    const caller = { tenant: options.tenant, sub: `bench-${role}`, role };
    const fixture = await routeFixture(options.deps, route, { tenant: options.tenant, owner: caller.sub, approvals: options.approvals });
    const path = pathFor(route, fixture);
    const invoke = async () => {
      const request = ROUTE_REQUESTS[route.id as keyof typeof ROUTE_REQUESTS](fixture, 'own', caller.sub);
      const event = httpEvent(route, path, { query: options.query ?? request.query, body: request.body, caller: route.access === 'public' ? undefined : caller });
      options.recorder.reset();
      const start = performance.now();
      const response = (await handler(event as never, lambdaContext(route.fn))) as { statusCode: number };
      const elapsed = performance.now() - start;
      return { status: response.statusCode, elapsed, calls: [...options.recorder.calls] };
    };
    const first = await invoke();
    if (first.status >= 300) continue;
    const second = await invoke();
    if (second.status >= 300) {
      row.skipped = 'not repeatable (succeeds once per record)';
      return;
    }
    row.caller = role;
    for (let index = 0; index < options.warmup; index += 1) {
      const warm = await invoke();
      await replay(floorDocuments, warm.calls);
    }
    const handlerTimes: number[] = [];
    const floorTimes: number[] = [];
    let last = second;
    for (let index = 0; index < options.iterations; index += 1) {
      last = await invoke();
      if (last.status >= 300) throw new Error(`answered ${last.status} on repetition`);
      handlerTimes.push(last.elapsed);
      floorTimes.push(await replay(floorDocuments, last.calls));
    }
    row.handler = summarize(handlerTimes);
    row.floor = summarize(floorTimes);
    row.requests = last.calls.length;
    row.commands = last.calls.map((call) => call.command.replace(/Command$/, ''));
    row.capacity = Math.round(last.calls.reduce((total, call) => total + call.capacity, 0) * 10) / 10;
    return;
  }
  row.skipped = 'no role got a 2xx with the standard request';
}

/** Replays recorded requests raw, group by group (a group ran in parallel); failures (conditions) still count. */
async function replay(client: DynamoDBDocumentClient, calls: readonly RecordedCall[]): Promise<number> {
  const start = performance.now();
  for (const group of parallelGroups(calls)) {
    await Promise.all(
      group.map((call) => {
        const Command = REPLAY[call.command];
        if (!Command) return Promise.resolve();
        // As sent, ReturnConsumedCapacity included: the floor asks DynamoDB for exactly what the handler's did.
        return client.send(new Command(call.input as never) as never).catch(() => undefined);
      }),
    );
  }
  return performance.now() - start;
}
