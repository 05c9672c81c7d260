/**
 * Domain events, read back as the tenant's change feed. Use cases write them into their own transactions (the
 * outbox, domain/shared/change-log.ts).
 */
import { decodeTime, ulid } from 'ulid';
import { ValidationError } from '../errors';
import { mayReadAuditTrail, type Actor } from '../shared/actor';
import type { DomainEventItem } from '../shared/change-log';
import type { Deps } from '../shared/ports';

export type { DomainEventItem } from '../shared/change-log';
import type { DomainEventView } from './schemas';

/**
 * Events become visible in the feed this long after their id's time. Ids are taken before the transaction
 * commits, so a slow writer may commit an older id after a newer one; holding the newest second back means a
 * reader resuming `since` an id never skips one.
 */
export const FEED_SETTLE_MS = 1_000;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Where to resume: after an event id (the `nextCursor` of the previous call), or from a point in time.
 * Absent: from the oldest event the feed still keeps.
 */
export function feedStart(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  if (ULID.test(since.toUpperCase())) return since.toUpperCase();
  const time = Date.parse(since);
  if (/^\d{4}-\d{2}-\d{2}T/.test(since) && !Number.isNaN(time)) {
    // The smallest id of that millisecond, minus one: every event at or after `since` is newer.
    return ulid(time).slice(0, 10) + '0'.repeat(16);
  }
  throw new ValidationError('`since` must be an event id or an ISO 8601 time', [
    { path: 'query.since', message: 'Must be the nextCursor of an earlier call, an event id, or a time' },
  ]);
}

export async function listEvents(
  deps: Deps,
  actor: Actor,
  input: { since?: string; limit?: number },
): Promise<{ items: DomainEventView[]; nextCursor: string | null }> {
  const after = feedStart(input.since);
  const settledBefore = ulid(deps.clock.now().getTime() - FEED_SETTLE_MS).slice(0, 10) + '0'.repeat(16);
  const limit = input.limit ?? 100;
  const query = deps.db.entities.domainEvent.query.feed({ tenantId: actor.tenantId });
  const ranged = after === undefined ? query.lt({ eventId: settledBefore }) : query.between({ eventId: after }, { eventId: settledBefore });
  const { data } = await ranged.go({ limit: limit + 1, count: limit + 1 });
  const items = data.filter((event) => event.eventId !== after).slice(0, limit);
  const last = items.at(-1)?.eventId ?? after ?? null;
  const fullValues = mayReadAuditTrail(actor);
  return { items: items.map((item) => eventForReader(toEventView(item), fullValues)), nextCursor: last };
}

/**
 * An event as a reader of the change feed gets it — the one projection for every consumer outside the system
 * (the feed, and later webhooks and live push). Field values are the audit trail's: only its readers (admins,
 * managers) get `data` whole. Everyone else gets what changed, not to what: the type, entity, actor and time,
 * the ids in `data`, and `changedFields`, the names of the fields a change touched; they read the record itself
 * where their role lets them. (The event bus inside the system carries whole events.)
 */
export function eventForReader(event: DomainEventView, fullValues: boolean): DomainEventView {
  if (fullValues) return event;
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.data)) {
    if (/Id$/.test(key) && typeof value === 'string') data[key] = value;
    if (key === 'revision' && typeof value === 'number') data[key] = value;
  }
  const changes = event.data.changes;
  if (typeof changes === 'object' && changes !== null) data.changedFields = Object.keys(changes).sort();
  return { ...event, data };
}

export function toEventView(item: DomainEventItem): DomainEventView {
  return {
    id: item.eventId,
    type: item.type,
    entityType: item.entityType,
    entityId: item.entityId,
    actor: item.actor,
    at: item.at,
    occurredAt: new Date(decodeTime(item.eventId)).toISOString(),
    data: item.data ?? {},
  };
}
