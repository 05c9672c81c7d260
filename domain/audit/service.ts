import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Actor } from '../shared/actor';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import type { AuditEntryView } from './schemas';

type AuditEntryItem = EntityItem<SalesDb['entities']['auditEntry']>;

export interface AuditInput {
  entityType: string;
  entityId: string;
  parentId?: string;
  action: string;
  changes: Record<string, { from?: unknown; to?: unknown }>;
}

/** The audit item for a change; callers put it in the same transaction as the change itself. */
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

export async function listAudit(
  deps: Deps,
  actor: Actor,
  input: PageRequest & { entityId: string },
): Promise<Page<AuditEntryView>> {
  const scope = `${actor.tenantId}|audit|${input.entityId}`;
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    deps.db.entities.auditEntry.query
      .byEntity({ tenantId: actor.tenantId, entityId: input.entityId })
      .go({ cursor, count: limit, limit }),
  );
  return { ...page, items: page.items.map(toAuditView) };
}

function toAuditView(item: AuditEntryItem): AuditEntryView {
  return {
    id: item.auditId,
    entityType: item.entityType,
    entityId: item.entityId,
    ...(item.parentId !== undefined && { parentId: item.parentId }),
    action: item.action,
    actor: item.actor,
    at: item.at,
    changes: (item.changes ?? {}) as AuditEntryView['changes'],
  };
}
