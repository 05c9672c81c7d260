/** The tenant's change feed (the outbox, read in order). */
import { listEvents } from '../../../domain/events';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { eventRoutes } from './routes';

export const handler = createHttpHandler(eventRoutes, {
  listEvents: async ({ deps, actor, query }) => ok(await listEvents(deps, actor, query)),
});
