import { CustomAttributeType, createSchema } from 'electrodb';
import type { FieldChange } from '../shared/records';
import { SERVICE_NAME } from '../table';

/**
 * One audit entry per change, written in the same transaction as the change itself. Keyed by the changed
 * record so its trail is one query; `auditId` is a ULID, so the sort order is the order of the changes.
 */
export const auditEntrySchema = createSchema({
  model: { entity: 'auditEntry', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    entityId: { type: 'string', required: true, readOnly: true },
    auditId: { type: 'string', required: true, readOnly: true },
    entityType: { type: 'string', required: true },
    action: { type: 'string', required: true },
    actor: { type: 'string', required: true },
    at: { type: 'string', required: true },
    changes: { type: CustomAttributeType<Record<string, FieldChange>>('any') },
    parentId: { type: 'string' },
  },
  indexes: {
    byEntity: {
      pk: { field: 'pk', composite: ['tenantId', 'entityId'] },
      sk: { field: 'sk', composite: ['auditId'] },
    },
  },
});
