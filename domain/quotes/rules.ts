/** Pure rules of a quote's life: what may happen to it in which status. No I/O. */
import { ConflictError, ForbiddenError, UnprocessableError } from '../errors';
import { seesWholeTenant, type Actor } from '../shared/actor';

export type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'rejected' | 'expired';
export type QuoteAction = 'send' | 'accept' | 'reject' | 'revise';

export const DEFAULT_VALIDITY_DAYS = 30;

export function addDays(date: string, days: number): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}

/** A sent quote past its validity date has expired (the schedule or the next read records it). */
export function hasExpired(quote: { status: QuoteStatus; validUntil: string }, today: string): boolean {
  return quote.status === 'sent' && quote.validUntil < today;
}

export function assertEditable(status: QuoteStatus): void {
  if (status !== 'draft') {
    throw new ConflictError(`This quote is ${status}, so it is locked; revise it to change anything`, { quoteStatus: status });
  }
}

/**
 * Checks a status change and returns the new status. Sending locks the version (a discount above the tenant's
 * limit is sent only by a manager or admin, who thereby approves it); the customer's answer is recorded on a sent,
 * still valid quote; revising makes a new draft version of a sent, rejected or expired one.
 */
export function planQuoteAction(
  quote: { status: QuoteStatus; validUntil: string; needsApproval: boolean },
  action: QuoteAction,
  context: { actor: Actor; today: string },
): QuoteStatus {
  const { status } = quote;
  switch (action) {
    case 'send':
      if (status !== 'draft') throw new ConflictError(`Only a draft is sent; this quote is ${status}`, { quoteStatus: status });
      if (quote.validUntil < context.today) {
        throw new UnprocessableError('The quote is no longer valid', [{ path: 'validUntil', message: 'Must be today or later to send' }]);
      }
      if (quote.needsApproval && !seesWholeTenant(context.actor)) {
        throw new ForbiddenError("The discount exceeds the tenant's limit: a manager or admin must approve and send it");
      }
      return 'sent';
    case 'accept':
    case 'reject':
      if (status !== 'sent') throw new ConflictError(`Only a sent quote is accepted or rejected; this quote is ${status}`, { quoteStatus: status });
      if (hasExpired(quote, context.today)) throw new ConflictError('The quote has expired; revise it', { quoteStatus: 'expired' });
      return action === 'accept' ? 'accepted' : 'rejected';
    case 'revise':
      if (status === 'draft') throw new ConflictError('A draft is edited, not revised', { quoteStatus: status });
      if (status === 'accepted') throw new ConflictError('An accepted quote is final; create a new quote instead', { quoteStatus: status });
      return 'draft';
  }
}
