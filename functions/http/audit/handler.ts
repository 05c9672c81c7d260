/** The audit trail. */
import { listAudit } from '../../../domain/audit';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { auditRoutes } from './routes';

export const handler = createHttpHandler(auditRoutes, {
  listAudit: async ({ deps, actor, query }) => ok(await listAudit(deps, actor, query)),
});
