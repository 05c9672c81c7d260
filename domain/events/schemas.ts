import * as z from 'zod';

export const DomainEvent = z
  .object({
    id: z.string().meta({ description: 'Event id (ULID); events are ordered by it' }),
    type: z.string().meta({ example: 'opportunity.stage_changed' }),
    entityType: z.string(),
    entityId: z.string(),
    actor: z.string(),
    at: z.string(),
    occurredAt: z.string(),
    data: z.record(z.string(), z.unknown()).meta({
      description:
        "What happened. Whole (field values before and after) only for the roles that may read the audit trail (admins, managers); for every other role only the ids it names and `changedFields` (the names of the fields a change touched): read the record itself for its values",
    }),
  })
  .meta({ id: 'DomainEvent' });

export const ListEventsQuery = z.strictObject({
  since: z.string().min(1).max(64).optional().meta({
    description: 'Resume after this event id (the previous `nextCursor`), or from this ISO 8601 time',
  }),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const EventFeed = z
  .object({
    items: z.array(DomainEvent),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `since` to continue; null only when the feed is empty' }),
  })
  .meta({ id: 'EventFeed' });

export type DomainEventView = z.infer<typeof DomainEvent>;
