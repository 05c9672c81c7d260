/**
 * The pages of an approval link, for the person who opens it from a mail client: what it would decide (with a
 * form that posts the decision to the same URL) and the confirmation once it did. Pure functions of the link's
 * view and the decided request; every value is HTML-escaped by the `html` tag (domain/shared/html.ts, which says
 * why these pages are not LiquidJS templates). The HTTP layer negotiates when they are sent and locks them down.
 */
import { html, htmlDocument, type Markup } from '../shared/html';
import { formatMinorUnits, type StoredMoney } from '../shared/money';
import type { ApprovalLinkViewType, ApprovalRequestView } from './schemas';

const money = (value: StoredMoney) => `${formatMinorUnits(value.amount)} ${value.currency}`;
const VERB = { approve: 'Approve', reject: 'Reject' } as const;
const PAST = { approve: 'approved', reject: 'rejected' } as const;

/** Why a step that is not pending has nothing left to decide. */
const CLOSED: Record<Exclude<ApprovalLinkViewType['status'], 'pending'>, string> = {
  deciding: 'A decision on this step is being recorded right now.',
  approved: 'This step has been approved already.',
  rejected: 'This step has been rejected already.',
  timed_out: 'This step timed out: it was escalated, or the contract was rejected.',
  cancelled: 'This step is closed.',
};

export interface LinkPageOptions {
  /** Why the last submission was refused (shown above the form, which is shown again). */
  problem?: string;
  /** What the approver had typed, kept in the form. */
  comment?: string;
}

/** The link's page: the contract, why it needs approval, and the one decision this link makes (a form). */
export function renderLinkPage(view: ApprovalLinkViewType, options: LinkPageOptions = {}): string {
  const verb = VERB[view.decision];
  const pending = view.status === 'pending';
  const other = view.decision === 'approve' ? 'reject' : 'approve';
  const form = html`<form method="post">
<label for="comment">${view.decision === 'reject' ? 'Comment — needed to reject: the reason' : 'Comment (optional)'}</label>
<textarea id="comment" name="comment" rows="4" maxlength="2000">${options.comment}</textarea>
<button type="submit" name="decision" value="${view.decision}" class="${view.decision}">${verb}</button>
</form>
<p class="muted">This link can only ${view.decision}; to ${other}, use the other link of the same message. Opening this page changed nothing: only the button decides, once.</p>`;
  const body = html`<h1>${pending ? `${verb} this contract?` : 'Nothing left to decide'}</h1>
${options.problem !== undefined && html`<p class="problem" id="problem" role="alert">${options.problem}</p>`}
${!pending && html`<p class="done" id="status">${CLOSED[view.status as keyof typeof CLOSED]}</p>`}
${details(view)}
${pending && form}`;
  return htmlDocument(`${verb}: ${view.contractTitle}`, body);
}

/** The confirmation once the link decided: what was recorded, for whom, with which comment. */
export function renderLinkDecided(request: ApprovalRequestView): string {
  const decided = request.decision === undefined ? request.status : PAST[request.decision];
  const body = html`<h1>Contract ${decided}</h1>
<p class="done" id="status" role="status">Your decision is recorded: <strong>${decided}</strong>${request.decidedBy !== undefined && html` by ${request.decidedBy}`}${request.decidedAt !== undefined && html` at ${when(request.decidedAt)}`}. It is on the contract's approval trail.</p>
<dl>
<dt>Contract</dt><dd id="contract">${request.contractTitle}</dd>
<dt>Total</dt><dd id="total">${money(request.total)}</dd>
<dt>Approval level</dt><dd id="level">${levelText(request.level, request.levelName, request.escalated)}</dd>
${request.comment !== undefined && html`<dt>Comment</dt><dd id="comment">${request.comment}</dd>`}
</dl>`;
  return htmlDocument(`Contract ${decided}: ${request.contractTitle}`, body);
}

function details(view: ApprovalLinkViewType): Markup {
  return html`<dl>
<dt>Contract</dt><dd id="contract">${view.contractTitle}</dd>
<dt>Customer</dt><dd id="customer">${view.customerName}</dd>
<dt>Total</dt><dd id="total">${money(view.total)}</dd>
<dt>Approval level</dt><dd id="level">${levelText(view.level, view.levelName, view.escalated)}</dd>
<dt>Why it needs approval</dt><dd id="reasons">${
    view.reasons.length > 0 ? html`<ul>${view.reasons.map((reason) => html`<li>${reason}</li>`)}</ul>` : 'the approval policy'
  }</dd>
<dt>Decides as</dt><dd id="approver">${view.approver}</dd>
<dt>Link valid until</dt><dd id="expires">${when(view.expiresAt)}</dd>
</dl>`;
}

const levelText = (level: number, name: string, escalated: boolean) => `${level} · ${name}${escalated ? ' (escalated)' : ''}`;
/** An ISO timestamp as a person reads it: `2026-11-02 10:00 UTC` (the API's times are UTC). */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
