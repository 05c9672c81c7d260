import { randomBytes, randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { inject } from 'vitest';
import { TENANT_ID_RULE, isTenantId } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import { createDeps, createDynamoClient } from '../../functions/shared/runtime';
import { ensureTable } from '../../infra/local/create-table';
import { actor } from './actors';

/** A fresh table on the shared DynamoDB Local: the isolation unit of a test file. */
export async function createTestTable(): Promise<{ tableName: string; endpoint: string }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID()}`;
  await ensureTable(createDynamoClient({ endpoint }), tableName);
  return { tableName, endpoint };
}

/** Signs the cursors of use cases called directly (the local API's handlers use CURSOR_SECRET, as on AWS). */
const testCursorKey = randomBytes(32);

export async function createTestDeps(): Promise<Deps> {
  const { tableName, endpoint } = await createTestTable();
  return createDeps({ tableName, endpoint, cursorKey: async () => testCursorKey });
}

let tenantCounter = 0;
/** A tenant id no other test uses, of the pattern every tenant id has (domain/shared/actor.ts). */
export function newTenant(label = 'tenant'): string {
  const tenant = `${label}-${process.pid}-${++tenantCounter}-${randomUUID().slice(0, 8)}`;
  if (!isTenantId(tenant)) throw new Error(`"${tenant}" is not a tenant id (${TENANT_ID_RULE}): choose another label`);
  return tenant;
}

export { actor };

/** Deps on a controlled clock; ids (ULIDs) follow the same clock, as they do with the real one. */
export function withClock(deps: Deps, now: () => number): Deps {
  const next = monotonicFactory();
  return { ...deps, clock: { now: () => new Date(now()) }, ids: { next: () => next(now()) } };
}

/** The cast of a tenant: reps Bob and Carol, manager Alice, admin Dana, finance Fiona, service Sam. */
export function people(tenant = newTenant()) {
  return {
    tenant,
    bob: actor(tenant, 'bob', 'rep'),
    carol: actor(tenant, 'carol', 'rep'),
    alice: actor(tenant, 'alice', 'manager'),
    dana: actor(tenant, 'dana', 'admin'),
    fiona: actor(tenant, 'fiona', 'finance'),
    sam: actor(tenant, 'sam', 'service'),
  };
}

/** The error a call fails with; fails the test if it succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
