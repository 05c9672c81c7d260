/** The audit trail, read back: every change's entry, written by the change itself (domain/shared/change-log.ts). */
import type { Actor } from '../shared/actor';
import type { AuditEntryItem } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import type { AuditEntryView } from './schemas';


export async function listAudit(
  deps: Deps,
  actor: Actor,
  input: PageRequest & { entityId: string },
): Promise<Page<AuditEntryView>> {
  const scope = `${actor.tenantId}|audit|${input.entityId}`;
  const page = await readPage(deps, scope, input, deps.db.entities.auditEntry.query.byEntity({ tenantId: actor.tenantId, entityId: input.entityId }));
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
    changes: item.changes ?? {},
  };
}
