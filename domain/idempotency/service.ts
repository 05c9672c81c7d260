/**
 * Idempotency keys: the first request with a key runs, every retry with the same key and the same request
 * gets the first response back, concurrent retries included; the same key with another request is a 422.
 */
import { IdempotencyKeyReusedError } from '../errors';
import { isConditionFailure } from '../shared/store-errors';
import type { Deps } from '../shared/ports';

/** How long a stored response is replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long a claim protects a request that is running; after that a crashed attempt may be taken over. */
export const IDEMPOTENCY_LOCK_MS = 30_000;

import type { StoredResponse } from './model';

export type { StoredResponse } from './model';

export interface IdempotencyKeyRef {
  tenantId: string;
  /** Who and what the key belongs to: keys of different callers never meet. */
  scope: string;
  key: string;
}

export type Claim =
  | { outcome: 'run' }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_progress' };

export async function claimIdempotencyKey(deps: Deps, ref: IdempotencyKeyRef, requestHash: string): Promise<Claim> {
  const entity = deps.db.entities.idempotencyRecord;
  const now = deps.clock.now().getTime();
  try {
    await entity
      .create({
        ...ref,
        requestHash,
        status: 'in_progress',
        lockedUntil: now + IDEMPOTENCY_LOCK_MS,
        expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
      })
      .go({ response: 'none' });
    return { outcome: 'run' };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }

  const { data: existing } = await entity.get(ref).go({ consistent: true });
  if (!existing) return claimIdempotencyKey(deps, ref, requestHash); // expired between our two calls
  if (existing.requestHash !== requestHash) {
    throw new IdempotencyKeyReusedError('This Idempotency-Key was already used with a different request');
  }
  if (existing.status === 'completed') return { outcome: 'replay', response: existing.response as StoredResponse };
  if (existing.lockedUntil > now) return { outcome: 'in_progress' };
  // The first attempt died without answering: take the key over, unless another retry just did.
  try {
    await entity
      .patch(ref)
      .set({ lockedUntil: now + IDEMPOTENCY_LOCK_MS })
      .where((attr, op) => `${op.eq(attr.status, 'in_progress')} AND ${op.eq(attr.lockedUntil, existing.lockedUntil)}`)
      .go({ response: 'none' });
    return { outcome: 'run' };
  } catch (error) {
    if (isConditionFailure(error)) return { outcome: 'in_progress' };
    throw error;
  }
}

export async function completeIdempotencyKey(deps: Deps, ref: IdempotencyKeyRef, response: StoredResponse): Promise<void> {
  await deps.db.entities.idempotencyRecord
    .patch(ref)
    .set({ status: 'completed', response })
    .where((attr, op) => op.eq(attr.status, 'in_progress'))
    .go({ response: 'none' });
}

/** After a fault (5xx) the key is freed, so a retry runs the request again. */
export async function releaseIdempotencyKey(deps: Deps, ref: IdempotencyKeyRef): Promise<void> {
  await deps.db.entities.idempotencyRecord
    .delete(ref)
    .where((attr, op) => op.eq(attr.status, 'in_progress'))
    .go({ response: 'none' });
}
