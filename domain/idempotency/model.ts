import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME, TTL_ATTRIBUTE } from '../table';

/** A response as stored, to be replayed. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The first response to a POST carrying an `Idempotency-Key`, replayed to every retry with the same key and
 * body. Scoped to tenant + caller + route, so two users (or tenants) can never collide on a key. Expires by
 * TTL after 24 hours.
 */
export const idempotencyRecordSchema = createSchema({
  model: { entity: 'idempotencyRecord', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    scope: { type: 'string', required: true, readOnly: true },
    key: { type: 'string', required: true, readOnly: true },
    requestHash: { type: 'string', required: true, readOnly: true },
    status: { type: ['in_progress', 'completed'] as const, required: true },
    lockedUntil: { type: 'number', required: true },
    response: { type: CustomAttributeType<StoredResponse>('any') },
    expiresAt: { type: 'number', required: true, field: TTL_ATTRIBUTE },
  },
  indexes: {
    byKey: {
      pk: { field: 'pk', composite: ['tenantId', 'scope', 'key'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});
