/**
 * Use cases: quotes on opportunities — create, read, list, edit a draft. The newest version of the
 * opportunity's newest quote is primary and sets the opportunity's amount (net of discounts, before tax) in the
 * same transaction.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { ConcurrentChangeError, NotFoundError, UnprocessableError } from '../errors';
import { opportunityAmountInChange, readOpportunity, type OpportunityItem } from '../pipeline';
import { getSettings } from '../settings';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { logChange, type ChangeLog } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, diffFields, type FieldChange } from '../shared/records';
import { versionedWrite, type WriteOptions, type WriteSet } from '../shared/versioned-write';
import { dealOwnerUnchanged, readDealToChange } from './deal-authority';
import { linesAsInput, netAmount, priceLines } from './line-pricing';
import { DEFAULT_VALIDITY_DAYS, addDays, assertEditable, hasExpired } from './rules';
import type { CreateQuoteInput, QuoteView, UpdateQuoteInput } from './schemas';

export type QuoteItem = EntityItem<SalesDb['entities']['quote']>;

export const today = (deps: Deps) => deps.clock.now().toISOString().slice(0, 10);

export async function createQuote(deps: Deps, actor: Actor, opportunityId: string, input: CreateQuoteInput): Promise<QuoteView> {
  return versionedWrite(deps, {}, {
    read: async () => {
      const [opportunity, settings] = await Promise.all([readOpenOpportunity(deps, actor, opportunityId), getSettings(deps, actor)]);
      return { opportunity, settings };
    },
    build: async ({ opportunity, settings }) => {
      const currency = input.currency ?? opportunity.amount?.currency ?? settings.baseCurrency;
      const priced = await priceLines(deps, actor, { lines: input.lines, currency, discountPercent: input.discountPercent, fromCaller: true }, settings);
      const now = deps.clock.now().toISOString();
      const quoteId = deps.ids.next();
      const quote: QuoteItem = {
        tenantId: actor.tenantId,
        quoteId,
        quoteNumber: quoteId,
        revision: 1,
        opportunityId,
        customerId: opportunity.customerId,
        owner: opportunity.owner,
        currency,
        ...priced,
        discountPercent: input.discountPercent,
        validUntil: input.validUntil ?? addDays(today(deps), DEFAULT_VALIDITY_DAYS),
        terms: input.terms,
        notes: input.notes,
        status: 'draft',
        createdAt: now,
        createdBy: actor.userId,
        updatedAt: now,
        updatedBy: actor.userId,
        version: 1,
      };
      const amount = opportunityAmountInChange(deps, actor, opportunity, netAmount(quote), now);
      return {
        result: toQuoteView(quote, true),
        write: (tx) => {
          tx.put('quote', tx.entities.quote.create(quote).commit());
          tx.log(quoteLog(deps, actor, quote, 'create', {}, [{ type: 'quote.created', data: { quoteId, totals: quote.totals } }]));
          opportunityAmount(tx, amount, opportunity);
        },
      };
    },
  });
}

/** One page of the opportunity's quotes, oldest quote first, revisions in order; the last of all is primary. */
export async function listQuotes(deps: Deps, actor: Actor, opportunityId: string, input: PageRequest): Promise<Page<QuoteView>> {
  const opportunity = await readOpportunity(deps, actor, opportunityId);
  const { tenantId } = actor;
  const quotes = deps.db.entities.quote.query;
  // The primary quote may be on a later page: one more read of a single key finds it, beside the page.
  const [page, newest] = await Promise.all([
    readPage(deps, `${tenantId}|quotes|${opportunityId}`, input, quotes.byOpportunity({ tenantId, opportunityId })),
    quotes.byOpportunity({ tenantId, opportunityId }).go({ limit: 1, order: 'desc', attributes: ['quoteId'] }),
  ]);
  const primary = newest.data[0]?.quoteId;
  return { ...page, items: page.items.map((quote) => toQuoteView(quote, quote.quoteId === primary, opportunity.owner)) };
}

/** A sent quote past its validity is recorded as expired when it is read. */
export async function getQuote(deps: Deps, actor: Actor, quoteId: string): Promise<QuoteView> {
  return (await readQuoteWithDeal(deps, actor, quoteId)).quote;
}

/** The quote as shown (recorded as expired if it is), with its deal, read once. */
async function readQuoteWithDeal(deps: Deps, actor: Actor, quoteId: string): Promise<{ quote: QuoteView; opportunity: OpportunityItem }> {
  const quote = await readQuote(deps, actor, quoteId);
  // A read never fails for being busy: if others keep changing it, it is shown as it is now.
  const current = hasExpired(quote, today(deps))
    ? await expire(deps, actor, quoteId).catch(async (error: unknown) => {
        if (error instanceof ConcurrentChangeError) return readQuote(deps, actor, quoteId);
        throw error;
      })
    : quote;
  const [primary, opportunity] = await Promise.all([isPrimary(deps, current), readOpportunity(deps, actor, current.opportunityId)]);
  return { quote: toQuoteView(current, primary, opportunity.owner), opportunity };
}

export async function updateQuote(deps: Deps, actor: Actor, quoteId: string, patch: UpdateQuoteInput, options: WriteOptions = {}): Promise<QuoteView> {
  return versionedWrite(deps, options, {
    read: async () => {
      const current = await readQuote(deps, actor, quoteId);
      return { current, opportunity: await readDealToChange(deps, actor, current.opportunityId, 'quote') };
    },
    version: ({ current }) => current.version,
    build: async ({ current, opportunity }) => {
      assertEditable(current.status);
      const discountPercent = patch.discountPercent === null ? undefined : (patch.discountPercent ?? current.discountPercent);
      const lines = patch.lines ?? linesAsInput(current);
      const priced = await priceLines(deps, actor, { lines, currency: current.currency, discountPercent, fromCaller: patch.lines !== undefined }, await getSettings(deps, actor));
      const now = deps.clock.now().toISOString();
      const next: QuoteItem = {
        ...current,
        ...priced,
        owner: opportunity.owner,
        discountPercent,
        validUntil: patch.validUntil ?? current.validUntil,
        terms: patch.terms === null ? undefined : (patch.terms ?? current.terms),
        notes: patch.notes === null ? undefined : (patch.notes ?? current.notes),
        updatedAt: now,
        updatedBy: actor.userId,
        version: current.version + 1,
      };
      const primary = await isPrimary(deps, current);
      const changes = diffFields(current, next);
      if (Object.keys(changes).length === 0) return { result: toQuoteView(current, primary, opportunity.owner) };
      const amount = primary ? opportunityAmountInChange(deps, actor, opportunity, netAmount(next), now) : undefined;
      return {
        result: toQuoteView(next, primary, opportunity.owner),
        write: (tx) => {
          replaceQuote(tx, next, current.version);
          tx.log(quoteLog(deps, actor, next, 'update', changes, [{ type: 'quote.updated', data: { quoteId, changes } }]));
          if (amount) amount(tx);
          else dealOwnerUnchanged(tx, opportunity);
        },
      };
    },
  });
}

/** The quote as the document template sees it, with the customer's and the opportunity's names. */
export async function quoteForDocument(deps: Deps, actor: Actor, quoteId: string) {
  const { quote, opportunity } = await readQuoteWithDeal(deps, actor, quoteId);
  const [customer, settings] = await Promise.all([
    deps.db.entities.customer.get({ tenantId: actor.tenantId, customerId: quote.customerId }).go(),
    getSettings(deps, actor),
  ]);
  return { quote, customer: customer.data, opportunity, settings };
}

export async function readQuote(deps: Deps, actor: Actor, quoteId: string): Promise<QuoteItem> {
  const { data } = await deps.db.entities.quote.get({ tenantId: actor.tenantId, quoteId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Quote ${quoteId} not found`);
  return data;
}

export async function readOpenOpportunity(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityItem> {
  const opportunity = await readOpportunity(deps, actor, opportunityId);
  assertMayChangeOwned(actor, opportunity.owner, 'opportunity');
  if (opportunity.status !== 'open') {
    throw new UnprocessableError(`The opportunity is ${opportunity.status}; quotes are made on open opportunities`, [
      { path: 'opportunity.status', message: 'Must be open' },
    ]);
  }
  return opportunity;
}

/** Every quote version of an opportunity, oldest quote first, revisions in order. */
export async function quotesOf(deps: Deps, tenantId: string, opportunityId: string): Promise<QuoteItem[]> {
  const { data } = await deps.db.entities.quote.query.byOpportunity({ tenantId, opportunityId }).go({ pages: 'all' });
  return data;
}

export async function isPrimary(deps: Deps, quote: QuoteItem): Promise<boolean> {
  const { data } = await deps.db.entities.quote.query
    .byOpportunity({ tenantId: quote.tenantId, opportunityId: quote.opportunityId })
    .go({ limit: 1, order: 'desc', attributes: ['quoteId'] });
  return data[0]?.quoteId === quote.quoteId;
}

/** Records the expiry; whoever reads first records it, every later read finds it recorded. */
async function expire(deps: Deps, actor: Actor, quoteId: string): Promise<QuoteItem> {
  const system = { ...actor, userId: 'system' };
  return versionedWrite(deps, {}, {
    read: () => readQuote(deps, actor, quoteId),
    build: (quote) => {
      if (!hasExpired(quote, today(deps))) return { result: quote };
      const now = deps.clock.now().toISOString();
      const next: QuoteItem = { ...quote, status: 'expired', updatedAt: now, updatedBy: system.userId, version: quote.version + 1 };
      return {
        result: next,
        write: (tx) => {
          replaceQuote(tx, next, quote.version);
          tx.log(quoteLog(deps, system, next, 'expire', { status: { from: 'sent', to: 'expired' } }, [{ type: 'quote.expired', data: { quoteId } }]));
        },
      };
    },
  });
}

/** The quote replaced, on the condition that it is still at the version it was read at. */
export function replaceQuote(tx: WriteSet, next: QuoteItem, readVersion: number): void {
  tx.record(
    'quote',
    tx.entities.quote
      .put(next)
      .where((attr, op) => op.eq(attr.version, readVersion))
      .commit(),
  );
}

/**
 * The opportunity the quote belongs to: its amount set by the primary quote, or (already right) unchanged since
 * it was read — so a quote is never made on a deal that was closed or reassigned meanwhile.
 */
export function opportunityAmount(tx: WriteSet, amount: ((tx: WriteSet) => void) | undefined, opportunity: OpportunityItem): void {
  if (amount) {
    amount(tx);
    return;
  }
  tx.record(
    'opportunity',
    tx.entities.opportunity
      .check({ tenantId: opportunity.tenantId, opportunityId: opportunity.opportunityId })
      .where((attr, op) => op.eq(attr.version, opportunity.version))
      .commit(),
  );
}

export function quoteLog(
  deps: Deps,
  actor: Actor,
  quote: QuoteItem,
  action: string,
  changes: Record<string, FieldChange>,
  events: Array<{ type: string; data?: Record<string, unknown> }>,
): ChangeLog {
  return logChange(deps, actor, quote.updatedAt, { entityType: 'quote', entityId: quote.quoteId, parentId: quote.opportunityId, action, changes, events });
}

/** `owner`: the deal's current owner, where the caller read the deal (deal-authority.ts); else the stored copy. */
export function toQuoteView(item: QuoteItem, primary: boolean, owner = item.owner): QuoteView {
  return compact({
    id: item.quoteId,
    quoteNumber: item.quoteNumber,
    revision: item.revision,
    opportunityId: item.opportunityId,
    customerId: item.customerId,
    owner,
    currency: item.currency,
    lines: item.lines,
    discountPercent: item.discountPercent,
    totals: item.totals,
    effectiveDiscountPercent: item.effectiveDiscountPercent,
    needsApproval: item.needsApproval,
    primary,
    validUntil: item.validUntil,
    terms: item.terms,
    notes: item.notes,
    status: item.status,
    sentAt: item.sentAt,
    sentBy: item.sentBy,
    decidedAt: item.decidedAt,
    decisionNote: item.decisionNote,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}
