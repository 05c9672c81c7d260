/**
 * The events function's route table. The tenant's change feed (the outbox, read in order).
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { EventFeed, ListEventsQuery } from '../../../domain/events/schemas';
import { ALL, defineRoutes } from '../../shared/route';

export const eventRoutes = defineRoutes('events', [
  {
    id: 'listEvents',
    method: 'GET',
    path: '/events',
    access: ALL,
    tag: 'Events',
    summary: "The tenant's change feed in order: follow it with `since` = the previous `nextCursor`",
    request: { query: ListEventsQuery },
    response: { status: 200, schema: EventFeed, description: 'Events after `since`, oldest first' },
  },
]);
