/** After-sales: the SLA policy, service tickets and their comments. */
import { getSlaPolicy, putSlaPolicy } from '../../../domain/care';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { careRoutes } from './routes';

export const handler = createHttpHandler(careRoutes, {
  getSlaPolicy: async ({ deps, actor }) => {
    const policy = await getSlaPolicy(deps, actor);
    return ok(policy, policy.version);
  },
  putSlaPolicy: async ({ deps, actor, body, ifMatch }) => {
    const policy = await putSlaPolicy(deps, actor, body, { ifMatch });
    return ok(policy, policy.version);
  },
});
