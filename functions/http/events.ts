/** The tenant's change feed (the outbox, read in order). */
import { listEvents } from '../../domain/events/service';
import { ok } from '../shared/http';
import { createHttpHandler } from '../shared/http-handler';

export const handler = createHttpHandler('events', {
  listEvents: async ({ deps, actor, query }) => ok(await listEvents(deps, actor, query)),
});
