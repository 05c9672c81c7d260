/** Approval requests: reading them, their views, and closing them. Shared by the workflow tasks and decisions. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { ConflictError, GoneError, NotFoundError } from '../errors';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { compact } from '../shared/records';
import { versionedWrite, type WriteSet } from '../shared/versioned-write';
import type { ApprovalRequestStatus } from './model';
import type { ApprovalRequestView } from './schemas';

export type ApprovalRequestItem = EntityItem<SalesDb['entities']['approvalRequest']>;

/** One id per contract revision, level and escalation: a retried workflow task finds the request it made. */
export function approvalRequestId(contractId: string, revision: number, levelIndex: number, escalated: boolean): string {
  return `${contractId}-r${revision}-l${levelIndex + 1}${escalated ? '-e' : ''}`;
}

export async function findRequest(deps: Deps, tenantId: string, requestId: string): Promise<ApprovalRequestItem | null> {
  const { data } = await deps.db.entities.approvalRequest.get({ tenantId, requestId }).go({ consistent: true });
  return data;
}

export async function readRequest(deps: Deps, tenantId: string, requestId: string): Promise<ApprovalRequestItem> {
  const request = await findRequest(deps, tenantId, requestId);
  if (!request) throw new NotFoundError(`Approval request ${requestId} not found`);
  return request;
}

/** A request still waiting for a decision; anything else is a 409 (decided) or 410 (closed without one). */
export function assertOpen(request: ApprovalRequestItem): void {
  switch (request.status) {
    case 'pending':
      return;
    case 'deciding':
      throw new ConflictError('A decision on this request is being recorded right now', { requestStatus: request.status });
    case 'approved':
    case 'rejected':
      throw new ConflictError(`This request was already decided (${request.status} by ${request.decidedBy ?? 'someone'})`, {
        requestStatus: request.status,
        decidedBy: request.decidedBy,
      });
    case 'timed_out':
      throw new GoneError('This approval step timed out; it was escalated or the contract was rejected');
    case 'cancelled':
      throw new GoneError(`This approval step is closed (${request.closedReason ?? 'cancelled'})`);
  }
}

/**
 * Closes a request that is still open (pending, or claimed by a decision the engine then refused). Answers
 * false when it was already closed or decided, which callers treat as done.
 */
export async function closeRequest(
  deps: Deps,
  actor: Actor,
  requestId: string,
  status: Extract<ApprovalRequestStatus, 'timed_out' | 'cancelled'>,
  reason: string,
): Promise<boolean> {
  return versionedWrite(deps, {}, {
    read: () => findRequest(deps, actor.tenantId, requestId),
    build: (request) => {
      if (!request || (request.status !== 'pending' && request.status !== 'deciding')) return { result: false };
      const now = deps.clock.now().toISOString();
      const closed: ApprovalRequestItem = { ...request, status, closedReason: reason, updatedAt: now, version: request.version + 1 };
      const log = logChange(deps, actor, now, {
        entityType: 'approvalRequest',
        entityId: requestId,
        parentId: request.contractId,
        action: 'close',
        changes: { status: { from: request.status, to: status }, closedReason: { to: reason } },
        events: [{ type: 'approval.closed', data: { requestId, contractId: request.contractId, revision: request.revision, status, reason } }],
      });
      return { result: true, write: (tx) => replaceRequest(tx.log(log), closed, request.version) };
    },
  });
}

/** The request replaced, on the condition that it is still at the version it was read at. */
export function replaceRequest(tx: WriteSet, next: ApprovalRequestItem, readVersion: number): void {
  tx.record(
    'approvalRequest',
    tx.entities.approvalRequest
      .put(next)
      .where((attr, op) => op.eq(attr.version, readVersion))
      .commit(),
  );
}

export function toRequestView(item: ApprovalRequestItem): ApprovalRequestView {
  return compact({
    id: item.requestId,
    contractId: item.contractId,
    contractTitle: item.contractTitle,
    revision: item.revision,
    level: item.levelIndex + 1,
    levelName: item.levelName,
    escalated: item.escalated,
    approvers: compact({ role: item.approverRole, users: item.approverUsers }),
    total: item.total,
    dueAt: item.dueAt,
    status: item.status,
    decision: item.decision,
    decidedBy: item.decidedBy,
    decidedAt: item.decidedAt,
    comment: item.comment,
    via: item.via,
    closedReason: item.closedReason,
    createdAt: item.createdAt,
  });
}
