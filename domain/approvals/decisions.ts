/**
 * Use cases of approval decisions: the requests waiting for the caller, deciding one (by API or, through
 * link-decisions.ts, a signed link), and a contract's approval trail.
 *
 * A decision is recorded in three steps so that exactly one wins and the workflow never disagrees with the
 * record: claim the request (`pending` → `deciding`, conditional on its version — a concurrent second decision
 * loses here), hand the decision to the engine, then confirm (`approved`/`rejected`, with audit and event). If
 * the engine says the step no longer waits (it timed out a moment earlier), the claim becomes `timed_out` and
 * the caller gets 410; on any other engine failure the claim is released and the caller may retry.
 */
import { APPROVAL_REJECTED, TaskClosedError, readContract, type ApprovalEngine } from '../contracts';
import { ForbiddenError, GoneError, ServiceUnavailableError } from '../errors';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { isApprover, isInvolvedInContract } from './policy';
import { assertOpen, findRequest, readRequest, replaceRequest, toRequestView, type ApprovalRequestItem } from './requests';
import type { ApprovalRequestView, ContractApprovalTrailView, DecisionInput, ListApprovalsInput } from './schemas';

/**
 * `pending`: what the caller may decide (never their own contracts, nor a level after one they approved).
 * Other statuses: what the caller decided.
 * With `contract`, the same, of that contract's requests only (its index, oldest first); without, by due time.
 */
export async function listApprovals(deps: Deps, actor: Actor, input: ListApprovalsInput): Promise<Page<ApprovalRequestView>> {
  const status = input.status ?? 'pending';
  const { tenantId, userId } = actor;
  const requests = deps.db.entities.approvalRequest.query;
  const scope = [tenantId, 'approvals', status, userId, input.contract].join('|');
  const query = (
    input.contract === undefined ? requests.byStatus({ tenantId, status }) : requests.byContract({ tenantId, contractId: input.contract })
  ).where((attr, op) =>
    [
      input.contract === undefined ? '' : op.eq(attr.status, status),
      ...(status === 'pending'
        ? [
            `(${op.notExists(attr.approverRole)} OR ${actor.roles.map((role) => op.eq(attr.approverRole, role)).join(' OR ')})`,
            `(${op.notExists(attr.approverUsers)} OR ${op.contains(attr.approverUsers, userId)})`,
            op.ne(attr.submittedBy, userId),
            op.ne(attr.contractOwner, userId),
            `(${op.notExists(attr.priorDeciders)} OR NOT ${op.contains(attr.priorDeciders, userId)})`,
          ]
        : [op.eq(attr.decidedBy, userId)]),
    ]
      .filter(Boolean)
      .join(' AND '),
  );
  // Always filtered: by who may decide (pending) or who decided.
  const page = await readPage(deps, scope, input, query, { filtered: true });
  return { ...page, items: page.items.map(toRequestView) };
}

export async function decideApproval(
  deps: Deps,
  engine: ApprovalEngine,
  actor: Actor,
  requestId: string,
  input: DecisionInput,
  via: 'api' | 'link' = 'api',
): Promise<ApprovalRequestView> {
  const claimed = await claim(deps, actor, requestId, input, via);
  try {
    if (input.decision === 'approve') {
      await engine.succeed(claimed.taskToken, { requestId, decidedBy: actor.userId });
    } else {
      await engine.fail(claimed.taskToken, APPROVAL_REJECTED, JSON.stringify({ requestId, decidedBy: actor.userId, comment: input.comment }));
    }
  } catch (error) {
    if (error instanceof TaskClosedError) {
      await settleClaim(deps, actor, claimed, 'timed_out');
      throw new GoneError('This approval step timed out just before your decision; it was escalated or the contract was rejected', { cause: error });
    }
    await settleClaim(deps, actor, claimed, 'pending');
    throw new ServiceUnavailableError('The approval workflow did not take the decision; try again', { cause: error });
  }
  return toRequestView(await confirm(deps, actor, claimed));
}

/**
 * The claim: `pending` → `deciding`, at the version read. Of concurrent decisions exactly one claims the
 * request; the others re-read it and are told who decided (409) or that it closed (410).
 */
async function claim(deps: Deps, actor: Actor, requestId: string, input: DecisionInput, via: 'api' | 'link'): Promise<ApprovalRequestItem> {
  return versionedWrite(deps, {}, {
    read: () => readRequest(deps, actor.tenantId, requestId),
    build: (request) => {
      assertOpen(request);
      assertMayDecide(actor, request);
      const claimed: ApprovalRequestItem = compact({
        ...request,
        status: 'deciding',
        decision: input.decision,
        decidedBy: actor.userId,
        comment: input.comment,
        via,
        updatedAt: deps.clock.now().toISOString(),
        version: request.version + 1,
      });
      return { result: claimed, write: (tx) => replaceRequest(tx.unlogged('a claim; the decision is audited when it is confirmed'), claimed, request.version) };
    },
  });
}

/**
 * The engine refused the decision: the step timed out a moment earlier (the claim closes as `timed_out`), or
 * failed (the claim is released: the request is pending again and the caller may retry).
 */
async function settleClaim(deps: Deps, actor: Actor, claimed: ApprovalRequestItem, outcome: 'timed_out' | 'pending'): Promise<void> {
  await versionedWrite(deps, {}, {
    read: () => findRequest(deps, claimed.tenantId, claimed.requestId),
    build: (request) => {
      if (!request || request.status !== 'deciding' || request.version !== claimed.version) return { result: undefined };
      const now = deps.clock.now().toISOString();
      const undecided = { decision: undefined, decidedBy: undefined, comment: undefined, via: undefined };
      if (outcome === 'pending') {
        const released = compact({ ...request, ...undecided, status: 'pending', updatedAt: now, version: request.version + 1 }) as ApprovalRequestItem;
        return { result: undefined, write: (tx) => replaceRequest(tx.unlogged('a released claim: the request is as it was'), released, request.version) };
      }
      const closed = compact({ ...request, ...undecided, status: 'timed_out', closedReason: 'timed_out_before_decision', updatedAt: now, version: request.version + 1 }) as ApprovalRequestItem;
      // The engine closed the step (its timeout), not the approver whose decision came too late.
      const log = logChange(deps, { tenantId: actor.tenantId, userId: 'system:approval-workflow', roles: [] }, now, {
        entityType: 'approvalRequest',
        entityId: request.requestId,
        parentId: request.contractId,
        action: 'close',
        changes: { status: { from: 'pending', to: 'timed_out' }, closedReason: { to: 'timed_out_before_decision' } },
        events: [
          {
            type: 'approval.closed',
            data: { requestId: request.requestId, contractId: request.contractId, revision: request.revision, status: 'timed_out', reason: 'timed_out_before_decision' },
          },
        ],
      });
      return { result: undefined, write: (tx) => replaceRequest(tx.log(log), closed, request.version) };
    },
  });
}

/** The engine took the decision: the claim becomes `approved` or `rejected`, with its audit entry and event. */
async function confirm(deps: Deps, actor: Actor, claimed: ApprovalRequestItem): Promise<ApprovalRequestItem> {
  return versionedWrite(deps, {}, {
    read: () => readRequest(deps, claimed.tenantId, claimed.requestId),
    build: (request) => {
      // Closed meanwhile by the workflow (a failure elsewhere cancelled the approval): nothing left to confirm.
      if (request.status !== 'deciding' || request.version !== claimed.version) return { result: request };
      const now = deps.clock.now().toISOString();
      const status = request.decision === 'approve' ? 'approved' : 'rejected';
      const decided: ApprovalRequestItem = { ...request, status, decidedAt: now, updatedAt: now, version: request.version + 1 };
      const summary = {
        requestId: request.requestId,
        contractId: request.contractId,
        revision: request.revision,
        level: request.levelIndex + 1,
        decision: request.decision,
        decidedBy: actor.userId,
        comment: request.comment,
        via: request.via,
      };
      const log = logChange(deps, actor, now, {
        entityType: 'approvalRequest',
        entityId: request.requestId,
        parentId: request.contractId,
        action: status === 'approved' ? 'approve' : 'reject',
        changes: {
          status: { from: 'pending', to: status },
          via: { to: request.via },
          ...(request.comment !== undefined && { comment: { to: request.comment } }),
        },
        events: [{ type: 'approval.decided', data: summary }],
      });
      return { result: decided, write: (tx) => replaceRequest(tx.log(log), decided, request.version) };
    },
  });
}

/** Every approval request of the contract, all revisions, with the current revision's planned chain. */
export async function contractApprovalTrail(deps: Deps, actor: Actor, contractId: string): Promise<ContractApprovalTrailView> {
  const contract = await readContract(deps, actor, contractId);
  const { data } = await deps.db.entities.approvalRequest.query.byContract({ tenantId: actor.tenantId, contractId }).go({ pages: 'all' });
  const chain = contract.approvalChain ?? [];
  return {
    contractId,
    status: contract.status,
    revision: contract.revision ?? 1,
    chain: chain.map(({ index, ...level }) => ({ level: index + 1, ...level })),
    requests: data.map(toRequestView),
  };
}

export function assertMayDecide(actor: Actor, request: ApprovalRequestItem): void {
  const approvers = { role: request.approverRole, users: request.approverUsers };
  if (!isApprover(approvers, actor)) throw new ForbiddenError(`Only ${whoDecides(approvers)} may decide this step`);
  if (isInvolvedInContract(actor, { submittedBy: request.submittedBy, owner: request.contractOwner })) {
    throw new ForbiddenError('Separation of duties: whoever submitted or owns a contract does not approve it');
  }
  if (request.priorDeciders?.includes(actor.userId)) {
    throw new ForbiddenError('Separation of duties: whoever approved an earlier level of this revision does not decide another');
  }
}

/** "alice or mike (as manager)", "a manager", "finance": who may decide a step, for its 403. */
function whoDecides(approvers: { role?: string; users?: string[] }): string {
  const users = approvers.users ?? [];
  const named = users.length > 1 ? `${users.slice(0, -1).join(', ')} or ${users.at(-1)}` : users[0];
  const role = approvers.role === undefined ? undefined : approvers.role === 'finance' ? 'finance' : `a${/^[aeiou]/.test(approvers.role) ? 'n' : ''} ${approvers.role}`;
  if (named && approvers.role) return `${named} (as ${approvers.role})`;
  return named ?? role ?? 'nobody';
}
