import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME, TTL_ATTRIBUTE } from '../table';

/**
 * The outbox: one item per domain event, written in the same transaction as the change it describes, so no
 * change happens unpublished and nothing is published that did not happen. The table's stream carries each
 * new item to the EventBridge bus (functions/streams/publish-events.ts); `GET /events` reads the tenant's
 * feed in order. `eventId` is a ULID: the feed's order is the order of the ids.
 */
export const domainEventSchema = createSchema({
  model: { entity: 'domainEvent', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    eventId: { type: 'string', required: true, readOnly: true },
    type: { type: 'string', required: true, readOnly: true },
    entityType: { type: 'string', required: true, readOnly: true },
    entityId: { type: 'string', required: true, readOnly: true },
    actor: { type: 'string', required: true, readOnly: true },
    at: { type: 'string', required: true, readOnly: true },
    data: { type: CustomAttributeType<Record<string, unknown>>('any') },
    expiresAt: { type: 'number', required: true, field: TTL_ATTRIBUTE },
  },
  indexes: {
    feed: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: ['eventId'] },
    },
  },
});
