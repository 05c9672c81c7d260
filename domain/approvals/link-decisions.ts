/**
 * Use cases: deciding by email. Signed one-time links (links.ts) bound to the approver, the request and the
 * contract revision, valid until the step is due; opening one changes nothing (mail scanners open links), only
 * a POST decides.
 */
import type { ApprovalEngine } from '../contracts';
import { ForbiddenError, GoneError, ValidationError } from '../errors';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { assertMayDecide, decideApproval } from './decisions';
import { signLink, verifyLink, type LinkPayload } from './links';
import { assertOpen, readRequest, type ApprovalRequestItem } from './requests';
import type { ApprovalLinkViewType, ApprovalRequestView } from './schemas';

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
    total: request.total,
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
