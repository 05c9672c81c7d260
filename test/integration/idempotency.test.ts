import { beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError } from '../../domain/errors';
import {
  IDEMPOTENCY_LOCK_MS,
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '../../domain/idempotency';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, newTenant } from '../support/dynamo';

let deps: Deps;
let now = Date.parse('2026-06-01T10:00:00Z');
beforeAll(async () => {
  deps = { ...(await createTestDeps()), clock: { now: () => new Date(now) } };
});

const ref = () => ({ tenantId: newTenant(), scope: 'bob', key: 'key-1' });

describe('idempotency keys', () => {
  it('the first claim runs; a retry while it runs waits; after completion every retry replays', async () => {
    const key = ref();
    expect(await claimIdempotencyKey(deps, key, 'hash-a')).toEqual({ outcome: 'run' });
    expect(await claimIdempotencyKey(deps, key, 'hash-a')).toEqual({ outcome: 'in_progress' });
    const response = { status: 201, headers: { location: '/customers/1' }, body: '{"id":"1"}' };
    await completeIdempotencyKey(deps, key, response);
    expect(await claimIdempotencyKey(deps, key, 'hash-a')).toEqual({ outcome: 'replay', response });
  });

  it('concurrent claims: exactly one runs', async () => {
    const key = ref();
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimIdempotencyKey(deps, key, 'hash')));
    expect(claims.filter((claim) => claim.outcome === 'run')).toHaveLength(1);
  });

  it('the same key with another request is refused', async () => {
    const key = ref();
    await claimIdempotencyKey(deps, key, 'hash-a');
    await expect(claimIdempotencyKey(deps, key, 'hash-b')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('a released key (the first attempt faulted) runs again', async () => {
    const key = ref();
    await claimIdempotencyKey(deps, key, 'hash');
    await releaseIdempotencyKey(deps, key);
    expect(await claimIdempotencyKey(deps, key, 'hash')).toEqual({ outcome: 'run' });
  });

  it('a claim whose holder died is taken over once its lock lapses, by one retry only', async () => {
    const key = ref();
    await claimIdempotencyKey(deps, key, 'hash');
    now += IDEMPOTENCY_LOCK_MS + 1;
    const retries = await Promise.all(Array.from({ length: 4 }, () => claimIdempotencyKey(deps, key, 'hash')));
    expect(retries.filter((claim) => claim.outcome === 'run')).toHaveLength(1);
  });

  it('keys are scoped to their tenant and caller', async () => {
    const key = ref();
    await claimIdempotencyKey(deps, key, 'hash-a');
    expect(await claimIdempotencyKey(deps, { ...key, scope: 'carol' }, 'hash-b')).toEqual({ outcome: 'run' });
    expect(await claimIdempotencyKey(deps, { ...key, tenantId: newTenant() }, 'hash-b')).toEqual({ outcome: 'run' });
  });
});
