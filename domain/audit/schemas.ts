import * as z from 'zod';
import { Id, PageQuery, pageOf } from '../shared/schemas';

export const AuditEntry = z
  .object({
    id: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    parentId: z.string().optional(),
    action: z.string(),
    actor: z.string(),
    at: z.string(),
    changes: z.record(z.string(), z.object({ from: z.unknown().optional(), to: z.unknown().optional() })),
  })
  .meta({ id: 'AuditEntry' });

export const ListAuditQuery = z.strictObject({
  ...PageQuery,
  entityId: Id.meta({ description: 'The record whose trail to list (customer, contact…)' }),
});

export const AuditPage = pageOf(AuditEntry, 'AuditPage');

export type AuditEntryView = z.infer<typeof AuditEntry>;
