/**
 * The local stand-in for Lambda's DynamoDB stream event source mapping: reads the table's stream on DynamoDB
 * Local and invokes a stream handler (the same one the Lambda runs) with the records in the Lambda event shape.
 *
 * Like the mapping in infra/constructs/outbox-relay.ts: shards are read from TRIM_HORIZON (events written before
 * the poller started are not lost), parents before children, in batches of `batchSize`, each delivered as the
 * mapping delivers it (./stream-delivery.ts: retried from the first failed record, split when the handler fails
 * on it, `retryAttempts` retries); what still fails is parked in a dead-letter store with a log line, never
 * dropped, and `redriveDeadLetters` (`npm run job -- redrive-events`) hands it over again. Unlike the mapping,
 * there is no filter: every record is handed over, and the handler ignores what is not its business.
 *
 * With `checkpoints`, where each shard was read to survives a restart (`npm start` keeps the stream on disk, so
 * TRIM_HORIZON alone would publish the last 24 hours' events again on every start).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type AttributeValue as StreamAttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createDynamoClient } from '../../functions/shared/runtime';
import { deliverBatch, type DeliveryOutcome } from './stream-delivery';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

/** Where each shard of a stream was read to (the last sequence number handed over), kept across restarts. */
export interface CheckpointStore {
  get(streamArn: string, shardId: string): string | undefined;
  set(streamArn: string, shardId: string, sequenceNumber: string): void;
}

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint (it serves the Streams API too). */
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  /** Pause between polls when there was nothing to read. */
  intervalMs?: number;
  /** Records per handler invocation (the mapping's batch size). */
  batchSize?: number;
  /** Retries of a failing batch before what still fails is parked (the mapping's retryAttempts). */
  retryAttempts?: number;
  /** Pause before the n-th retry of a batch: n × this (default 200 ms). */
  retryDelayMs?: number;
  checkpoints?: CheckpointStore;
  /** Where records go that still fail after every retry (the mapping's on-failure destination); default in memory. */
  deadLetters?: DeadLetterStore;
  log?: (line: string) => void;
}

export interface StreamPoller {
  readonly streamArn: string;
  /** Stops polling; resolves once the poll in progress (and the handler it invoked) has finished. */
  stop(): Promise<void>;
}

type Position = { type: 'TRIM_HORIZON' } | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

interface ShardState {
  id: string;
  parentId?: string;
  /** Where to get a new iterator from when there is none (start, expiry, retry). */
  position: Position;
  iterator?: string;
  /** Closed and read to its end. */
  done: boolean;
}

const SHARD_REFRESH_MS = 5_000;
const LAMBDA_EVENT_NAMES = new Set(['INSERT', 'MODIFY', 'REMOVE']);

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const intervalMs = options.intervalMs ?? 250;
  const batchSize = options.batchSize ?? 100;
  const retryAttempts = options.retryAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const deadLetters = options.deadLetters ?? memoryDeadLetterStore();
  const log = options.log ?? (() => undefined);
  const abort = new AbortController();
  const region = process.env.AWS_REGION ?? 'us-east-1';

  const dynamo = createDynamoClient({ endpoint: options.endpoint });
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  dynamo.destroy();
  const latestStreamArn = Table?.LatestStreamArn;
  if (!latestStreamArn || !Table?.StreamSpecification?.StreamEnabled) throw new Error(`Table ${options.tableName} has no stream enabled`);
  const streamArn: string = latestStreamArn;

  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const shards = new Map<string, ShardState>();
  let lastShardRefresh = 0;

  async function refreshShards(): Promise<void> {
    const seen = new Set<string>();
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId) continue;
        seen.add(shard.ShardId);
        if (!shards.has(shard.ShardId)) shards.set(shard.ShardId, newShard(shard.ShardId, shard.ParentShardId));
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    // Shards trimmed from the stream (older than 24 h) are gone for good.
    for (const id of shards.keys()) if (!seen.has(id)) shards.delete(id);
    lastShardRefresh = Date.now();
  }

  function newShard(id: string, parentId: string | undefined): ShardState {
    const checkpoint = options.checkpoints?.get(streamArn, id);
    return {
      id,
      parentId,
      position: checkpoint ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint } : { type: 'TRIM_HORIZON' },
      done: false,
    };
  }

  async function iteratorFor(shard: ShardState): Promise<string | undefined> {
    const request = (position: Position) =>
      streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.id,
          ShardIteratorType: position.type as ShardIteratorType,
          SequenceNumber: 'sequenceNumber' in position ? position.sequenceNumber : undefined,
        }),
      );
    try {
      return (await request(shard.position)).ShardIterator;
    } catch (error) {
      if (shard.position.type === 'TRIM_HORIZON' || errorName(error) === 'ResourceNotFoundException') throw error;
      // The sequence number is no longer in the stream (trimmed, or a checkpoint of an older life of the
      // stream): read what is still there.
      log(`[streams] ${shard.id}: cannot resume at ${shard.position.sequenceNumber} (${errorName(error)}); reading from TRIM_HORIZON`);
      shard.position = { type: 'TRIM_HORIZON' };
      return (await request(shard.position)).ShardIterator;
    }
  }

  /** Reads one page of a shard and hands it over. Returns whether records were read. */
  async function pollShard(shard: ShardState): Promise<boolean> {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) {
      shard.done = true;
      return false;
    }
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (error) {
      const name = errorName(error);
      if (name === 'ExpiredIteratorException') {
        // Iterators live 15 minutes; get a new one from where this shard was read to.
        shard.iterator = undefined;
        return false;
      }
      if (name === 'TrimmedDataAccessException') {
        shard.iterator = undefined;
        shard.position = { type: 'TRIM_HORIZON' };
        return false;
      }
      if (name === 'ResourceNotFoundException') {
        shards.delete(shard.id);
        return false;
      }
      throw error;
    }
    const records = page.Records ?? [];
    for (let start = 0; start < records.length; start += batchSize) {
      if ((await deliver(shard, records.slice(start, start + batchSize))) === 'aborted') {
        // Stopping: read it again from shard.position on the next start.
        shard.iterator = undefined;
        return false;
      }
    }
    shard.iterator = page.NextShardIterator;
    if (!shard.iterator) {
      shard.done = true;
      lastShardRefresh = 0; // a closed shard usually means a child to read next
    }
    return records.length > 0;
  }

  /** Delivers one batch as the mapping would; every record ends up handed over or parked, unless stopping. */
  async function deliver(shard: ShardState, batch: StreamRecord[]): Promise<DeliveryOutcome> {
    const records = batch.map((record) => toLambdaRecord(record, streamArn, region)).filter((record) => record !== undefined);
    const outcome =
      records.length === 0
        ? 'delivered'
        : await deliverBatch(records, options.handler, {
            retryAttempts,
            bisectOnError: true,
            retryDelayMs: (retry) => retry * retryDelayMs,
            signal: abort.signal,
            async onFailure(failed, reason) {
              await deadLetters.park(failed, reason);
              const sequence = (record: DynamoDBRecord | undefined) => record?.dynamodb?.SequenceNumber ?? '?';
              log(
                `[streams] ${shard.id}: ${failed.length === 1 ? `record ${sequence(failed[0])}` : `records ${sequence(failed[0])}..${sequence(failed.at(-1))}`} ` +
                  `still failing after ${retryAttempts} retries (${reason}); parked in ${deadLetters.where} ` +
                  '(on AWS: the dead-letter queue). `npm run job -- redrive-events` hands them over again.',
              );
            },
          });
    const last = batch.at(-1)?.dynamodb?.SequenceNumber;
    if (outcome === 'delivered' && last) {
      shard.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last };
      options.checkpoints?.set(streamArn, shard.id, last);
    }
    return outcome;
  }

  async function poll(): Promise<boolean> {
    if (Date.now() - lastShardRefresh >= SHARD_REFRESH_MS) await refreshShards();
    let readSomething = false;
    for (const shard of [...shards.values()]) {
      if (shard.done) continue;
      // Parents first: a key's older changes are in the parent shard.
      const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
      if (parent && !parent.done) continue;
      if (await pollShard(shard)) readSomething = true;
    }
    return readSomething;
  }

  // The first shard listing happens now, so a poller that cannot read the stream fails to start.
  await refreshShards();

  let lastError = '';
  const loop = (async () => {
    while (!abort.signal.aborted) {
      let readSomething = false;
      try {
        readSomething = await poll();
        lastError = '';
      } catch (error) {
        const message = `${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`;
        // Once per distinct error, not four times a second.
        if (message !== lastError) log(`[streams] polling failed, retrying: ${message}`);
        lastError = message;
      }
      if (readSomething) continue;
      await sleep(intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();

  return {
    streamArn,
    async stop() {
      abort.abort();
      await loop;
      streams.destroy();
    },
  };
}

/** A record as Lambda delivers it, or undefined for what Lambda never delivers (DynamoDB Local's TTL deletes). */
export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord | undefined {
  const eventName = record.eventName as string | undefined;
  if (!eventName || !LAMBDA_EVENT_NAMES.has(eventName)) return undefined;
  const stream = record.dynamodb ?? {};
  const image = (value: Record<string, StreamAttributeValue> | undefined) =>
    value && Object.fromEntries(Object.entries(value).map(([name, attribute]) => [name, toLambdaValue(attribute)]));
  return {
    eventID: record.eventID,
    eventName: eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(stream.ApproximateCreationDateTime && { ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000) }),
      Keys: image(stream.Keys),
      ...(stream.NewImage && { NewImage: image(stream.NewImage) }),
      ...(stream.OldImage && { OldImage: image(stream.OldImage) }),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    ...(record.userIdentity && { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }),
  };
}

/** The SDK reads binary into Uint8Array; the Lambda event carries it base64-encoded. */
function toLambdaValue(value: StreamAttributeValue): AttributeValue {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([key, item]) => [key, toLambdaValue(item)])) };
  // S, N, SS, NS, BOOL, NULL have the same JSON shape in both.
  return value as AttributeValue;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** Checkpoints in a JSON file (under the git-ignored .local/), only for the stream last read. */
export function fileCheckpointStore(path: string): CheckpointStore {
  let stored: { streamArn?: string; shards: Record<string, string> } = { shards: {} };
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as typeof stored;
  } catch {
    // No file yet, or unreadable: start from the streams' beginning.
  }
  return {
    get: (streamArn, shardId) => (stored.streamArn === streamArn ? stored.shards[shardId] : undefined),
    set(streamArn, shardId, sequenceNumber) {
      if (stored.streamArn !== streamArn) stored = { streamArn, shards: {} };
      stored.shards[shardId] = sequenceNumber;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(stored, null, 2));
    },
  };
}

/** Records the poller could not hand over after every retry, kept until a redrive hands them over. */
export interface DeadLetterStore {
  /** Where they are kept, for log lines. */
  readonly where: string;
  park(records: readonly DynamoDBRecord[], reason: string): void | Promise<void>;
  list(): ParkedRecord[];
  remove(sequenceNumbers: readonly string[]): void;
}

export interface ParkedRecord {
  record: DynamoDBRecord;
  reason: string;
  parkedAt: string;
}

export function memoryDeadLetterStore(): DeadLetterStore {
  let parked: ParkedRecord[] = [];
  return {
    where: 'memory',
    park(records, reason) {
      const parkedAt = new Date().toISOString();
      parked.push(...records.map((record) => ({ record, reason, parkedAt })));
    },
    list: () => [...parked],
    remove(sequenceNumbers) {
      parked = parked.filter((entry) => !sequenceNumbers.includes(entry.record.dynamodb?.SequenceNumber ?? ''));
    },
  };
}

/** Parked records in a JSON file (under the git-ignored .local/): nothing parked is lost with a restart. */
export function fileDeadLetterStore(path: string): DeadLetterStore {
  const read = (): ParkedRecord[] => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as ParkedRecord[];
    } catch {
      return [];
    }
  };
  const write = (parked: ParkedRecord[]) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(parked, null, 2));
  };
  return {
    where: path,
    park(records, reason) {
      const parkedAt = new Date().toISOString();
      write([...read(), ...records.map((record) => ({ record, reason, parkedAt }))]);
    },
    list: read,
    remove(sequenceNumbers) {
      write(read().filter((entry) => !sequenceNumbers.includes(entry.record.dynamodb?.SequenceNumber ?? '')));
    },
  };
}

/** Hands every parked record to the handler again, one at a time in stream order; those it takes leave the store. */
export async function redriveDeadLetters(store: DeadLetterStore, handler: StreamHandler): Promise<{ redriven: number; stillFailing: number }> {
  const parked = store.list().sort((a, b) => compareSequence(a.record, b.record));
  const redriven: string[] = [];
  for (const { record } of parked) {
    try {
      const response = await handler({ Records: [record] });
      if ((response?.batchItemFailures ?? []).length === 0) redriven.push(record.dynamodb?.SequenceNumber ?? '');
    } catch {
      // Still not publishable: it stays parked.
    }
  }
  store.remove(redriven);
  return { redriven: redriven.length, stillFailing: parked.length - redriven.length };
}

function compareSequence(a: DynamoDBRecord, b: DynamoDBRecord): number {
  const left = BigInt(a.dynamodb?.SequenceNumber ?? '0');
  const right = BigInt(b.dynamodb?.SequenceNumber ?? '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
