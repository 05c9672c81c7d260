/**
 * The audit function's route table. The audit trail.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { AuditPage, ListAuditQuery } from '../../../domain/audit/schemas';
import { AUDITORS, defineRoutes } from '../../shared/route';

export const auditRoutes = defineRoutes('audit', [
  {
    id: 'listAudit',
    method: 'GET',
    path: '/audit',
    access: AUDITORS,
    tag: 'Audit',
    summary: 'The audit trail of one record: who changed what, when (oldest first)',
    request: { query: ListAuditQuery },
    response: { status: 200, schema: AuditPage, description: 'One page of audit entries' },
  },
]);
