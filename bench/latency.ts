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
import type { ApprovalEngine } from '../domain/contracts';
import type { RouteDefinition } from '../functions/http/routes';
import { pathFor, routeFixture } from '../test/support/route-fixtures';
import { ROUTE_REQUESTS } from '../test/support/route-requests';
import { parallelGroups, type RecordedCall, type Recorder } from './lib/dynamo-recorder';
import { httpEvent, lambdaContext } from './lib/events';
import { unconditional } from './lib/unconditional';
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

/** A request to measure: the route's standard one, or with `query` / `path` instead of the standard ones. */
type RouteTarget = LatencyOptions & { query?: string; path?: string };

/** One route, with its standard request (or `query` instead of the standard query string). Never throws. */
async function measureRoute(route: RouteDefinition, options: RouteTarget): Promise<RouteLatency> {
  const [row] = await measureInterleaved(route, [options]);
  return row!;
}

/**
 * The same route against several targets (e.g. the same request on two tenants), iterations interleaved so that
 * whatever else the machine does weighs on every target alike. Never throws; a row says why it was not measured.
 */
export async function measureInterleaved(route: RouteDefinition, targets: RouteTarget[]): Promise<RouteLatency[]> {
  const prepared = [];
  for (const target of targets) prepared.push(await prepare(route, target));
  const ready = prepared.filter((entry) => entry.invoke !== undefined);
  const floorDocuments = DynamoDBDocumentClient.from(targets[0]!.floorClient, { marshallOptions: { removeUndefinedValues: true } });
  const { warmup, iterations } = targets[0]!;
  try {
    for (let index = 0; index < warmup + iterations; index += 1) {
      for (const entry of ready) {
        const invocation = await entry.invoke!();
        if (invocation.status >= 300) throw new Error(`answered ${invocation.status} on repetition`);
        const floor = await replay(floorDocuments, invocation.calls);
        // A floor request that fails costs less than the handler's did: that would not be a floor.
        if (floor.failed.length > 0) throw new Error(`the floor's replay failed (${floor.failed[0]})`);
        if (index < warmup) continue;
        entry.handlerTimes.push(invocation.elapsed);
        entry.floorTimes.push(floor.ms);
        entry.last = invocation;
      }
    }
  } catch (error) {
    for (const entry of ready) entry.row.skipped = `failed: ${(error as Error).message.slice(0, 80)}`;
    return prepared.map((entry) => entry.row);
  }
  for (const { row, handlerTimes, floorTimes, last } of ready) {
    row.handler = summarize(handlerTimes);
    row.floor = summarize(floorTimes);
    row.requests = last!.calls.length;
    row.commands = last!.calls.map((call) => call.command.replace(/Command$/, ''));
    row.capacity = Math.round(last!.calls.reduce((total, call) => total + call.capacity, 0) * 10) / 10;
  }
  return prepared.map((entry) => entry.row);
}

interface Invocation {
  status: number;
  elapsed: number;
  calls: RecordedCall[];
}

/** Finds the first role whose standard request succeeds twice on a fresh fixture: authorization is the matrix's subject, not the bench's. */
async function prepare(route: RouteDefinition, options: RouteTarget) {
  const row: RouteLatency = { route: `${route.method} ${options.path ?? route.path}${options.query ? `?${options.query}` : ''}`, id: route.id };
  const entry = { row, invoke: undefined as (() => Promise<Invocation>) | undefined, handlerTimes: [] as number[], floorTimes: [] as number[], last: undefined as Invocation | undefined };
  const handler = options.handlers[route.fn];
  const roles = route.access === 'public' ? (['admin'] as Role[]) : ROLES.filter((role) => (route.access as readonly Role[]).includes(role));
  try {
    // The caller's own record first; then a colleague's, for routes the owner may not call (approving one's own contract).
    for (const owner of ['self', 'bench-colleague']) {
      for (const role of roles) {
        const caller = { tenant: options.tenant, sub: `bench-${role}`, role };
        const fixture = await routeFixture(options.deps, route, { tenant: options.tenant, owner: owner === 'self' ? caller.sub : owner, approvals: options.approvals });
        const path = options.path ?? pathFor(route, fixture);
        const invoke = async (): Promise<Invocation> => {
          const request = ROUTE_REQUESTS[route.id as keyof typeof ROUTE_REQUESTS](fixture, 'own', caller.sub);
          const event = httpEvent(route, path, { query: options.query ?? request.query, body: request.body, caller: route.access === 'public' ? undefined : caller });
          options.recorder.reset();
          const start = performance.now();
          const response = (await handler(event as never, lambdaContext(route.fn))) as { statusCode: number };
          const elapsed = performance.now() - start;
          return { status: response.statusCode, elapsed, calls: [...options.recorder.calls] };
        };
        if ((await invoke()).status >= 300) continue;
        if ((await invoke()).status >= 300) {
          row.skipped = 'not repeatable (succeeds once per record)';
          return entry;
        }
        row.caller = role;
        entry.invoke = invoke;
        return entry;
      }
    }
    row.skipped = 'no role got a 2xx with the standard request';
  } catch (error) {
    row.skipped = `failed: ${(error as Error).message.slice(0, 80)}`;
  }
  return entry;
}

/** Replays recorded requests raw, group by group (a group ran in parallel). */
async function replay(client: DynamoDBDocumentClient, calls: readonly RecordedCall[]): Promise<{ ms: number; failed: string[] }> {
  const failed: string[] = [];
  const start = performance.now();
  for (const group of parallelGroups(calls)) {
    await Promise.all(
      group.map((call) => {
        const Command = REPLAY[call.command];
        if (!Command) return Promise.resolve();
        // As sent (ReturnConsumedCapacity included), writes without their conditions: see unconditional.ts.
        const input = unconditional(call.command, call.input);
        if (!input) return Promise.resolve();
        return client.send(new Command(input as never) as never).catch((error: Error) => void failed.push(`${call.command}: ${error.name}`));
      }),
    );
  }
  return { ms: performance.now() - start, failed };
}
