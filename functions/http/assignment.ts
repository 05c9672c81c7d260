/** Rep profiles (and, with them, who gets which record). */
import { getRep, listReps, putRep } from '../../domain/reps/service';
import { ok } from '../shared/http';
import { createHttpHandler } from '../shared/http-handler';

export const handler = createHttpHandler('assignment', {
  listReps: async ({ deps, actor, query }) => ok(await listReps(deps, actor, query)),
  getRep: async ({ deps, actor, params }) => {
    const rep = await getRep(deps, actor, params.userId);
    return ok(rep, rep.version);
  },
  putRep: async ({ deps, actor, params, body, ifMatch }) => {
    const rep = await putRep(deps, actor, params.userId, body, { ifMatch });
    return ok(rep, rep.version);
  },
});
