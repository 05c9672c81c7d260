import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Actor, Role } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import { createDeps, createDynamoClient } from '../../functions/shared/runtime';
import { ensureTable } from '../../infra/local/create-table';

/** A fresh table on the shared DynamoDB Local: the isolation unit of a test file. */
export async function createTestTable(): Promise<{ tableName: string; endpoint: string }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID()}`;
  await ensureTable(createDynamoClient({ endpoint }), tableName);
  return { tableName, endpoint };
}

export async function createTestDeps(): Promise<Deps> {
  const { tableName, endpoint } = await createTestTable();
  return createDeps({ tableName, endpoint });
}

let tenantCounter = 0;
/** A tenant id no other test uses. */
export const newTenant = (label = 'tenant') => `${label}-${process.pid}-${++tenantCounter}-${randomUUID().slice(0, 8)}`;

export const actor = (tenantId: string, userId: string, role: Role): Actor => ({ tenantId, userId, roles: [role] });
