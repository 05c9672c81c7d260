/**
 * Records every DynamoDB request a client sends — command, input, start and end, consumed capacity — through an
 * SDK middleware, so the bench can count requests per route and replay exactly those requests raw (the floor).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface RecordedCall {
  command: string;
  input: Record<string, unknown>;
  start: number;
  end: number;
  capacity: number;
}

export interface Recorder {
  client: DynamoDBClient;
  calls: RecordedCall[];
  /** Forgets what was recorded (before each measured invocation). */
  reset(): void;
}

/** Commands that report consumed capacity when asked. */
const REPORTS_CAPACITY = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

export function recordingClient(endpoint: string): Recorder {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const calls: RecordedCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as Record<string, unknown>;
      if (REPORTS_CAPACITY.has(command)) input.ReturnConsumedCapacity = 'TOTAL';
      const start = performance.now();
      const result = await next(args);
      const end = performance.now();
      // A shallow copy: marshalling replaces args.input rather than changing it, and a deep clone would be
      // overhead the floor does not pay.
      calls.push({ command, input: { ...input }, start, end, capacity: capacityOf((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity) });
      return result;
    },
    { step: 'initialize', name: 'benchRecorder' },
  );
  return { client, calls, reset: () => calls.splice(0) };
}

function capacityOf(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((total: number, entry: { CapacityUnits?: number }) => total + (entry.CapacityUnits ?? 0), 0);
}

/**
 * Calls that overlapped in time ran in parallel (Promise.all in the use case): groups of them, in order, so a
 * replay keeps the route's own concurrency.
 */
export function parallelGroups(calls: readonly RecordedCall[]): RecordedCall[][] {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const groups: RecordedCall[][] = [];
  let groupEnd = -Infinity;
  for (const call of sorted) {
    if (groups.length > 0 && call.start < groupEnd) {
      groups[groups.length - 1]!.push(call);
      groupEnd = Math.max(groupEnd, call.end);
    } else {
      groups.push([call]);
      groupEnd = call.end;
    }
  }
  return groups;
}
