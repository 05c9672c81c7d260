/**
 * Use cases of approvals people call: the tenant's policy, the requests waiting for the caller, decisions (by
 * API or signed link), and a contract's approval trail.
 *
 * A decision is recorded in three steps so that exactly one wins and the workflow never disagrees with the
 * record: claim the request (`pending` → `deciding`, conditional on its version — a concurrent second decision
 * loses here), hand the decision to the engine, then confirm (`approved`/`rejected`, with audit and event). If
 * the engine says the step no longer waits (it timed out a moment earlier), the claim becomes `timed_out` and
 * the caller gets 410; on any other engine failure the claim is released and the caller may retry.
 */
import type { EntityItem } from 'electrodb';
import { readContract } from '../contracts/service';
import type { SalesDb } from '../db';
import { ConflictError, ForbiddenError, GoneError, PreconditionFailedError, ServiceUnavailableError, ValidationError } from '../errors';
import { getSettings } from '../settings/service';
import type { Actor } from '../shared/actor';
import { changeLogCommits, logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { assertVersion, compact } from '../shared/writes';
import { APPROVAL_REJECTED, TaskClosedError, type ApprovalEngine } from './engine';
import { signLink, verifyLink, type LinkPayload } from './links';
import { defaultPolicy, describeApprovers, isApprover, isInvolvedInContract, type ApprovalPolicyRules, type ChainLevel } from './policy';
import { assertOpen, readRequest, toRequestView, type ApprovalRequestItem } from './requests';
import type {
  ApprovalLinkViewType,
  ApprovalPolicyView,
  ApprovalRequestView,
  ContractApprovalTrailView,
  DecisionInput,
  ListApprovalsInput,
  PutApprovalPolicyInput,
} from './schemas';

type PolicyItem = EntityItem<SalesDb['entities']['approvalPolicy']>;

// ---- policy ----------------------------------------------------------------------------------------

/** The policy in force: the tenant's, or the default in its base currency. */
export async function readPolicy(deps: Deps, actor: Actor): Promise<ApprovalPolicyRules> {
  const view = await getApprovalPolicy(deps, actor);
  return { levels: view.levels, directors: view.directors };
}

export async function getApprovalPolicy(deps: Deps, actor: Actor, options: { consistent?: boolean } = {}): Promise<ApprovalPolicyView> {
  const { data } = await deps.db.entities.approvalPolicy.get({ tenantId: actor.tenantId }).go(options);
  if (data) return toPolicyView(data);
  const settings = await getSettings(deps, actor);
  return { ...defaultPolicy(settings.baseCurrency), version: 0 };
}

function toPolicyView(item: PolicyItem): ApprovalPolicyView {
  return {
    levels: item.levels as ApprovalPolicyView['levels'],
    directors: item.directors,
    version: item.version,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
  };
}

/** Replaces the policy (admins). Contracts already submitted keep the chain planned when they were submitted. */
export async function putApprovalPolicy(
  deps: Deps,
  actor: Actor,
  input: PutApprovalPolicyInput,
  options: { ifMatch?: number },
): Promise<ApprovalPolicyView> {
  const current = await getApprovalPolicy(deps, actor, { consistent: true });
  assertVersion(current.version, options.ifMatch);
  const now = deps.clock.now().toISOString();
  const next: PolicyItem = {
    tenantId: actor.tenantId,
    levels: input.levels,
    directors: input.directors ?? [],
    updatedAt: now,
    updatedBy: actor.userId,
    version: current.version + 1,
  };
  const changes = diffFields({ levels: current.levels, directors: current.directors }, { levels: next.levels, directors: next.directors });
  const log = logChange(deps, actor, now, {
    entityType: 'approvalPolicy',
    entityId: actor.tenantId,
    action: 'update',
    changes,
    events: [{ type: 'approval_policy.updated', data: { levels: input.levels.length } }],
  });
  const outcome = await deps.db.transaction
    .write((entities) => [
      current.version === 0
        ? entities.approvalPolicy.create(next).commit()
        : entities.approvalPolicy
            .put(next)
            .where((attr, op) => op.eq(attr.version, current.version))
            .commit(),
      ...changeLogCommits(entities, log),
    ])
    .go();
  if (outcome.canceled) throw new PreconditionFailedError('The approval policy was changed by someone else; read it again');
  return toPolicyView(next);
}

// ---- requests --------------------------------------------------------------------------------------

/** `pending`: what the caller may decide (never their own contracts). Other statuses: what the caller decided. */
export async function listApprovals(deps: Deps, actor: Actor, input: ListApprovalsInput): Promise<Page<ApprovalRequestView>> {
  const status = input.status ?? 'pending';
  const { tenantId, userId } = actor;
  const scope = [tenantId, 'approvals', status, userId].join('|');
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    deps.db.entities.approvalRequest.query
      .byStatus({ tenantId, status })
      .where((attr, op) =>
        status === 'pending'
          ? [
              `(${op.notExists(attr.approverRole)} OR ${actor.roles.map((role) => op.eq(attr.approverRole, role)).join(' OR ')})`,
              `(${op.notExists(attr.approverUsers)} OR ${op.contains(attr.approverUsers, userId)})`,
              op.ne(attr.submittedBy, userId),
              op.ne(attr.contractOwner, userId),
            ].join(' AND ')
          : op.eq(attr.decidedBy, userId),
      )
      .go({ cursor, count: limit, limit: Math.max(limit, 50) }),
  );
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
  const request = await readRequest(deps, actor.tenantId, requestId);
  assertOpen(request);
  assertMayDecide(actor, request);
  const claimed = await claim(deps, actor, request, input, via);
  try {
    if (input.decision === 'approve') {
      await engine.succeed(request.taskToken, { requestId, decidedBy: actor.userId });
    } else {
      await engine.fail(request.taskToken, APPROVAL_REJECTED, JSON.stringify({ requestId, decidedBy: actor.userId, comment: input.comment }));
    }
  } catch (error) {
    if (error instanceof TaskClosedError) {
      await settleClaim(deps, claimed, { status: 'timed_out', closedReason: 'timed_out_before_decision', decision: undefined, decidedBy: undefined, comment: undefined, via: undefined });
      throw new GoneError('This approval step timed out just before your decision; it was escalated or the contract was rejected');
    }
    await settleClaim(deps, claimed, { status: 'pending', decision: undefined, decidedBy: undefined, comment: undefined, via: undefined });
    throw new ServiceUnavailableError('The approval workflow did not take the decision; try again', { cause: error });
  }
  return toRequestView(await confirm(deps, actor, claimed));
}

async function claim(deps: Deps, actor: Actor, request: ApprovalRequestItem, input: DecisionInput, via: 'api' | 'link'): Promise<ApprovalRequestItem> {
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
  const outcome = await deps.db.transaction
    .write(({ approvalRequest }) => [
      approvalRequest
        .put(claimed)
        .where((attr, op) => `${op.eq(attr.version, request.version)} AND ${op.eq(attr.status, 'pending')}`)
        .commit(),
    ])
    .go();
  if (outcome.canceled) {
    // Someone else decided (or the step closed) in between: say which.
    assertOpen(await readRequest(deps, request.tenantId, request.requestId));
    throw new ConflictError('The request changed while deciding; read it again');
  }
  return claimed;
}

async function settleClaim(deps: Deps, claimed: ApprovalRequestItem, fields: Partial<ApprovalRequestItem>): Promise<void> {
  const settled = compact({ ...claimed, ...fields, updatedAt: deps.clock.now().toISOString(), version: claimed.version + 1 }) as ApprovalRequestItem;
  await deps.db.transaction
    .write(({ approvalRequest }) => [
      approvalRequest
        .put(settled)
        .where((attr, op) => `${op.eq(attr.version, claimed.version)} AND ${op.eq(attr.status, 'deciding')}`)
        .commit(),
    ])
    .go();
}

async function confirm(deps: Deps, actor: Actor, claimed: ApprovalRequestItem): Promise<ApprovalRequestItem> {
  const now = deps.clock.now().toISOString();
  const status = claimed.decision === 'approve' ? 'approved' : 'rejected';
  const decided: ApprovalRequestItem = { ...claimed, status, decidedAt: now, updatedAt: now, version: claimed.version + 1 };
  const summary = {
    requestId: claimed.requestId,
    contractId: claimed.contractId,
    revision: claimed.revision,
    level: claimed.levelIndex + 1,
    decision: claimed.decision,
    decidedBy: actor.userId,
    comment: claimed.comment,
    via: claimed.via,
  };
  const log = logChange(deps, actor, now, {
    entityType: 'approvalRequest',
    entityId: claimed.requestId,
    parentId: claimed.contractId,
    action: status === 'approved' ? 'approve' : 'reject',
    changes: {
      status: { from: 'pending', to: status },
      via: { to: claimed.via },
      ...(claimed.comment !== undefined && { comment: { to: claimed.comment } }),
    },
    events: [{ type: 'approval.decided', data: summary }],
  });
  await deps.db.transaction
    .write((entities) => [
      entities.approvalRequest
        .put(decided)
        .where((attr, op) => op.eq(attr.version, claimed.version))
        .commit(),
      ...changeLogCommits(entities, log),
    ])
    .go();
  return decided;
}

/** Every approval request of the contract, all revisions, with the current revision's planned chain. */
export async function contractApprovalTrail(deps: Deps, actor: Actor, contractId: string): Promise<ContractApprovalTrailView> {
  const contract = await readContract(deps, actor, contractId);
  const { data } = await deps.db.entities.approvalRequest.query.byContract({ tenantId: actor.tenantId, contractId }).go({ pages: 'all' });
  const chain = (contract.approvalChain as ChainLevel[] | undefined) ?? [];
  return {
    contractId,
    status: contract.status,
    revision: contract.revision ?? 1,
    chain: chain.map(({ index, ...level }) => ({ level: index + 1, ...level })),
    requests: data.map(toRequestView),
  };
}

// ---- signed links ----------------------------------------------------------------------------------

/** Links for the caller to decide by email: bound to them, this request and this contract revision; valid until the step's due time. */
export async function createApprovalLinks(
  deps: Deps,
  actor: Actor,
  requestId: string,
  link: { secret: string; baseUrl: string },
): Promise<{ approveUrl: string; rejectUrl: string; expiresAt: string }> {
  const request = await readRequest(deps, actor.tenantId, requestId);
  assertOpen(request);
  assertMayDecide(actor, request);
  const exp = Math.floor(Date.parse(request.dueAt) / 1000);
  const payload = (decision: 'approve' | 'reject'): LinkPayload => ({
    t: actor.tenantId,
    r: request.requestId,
    c: request.contractId,
    v: request.revision,
    u: actor.userId,
    g: [...actor.roles],
    d: decision,
    exp,
  });
  return {
    approveUrl: `${link.baseUrl}/approval-links/${signLink(payload('approve'), link.secret)}`,
    rejectUrl: `${link.baseUrl}/approval-links/${signLink(payload('reject'), link.secret)}`,
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}

/** What a link would do, without doing it (mail scanners open links: only POST decides). */
export async function describeLink(deps: Deps, token: string, secret: string): Promise<ApprovalLinkViewType> {
  const { payload, request } = await linkTarget(deps, token, secret);
  return {
    requestId: request.requestId,
    contractId: request.contractId,
    contractTitle: request.contractTitle,
    levelName: request.levelName,
    decision: payload.d,
    approver: payload.u,
    status: request.status,
    total: request.total as ApprovalLinkViewType['total'],
    expiresAt: new Date(payload.exp * 1000).toISOString(),
  };
}

export async function decideByLink(
  deps: Deps,
  engine: ApprovalEngine,
  token: string,
  secret: string,
  input: { comment?: string },
): Promise<ApprovalRequestView> {
  const { payload, request } = await linkTarget(deps, token, secret);
  if (request.status === 'approved' || request.status === 'rejected' || request.status === 'deciding') {
    throw new GoneError('This link has been used: the request is decided');
  }
  if (payload.d === 'reject' && input.comment === undefined) {
    throw new ValidationError('A rejection needs a comment (the reason)', [{ path: 'body.comment', message: 'Required to reject' }]);
  }
  const actor: Actor = { tenantId: payload.t, userId: payload.u, roles: payload.g };
  return decideApproval(deps, engine, actor, payload.r, { decision: payload.d, comment: input.comment }, 'link');
}

async function linkTarget(deps: Deps, token: string, secret: string): Promise<{ payload: LinkPayload; request: ApprovalRequestItem }> {
  const { payload, problem } = verifyLink(token, secret, deps.clock.now());
  if (problem === 'expired') throw new GoneError('This approval link has expired');
  if (!payload) throw new ForbiddenError('This approval link is not valid');
  const request = await readRequest(deps, payload.t, payload.r);
  if (request.contractId !== payload.c || request.revision !== payload.v) throw new GoneError('This approval link is for an earlier revision of the contract');
  return { payload, request };
}

function assertMayDecide(actor: Actor, request: ApprovalRequestItem): void {
  const approvers = { role: request.approverRole, users: request.approverUsers };
  if (!isApprover(approvers, actor)) throw new ForbiddenError(`Only ${describeApprovers(approvers)} may decide this step`);
  if (isInvolvedInContract(actor, { submittedBy: request.submittedBy, owner: request.contractOwner })) {
    throw new ForbiddenError('Separation of duties: whoever submitted or owns a contract does not approve it');
  }
}
