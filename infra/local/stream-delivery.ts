/**
 * How Lambda's event source mapping delivers one batch of a DynamoDB stream to a function, configured as the
 * outbox relay's is (infra/constructs/outbox-relay.ts: `bisectBatchOnError`, `reportBatchItemFailures`,
 * `retryAttempts`, an on-failure destination). The local stream poller delivers with it, and the relay's
 * AWS-path test drives the Lambda handler through it, so both paths behave alike:
 *
 * - a batch the function reports partly failed is done up to the first failed record; the rest is retried;
 * - a batch the function fails on (it throws) is split in two, each half delivered on its own, until a single
 *   record fails alone (splitting does not count as a retry);
 * - a single record, or the rest of a partly failed batch, that still fails after `retryAttempts` retries goes
 *   to the on-failure destination, and delivery moves on: one record that can never be read does not hold back
 *   or drop the ones after it.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type BatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface DeliveryPolicy {
  /** Retries of a failing batch after the first attempt (the mapping's retryAttempts). */
  retryAttempts: number;
  /** Split a batch in two when the function fails on it (the mapping's bisectBatchOnError). */
  bisectOnError: boolean;
  /** Pause before a retry (the mapping backs off too); default none. */
  retryDelayMs?: (retry: number) => number;
  /** What still fails after every retry (the mapping's on-failure destination). */
  onFailure(records: readonly DynamoDBRecord[], reason: string): Promise<void>;
  /** Stop retrying: the batch is left undelivered (the poller reads it again on its next start). */
  signal?: AbortSignal;
}

export type DeliveryOutcome = 'delivered' | 'aborted';

/** Delivers `records` in order, as the policy says; 'delivered' also covers records handed to `onFailure`. */
export async function deliverBatch(records: readonly DynamoDBRecord[], handler: BatchHandler, policy: DeliveryPolicy): Promise<DeliveryOutcome> {
  let pending = records;
  let retries = 0;
  while (pending.length > 0) {
    if (policy.signal?.aborted) return 'aborted';
    const attempt = await invoke(pending, handler);
    if (attempt.kind === 'done') return 'delivered';
    if (attempt.kind === 'threw' && policy.bisectOnError && pending.length > 1) {
      const middle = Math.ceil(pending.length / 2);
      for (const half of [pending.slice(0, middle), pending.slice(middle)]) {
        if ((await deliverBatch(half, handler, policy)) === 'aborted') return 'aborted';
      }
      return 'delivered';
    }
    if (attempt.kind === 'partial' && attempt.failedFrom > 0) {
      // The records before the first failure are done: the checkpoint moves past them.
      pending = pending.slice(attempt.failedFrom);
      retries = 0;
      continue;
    }
    if (retries >= policy.retryAttempts) {
      await policy.onFailure(pending, attempt.reason);
      return 'delivered';
    }
    retries += 1;
    const pause = policy.retryDelayMs?.(retries) ?? 0;
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return 'delivered';
}

type Attempt = { kind: 'done' } | { kind: 'partial'; failedFrom: number; reason: string } | { kind: 'threw'; reason: string };

async function invoke(records: readonly DynamoDBRecord[], handler: BatchHandler): Promise<Attempt> {
  try {
    const failures = (await handler({ Records: [...records] }))?.batchItemFailures ?? [];
    if (failures.length === 0) return { kind: 'done' };
    // Like Lambda: from the lowest failed sequence number; an identifier it does not know fails the whole batch.
    const positions = failures.map((failure) => records.findIndex((record) => record.dynamodb?.SequenceNumber === failure.itemIdentifier));
    return { kind: 'partial', failedFrom: positions.includes(-1) ? 0 : Math.min(...positions), reason: 'reported as failed by the function' };
  } catch (error) {
    return { kind: 'threw', reason: error instanceof Error ? error.message : String(error) };
  }
}
