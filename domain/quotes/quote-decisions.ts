/** Use cases: a quote's status changes — send, the customer's accept or reject — and new versions of it. */
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { compact, diffFields } from '../shared/records';
import { versionedWrite, type WriteOptions } from '../shared/versioned-write';
import { getSettings } from '../settings';
import { opportunityAmountInChange } from '../pipeline';
import { dealOwnerUnchanged, readDealToChange } from './deal-authority';
import { linesAsInput, netAmount, priceLines } from './line-pricing';
import { isPrimary, opportunityAmount, quoteLog, quotesOf, readOpenOpportunity, readQuote, replaceQuote, toQuoteView, today, type QuoteItem } from './quotes';
import { DEFAULT_VALIDITY_DAYS, addDays, hasExpired, planQuoteAction, type QuoteAction } from './rules';
import type { QuoteView } from './schemas';

/** send | accept | reject: a status change on this version. */
export async function decideQuote(
  deps: Deps,
  actor: Actor,
  quoteId: string,
  action: Exclude<QuoteAction, 'revise'>,
  input: { note?: string },
  options: WriteOptions = {},
): Promise<QuoteView> {
  return versionedWrite(deps, options, {
    read: async () => {
      const current = await readQuote(deps, actor, quoteId);
      return { current, opportunity: await readDealToChange(deps, actor, current.opportunityId, 'quote') };
    },
    version: ({ current }) => current.version,
    build: async ({ current, opportunity }) => {
      const status = planQuoteAction(current, action, { actor, today: today(deps) });
      const now = deps.clock.now().toISOString();
      const next: QuoteItem = {
        ...current,
        owner: opportunity.owner,
        status,
        ...(action === 'send' ? { sentAt: now, sentBy: actor.userId } : { decidedAt: now, decisionNote: input.note }),
        updatedAt: now,
        updatedBy: actor.userId,
        version: current.version + 1,
      };
      const type = action === 'send' ? 'quote.sent' : action === 'accept' ? 'quote.accepted' : 'quote.rejected';
      const data = { quoteId, opportunityId: current.opportunityId, ...(current.needsApproval && action === 'send' && { approvedBy: actor.userId }) };
      const log = quoteLog(deps, actor, next, action, diffFields(current, next), [{ type, data }]);
      return {
        result: toQuoteView(next, await isPrimary(deps, next), opportunity.owner),
        write: (tx) => {
          replaceQuote(tx.log(log), next, current.version);
          dealOwnerUnchanged(tx, opportunity);
        },
      };
    },
  });
}

/** A new draft version (revision n+1) of a sent, rejected or expired quote; it becomes primary. */
export async function reviseQuote(deps: Deps, actor: Actor, quoteId: string, options: WriteOptions = {}): Promise<QuoteView> {
  return versionedWrite(deps, options, {
    read: () => readQuote(deps, actor, quoteId),
    version: (current) => current.version,
    build: async (current) => {
      // Who may revise follows the deal (readOpenOpportunity below), not the owner the quote was made under.
      const effective = hasExpired(current, today(deps)) ? { ...current, status: 'expired' as const } : current;
      planQuoteAction(effective, 'revise', { actor, today: today(deps) });
      const [versions, opportunity, settings] = await Promise.all([
        quotesOf(deps, actor.tenantId, current.opportunityId),
        readOpenOpportunity(deps, actor, current.opportunityId),
        getSettings(deps, actor),
      ]);
      const latest = versions.filter((quote) => quote.quoteNumber === current.quoteNumber).at(-1) ?? current;
      const priced = await priceLines(deps, actor, { lines: linesAsInput(current), currency: current.currency, discountPercent: current.discountPercent, fromCaller: false }, settings);
      const now = deps.clock.now().toISOString();
      const revision = compact({
        ...current,
        ...priced,
        quoteId: deps.ids.next(),
        owner: opportunity.owner,
        revision: latest.revision + 1,
        validUntil: current.validUntil < today(deps) ? addDays(today(deps), DEFAULT_VALIDITY_DAYS) : current.validUntil,
        status: 'draft',
        sentAt: undefined,
        sentBy: undefined,
        decidedAt: undefined,
        decisionNote: undefined,
        createdAt: now,
        createdBy: actor.userId,
        updatedAt: now,
        updatedBy: actor.userId,
        version: 1,
      }) as QuoteItem;
      const amount = opportunityAmountInChange(deps, actor, opportunity, netAmount(revision), now);
      const log = quoteLog(deps, actor, revision, 'revise', { revisionOf: { to: current.quoteId } }, [
        { type: 'quote.revised', data: { quoteId: revision.quoteId, revisionOf: current.quoteId, revision: revision.revision } },
      ]);
      return {
        result: toQuoteView(revision, true),
        write: (tx) => {
          tx.put('quote', tx.entities.quote.create(revision).commit());
          tx.log(log);
          opportunityAmount(tx, amount, opportunity);
        },
      };
    },
  });
}
