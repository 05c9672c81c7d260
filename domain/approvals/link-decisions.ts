/**
 * Use cases: deciding by email. Signed one-time links (links.ts) bound to the approver, the request and the
 * contract revision, valid until the step is due and at most 72 hours; opening one changes nothing (mail scanners
 * open links), only a POST decides. An admin revokes a user's outstanding links (a lost phone, a leaver).
 */
import { readContract, type ApprovalEngine } from '../contracts';
import { readCustomer } from '../customers';
import { ForbiddenError, GoneError, ValidationError } from '../errors';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { assertMayDecide, decideApproval } from './decisions';
import { logChange } from '../shared/change-log';
import { compact } from '../shared/records';
import { createWrite } from '../shared/versioned-write';
import { MAX_LINK_LIFETIME_SECONDS, signLink, verifyLink, type LinkPayload } from './links';
import { assertOpen, readRequest, type ApprovalRequestItem } from './requests';
import type { ApprovalLinkViewType, ApprovalRequestView } from './schemas';

/** Links for the caller to decide by email: bound to them, this request and this contract revision; valid until the step's due time, 72 hours at most. */
export async function createApprovalLinks(
  deps: Deps,
  actor: Actor,
  requestId: string,
  link: { secret: string; baseUrl: string },
): Promise<{ approveUrl: string; rejectUrl: string; expiresAt: string }> {
  const request = await readRequest(deps, actor.tenantId, requestId);
  assertOpen(request);
  assertMayDecide(actor, request);
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const exp = Math.min(Math.floor(Date.parse(request.dueAt) / 1000), iat + MAX_LINK_LIFETIME_SECONDS);
  const payload = (decision: 'approve' | 'reject'): LinkPayload => ({
    t: actor.tenantId,
    r: request.requestId,
    c: request.contractId,
    v: request.revision,
    u: actor.userId,
    g: [...actor.roles],
    d: decision,
    exp,
    iat,
  });
  return {
    approveUrl: `${link.baseUrl}/approval-links/${signLink(payload('approve'), link.secret)}`,
    rejectUrl: `${link.baseUrl}/approval-links/${signLink(payload('reject'), link.secret)}`,
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}

/**
 * What a link would do, without doing it (mail scanners open links: only POST decides): the request, with what a
 * person needs to decide it — the contract's customer and why this level of its chain applies.
 */
export async function describeLink(deps: Deps, token: string, secret: string): Promise<ApprovalLinkViewType> {
  const payload = await verifiedPayload(deps, token, secret);
  const approver = linkActor(payload);
  const [request, contract] = await Promise.all([readRequest(deps, payload.t, payload.r), readContract(deps, approver, payload.c)]);
  assertSameRevision(payload, request);
  const customer = await readCustomer(deps, approver, contract.customerId);
  // The contract's chain is its current revision's: a request of an earlier revision shows no reasons rather than another revision's.
  const level = contract.revision === request.revision ? contract.approvalChain?.find((planned) => planned.index === request.levelIndex) : undefined;
  return {
    requestId: request.requestId,
    contractId: request.contractId,
    contractTitle: request.contractTitle,
    customerName: customer.name,
    level: request.levelIndex + 1,
    levelName: request.levelName,
    escalated: request.escalated,
    reasons: level?.reasons ?? [],
    decision: payload.d,
    approver: payload.u,
    status: request.status,
    total: request.total,
    expiresAt: new Date(payload.exp * 1000).toISOString(),
  };
}

/**
 * Decides as the link says, once. `decision`, when given (the link page's button sends it), must be the link's
 * own: a link made to approve never rejects, and the other way round.
 */
export async function decideByLink(
  deps: Deps,
  engine: ApprovalEngine,
  token: string,
  secret: string,
  input: { comment?: string; decision?: 'approve' | 'reject' },
): Promise<ApprovalRequestView> {
  const payload = await verifiedPayload(deps, token, secret);
  const request = await readRequest(deps, payload.t, payload.r);
  assertSameRevision(payload, request);
  if (request.status === 'approved' || request.status === 'rejected' || request.status === 'deciding') {
    throw new GoneError('This link has been used: the request is decided');
  }
  if (input.decision !== undefined && input.decision !== payload.d) {
    throw new ValidationError(`This link can only ${payload.d}; the link to ${input.decision} is a separate one`, [
      { path: 'body.decision', message: `Must be ${payload.d}, the decision this link was made for` },
    ]);
  }
  if (payload.d === 'reject' && input.comment === undefined) {
    throw new ValidationError('A rejection needs a comment (the reason)', [{ path: 'body.comment', message: 'Required to reject' }]);
  }
  return decideApproval(deps, engine, linkActor(payload), payload.r, { decision: payload.d, comment: input.comment }, 'link');
}

async function verifiedPayload(deps: Deps, token: string, secret: string): Promise<LinkPayload> {
  const { payload, problem } = verifyLink(token, secret, deps.clock.now());
  if (problem === 'expired') throw new GoneError('This approval link has expired');
  if (!payload) throw new ForbiddenError('This approval link is not valid');
  const { data: revocation } = await deps.db.entities.approvalLinkRevocation.get({ tenantId: payload.t, userId: payload.u }).go({ consistent: true });
  if (revocation && (payload.iat ?? 0) * 1000 <= Date.parse(revocation.revokedBefore)) {
    throw new GoneError('This approval link was revoked by an admin; ask for a new one in the app');
  }
  return payload;
}

/**
 * Revokes every approval link made for `approver` until now (admins): a lost device, someone leaving, a link
 * forwarded by mistake. Links made afterwards work; the approver's pending decisions stay theirs.
 */
export async function revokeApprovalLinks(
  deps: Deps,
  actor: Actor,
  input: { approver: string; reason?: string },
): Promise<{ approver: string; revokedBefore: string; revokedBy: string; reason?: string }> {
  if (!actor.roles.includes('admin')) throw new ForbiddenError("Only admins revoke a user's approval links");
  return createWrite(deps, () => {
    // Now, at each attempt: a write that lost to a later revocation is tried again with a later mark.
    const revokedBefore = deps.clock.now().toISOString();
    const revocation = { tenantId: actor.tenantId, userId: input.approver, revokedBefore, revokedBy: actor.userId, reason: input.reason };
    const log = logChange(deps, actor, revokedBefore, {
      entityType: 'approvalLinkRevocation',
      entityId: input.approver,
      action: 'revoke_links',
      changes: { revokedBefore: { to: revokedBefore }, ...(input.reason !== undefined && { reason: { to: input.reason } }) },
      events: [{ type: 'approval_links.revoked', data: { userId: input.approver } }],
    });
    return {
      result: compact({ approver: input.approver, revokedBefore, revokedBy: actor.userId, reason: input.reason }),
      write: (tx) =>
        // The mark only moves forward: a slower, earlier revocation never re-validates links a later one stopped.
        tx
          .record(
            'approvalLinkRevocation',
            tx.entities.approvalLinkRevocation
              .put(revocation)
              .where((attr, op) => `${op.notExists(attr.revokedBefore)} OR ${op.lt(attr.revokedBefore, revokedBefore)}`)
              .commit(),
          )
          .log(log),
    };
  });
}

/** The approver the link was made for, with the roles they had when it was made. */
const linkActor = (payload: LinkPayload): Actor => ({ tenantId: payload.t, userId: payload.u, roles: payload.g });

function assertSameRevision(payload: LinkPayload, request: ApprovalRequestItem): void {
  if (request.contractId !== payload.c || request.revision !== payload.v) throw new GoneError('This approval link is for an earlier revision of the contract');
}
