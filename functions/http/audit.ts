/** The audit trail. */
import { listAudit } from '../../domain/audit/service';
import { ok } from '../shared/http';
import { createHttpHandler } from '../shared/http-handler';

export const handler = createHttpHandler('audit', {
  listAudit: async ({ deps, actor, query }) => ok(await listAudit(deps, actor, query)),
});
