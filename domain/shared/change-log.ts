/**
 * Every change leaves two traces, committed in the same transaction as the change itself: an audit entry (who
 * changed what, when) and the domain events others react to (the outbox). Built here, in the kernel, as plain
 * items of the table: the audit and events contexts only read them back.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Actor } from './actor';
import type { Deps } from './ports';
import type { FieldChange } from './records';

export type AuditEntryItem = EntityItem<SalesDb['entities']['auditEntry']>;
export type DomainEventItem = EntityItem<SalesDb['entities']['domainEvent']>;

/** How long the feed keeps events (the stream and the bus deliver them within seconds). */
export const EVENT_RETENTION_DAYS = 30;

export interface AuditInput {
  entityType: string;
  entityId: string;
  parentId?: string;
  action: string;
  changes: Record<string, FieldChange>;
}

export interface NewEvent {
  type: string;
  entityType: string;
  entityId: string;
  data?: Record<string, unknown>;
}

export interface ChangeLog {
  audit: AuditEntryItem;
  events: DomainEventItem[];
}

export function logChange(
  deps: Deps,
  actor: Actor,
  at: string,
  change: AuditInput & { events: ReadonlyArray<{ type: string; data?: Record<string, unknown> }> },
): ChangeLog {
  const { events, ...audit } = change;
  return {
    audit: auditItem(deps, actor, at, audit),
    events: events.map((event) =>
      eventItem(deps, actor, at, { type: event.type, entityType: change.entityType, entityId: change.entityId, data: event.data }),
    ),
  };
}

export function auditItem(deps: Deps, actor: Actor, at: string, input: AuditInput): AuditEntryItem {
  return {
    tenantId: actor.tenantId,
    auditId: deps.ids.next(),
    entityType: input.entityType,
    entityId: input.entityId,
    parentId: input.parentId,
    action: input.action,
    actor: actor.userId,
    at,
    changes: input.changes,
  };
}

export function eventItem(deps: Deps, actor: Actor, at: string, event: NewEvent): DomainEventItem {
  return {
    tenantId: actor.tenantId,
    eventId: deps.ids.next(),
    type: event.type,
    entityType: event.entityType,
    entityId: event.entityId,
    actor: actor.userId,
    at,
    data: event.data ?? {},
    expiresAt: Math.floor(Date.parse(at) / 1000) + EVENT_RETENTION_DAYS * 86_400,
  };
}
