/**
 * The local stand-in for Lambda's DynamoDB stream event source mapping: reads the table's stream on DynamoDB
 * Local and invokes a stream handler (the same one the Lambda runs) with the records in the Lambda event shape.
 *
 * Like the mapping in infra/constructs/outbox-relay.ts: shards are read from TRIM_HORIZON (events written before
 * the poller started are not lost), parents before children, in batches of `batchSize`; a batch's
 * `batchItemFailures` (or a thrown error) makes it retry from the first failed record, up to `retryAttempts`
 * times, after which the batch is logged and skipped (on AWS it would go to the on-failure destination). Unlike
 * it, there is no filter: every record is handed over, and the handler ignores what is not its business.
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
  /** Retries of a failing batch before it is skipped (the mapping's retryAttempts). */
  retryAttempts?: number;
  checkpoints?: CheckpointStore;
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
  retry?: { sequenceNumber: string; attempts: number };
}

const SHARD_REFRESH_MS = 5_000;
const LAMBDA_EVENT_NAMES = new Set(['INSERT', 'MODIFY', 'REMOVE']);

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const intervalMs = options.intervalMs ?? 250;
  const batchSize = options.batchSize ?? 100;
  const retryAttempts = options.retryAttempts ?? 5;
  const log = options.log ?? (() => undefined);
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
      const handedOver = await invoke(shard, records.slice(start, start + batchSize));
      if (!handedOver) {
        // Retry from shard.position with a fresh iterator after the pause.
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

  /** Invokes the handler with one batch. Returns false when the batch is to be retried. */
  async function invoke(shard: ShardState, batch: StreamRecord[]): Promise<boolean> {
    const records = batch.map((record) => toLambdaRecord(record, streamArn, region)).filter((record) => record !== undefined);
    let firstFailed: number | undefined;
    if (records.length > 0) {
      try {
        const response = await options.handler({ Records: records });
        const failures = response?.batchItemFailures ?? [];
        if (failures.length > 0) {
          // Like Lambda: retry from the lowest failed sequence number; one it does not know fails the whole batch.
          const indexes = failures.map((failure) => batch.findIndex((record) => record.dynamodb?.SequenceNumber === failure.itemIdentifier));
          firstFailed = indexes.includes(-1) ? 0 : Math.min(...indexes);
        }
      } catch (error) {
        log(`[streams] handler failed: ${error instanceof Error ? error.message : String(error)}`);
        firstFailed = 0;
      }
    }

    if (firstFailed !== undefined) {
      const sequenceNumber = batch[firstFailed]?.dynamodb?.SequenceNumber;
      if (sequenceNumber) {
        const attempts = shard.retry?.sequenceNumber === sequenceNumber ? shard.retry.attempts + 1 : 1;
        if (attempts <= retryAttempts) {
          shard.retry = { sequenceNumber, attempts };
          shard.position = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber };
          const handedOver = batch[firstFailed - 1]?.dynamodb?.SequenceNumber;
          if (handedOver) options.checkpoints?.set(streamArn, shard.id, handedOver);
          return false;
        }
        const last = batch.at(-1)?.dynamodb?.SequenceNumber;
        log(
          `[streams] ${shard.id}: records ${sequenceNumber}..${last} still failing after ${retryAttempts} retries; ` +
            'skipped (on AWS: sent to the on-failure destination)',
        );
      }
    }
    shard.retry = undefined;
    const last = batch.at(-1)?.dynamodb?.SequenceNumber;
    if (last) {
      shard.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last };
      options.checkpoints?.set(streamArn, shard.id, last);
    }
    return true;
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

  const abort = new AbortController();
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
