/**
 * Every change leaves two traces, committed in the same transaction as the change itself: an audit entry (who
 * changed what, when) and the domain events others react to (the outbox).
 */
import type { EntityItem } from 'electrodb';
import { auditItem, type AuditInput } from '../audit/service';
import type { SalesDb, TransactionCommit, TransactionEntities } from '../db';
import { eventItem, type DomainEventItem } from '../events/service';
import type { Actor } from './actor';
import type { Deps } from './ports';


export interface ChangeLog {
  audit: EntityItem<SalesDb['entities']['auditEntry']>;
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

export function changeLogCommits(entities: TransactionEntities, log: ChangeLog): TransactionCommit[] {
  return [entities.auditEntry.create(log.audit).commit(), ...log.events.map((event) => entities.domainEvent.create(event).commit())];
}
