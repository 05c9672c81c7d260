/**
 * Use cases: quotes on opportunities. Lines are priced on the server only (pricing.ts); a client-sent total does
 * not exist in the API. The newest version of the opportunity's newest quote is primary and sets the
 * opportunity's amount (net of discounts, before tax) in the same transaction.
 */
import type { EntityItem } from 'electrodb';
import { readProduct, type ProductItem } from '../catalog/service';
import type { SalesDb, TransactionCommit, TransactionEntities } from '../db';
import { NotFoundError, UnprocessableError, type FieldIssue } from '../errors';
import { amountChange, readOpportunity, type OpportunityItem } from '../pipeline/opportunities';
import type { SettingsView } from '../settings/schemas';
import { getSettings } from '../settings/service';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { changeLogCommits, logChange, type ChangeLog } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { conflictedWithAnotherTransaction } from '../shared/store-errors';
import { ConcurrentChange, assertVersion, compact, describeOutcome, retryOnConcurrentChange, type WriteOptions } from '../shared/writes';
import { effectiveDiscountPercent, exceedsDiscountLimit, priceQuote } from './pricing';
import { DEFAULT_VALIDITY_DAYS, addDays, assertEditable, hasExpired, planQuoteAction, type QuoteAction } from './rules';
import type { CreateQuoteInput, QuoteLineView, QuoteView, UpdateQuoteInput } from './schemas';

type QuoteItem = EntityItem<SalesDb['entities']['quote']>;
type LineInput = CreateQuoteInput['lines'][number];
type Money = { amount: number; currency: string };

const today = (deps: Deps) => deps.clock.now().toISOString().slice(0, 10);

// ---- pricing the lines ---------------------------------------------------------------------------

/**
 * Resolves each line against the catalog and the tenant's tax rates, then prices the quote. Everything wrong
 * is reported at once, each issue naming its line.
 */
async function priceLines(
  deps: Deps,
  actor: Actor,
  input: { lines: readonly LineInput[]; currency: string; discountPercent?: string },
  settings?: SettingsView,
) {
  const { taxRates, maxDiscountPercent } = settings ?? (await getSettings(deps, actor));
  const productIds = [...new Set(input.lines.flatMap((line) => (line.productId ? [line.productId] : [])))];
  const products = new Map<string, ProductItem | null>();
  await Promise.all(
    productIds.map(async (id) => {
      try {
        products.set(id, await readProduct(deps, actor.tenantId, id));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        products.set(id, null);
      }
    }),
  );

  const issues: FieldIssue[] = [];
  const resolved = input.lines.map((line, index) => {
    const at = `body.lines.${index}`;
    const product = line.productId ? products.get(line.productId) : undefined;
    if (line.productId && !product) issues.push({ path: `${at}.productId`, message: 'No such product' });
    else if (product && !product.active) issues.push({ path: `${at}.productId`, message: 'The product is inactive' });
    const unitPrice = line.unitPrice ?? product?.unitPrices.find((price) => price.currency === input.currency);
    if (!unitPrice) issues.push({ path: `${at}.unitPrice`, message: `The product has no price in ${input.currency}; give one` });
    else if (unitPrice.currency !== input.currency) issues.push({ path: `${at}.unitPrice.currency`, message: `Must be the quote's currency ${input.currency}` });
    if (line.discountAmount && line.discountAmount.currency !== input.currency) {
      issues.push({ path: `${at}.discountAmount.currency`, message: `Must be the quote's currency ${input.currency}` });
    }
    const taxCategory = line.taxCategory ?? product?.taxCategory ?? 'standard';
    const taxPercent = taxRates[taxCategory];
    if (taxPercent === undefined) issues.push({ path: `${at}.taxCategory`, message: `Not one of the tenant's tax categories: ${Object.keys(taxRates).join(', ')}` });
    return {
      productId: line.productId,
      sku: product?.sku,
      description: line.description ?? product?.name ?? '',
      quantity: String(line.quantity),
      unit: product?.unit ?? 'each',
      unitPrice: unitPrice ?? { amount: 0, currency: input.currency },
      discountPercent: line.discountPercent,
      discountAmount: line.discountAmount,
      taxCategory,
      taxPercent: taxPercent ?? '0',
    };
  });
  if (issues.length > 0) throw new UnprocessableError('Some quote lines cannot be priced', issues);

  const priced = priceQuote(
    resolved.map((line) => ({
      quantity: line.quantity,
      unitPrice: line.unitPrice.amount,
      discountPercent: line.discountPercent,
      discountAmount: line.discountAmount?.amount,
      taxPercent: line.taxPercent,
    })),
    input.discountPercent,
  );
  const money = (amount: number): Money => ({ amount, currency: input.currency });
  const lines: QuoteLineView[] = resolved.map((line, index) => {
    const totals = priced.lines[index] as (typeof priced.lines)[number];
    return compact({
      lineId: String(index + 1),
      ...line,
      totals: { gross: money(totals.gross), discount: money(totals.discount), net: money(totals.net), tax: money(totals.tax), total: money(totals.total) },
    }) as QuoteLineView;
  });
  return {
    lines,
    totals: { subtotal: money(priced.totals.subtotal), discount: money(priced.totals.discount), tax: money(priced.totals.tax), total: money(priced.totals.total) },
    effectiveDiscountPercent: effectiveDiscountPercent(priced.totals),
    needsApproval: exceedsDiscountLimit(priced.totals, maxDiscountPercent),
  };
}

/** What the primary quote contributes to the opportunity: the amount net of discounts, before tax. */
const netAmount = (quote: Pick<QuoteItem, 'totals'>): Money => {
  const totals = quote.totals as QuoteView['totals'];
  return { amount: totals.subtotal.amount - totals.discount.amount, currency: totals.subtotal.currency };
};

// ---- use cases -------------------------------------------------------------------------------------

export async function createQuote(deps: Deps, actor: Actor, opportunityId: string, input: CreateQuoteInput): Promise<QuoteView> {
  return retryOnConcurrentChange(async () => {
    const opportunity = await readOpenOpportunity(deps, actor, opportunityId);
    const settings = await getSettings(deps, actor);
    const currency = input.currency ?? opportunity.amount?.currency ?? settings.baseCurrency;
    const priced = await priceLines(deps, actor, { lines: input.lines, currency, discountPercent: input.discountPercent }, settings);
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
    await commitQuote(deps, actor, {
      quote: (entities) => entities.quote.create(quote).commit(),
      log: quoteLog(deps, actor, quote, 'create', {}, [{ type: 'quote.created', data: { quoteId, totals: quote.totals } }]),
      amount: amountChange(deps, actor, opportunity, netAmount(quote), now),
    });
    return toQuoteView(quote, true);
  }, {});
}

export async function listQuotes(deps: Deps, actor: Actor, opportunityId: string): Promise<{ items: QuoteView[]; nextCursor: null }> {
  await readOpportunity(deps, actor, opportunityId);
  const quotes = await quotesOf(deps, actor.tenantId, opportunityId);
  const primary = quotes.at(-1)?.quoteId;
  return { items: quotes.map((quote) => toQuoteView(quote, quote.quoteId === primary)), nextCursor: null };
}

export async function getQuote(deps: Deps, actor: Actor, quoteId: string): Promise<QuoteView> {
  let quote = await readQuote(deps, actor, quoteId);
  if (hasExpired(quote, today(deps))) quote = await expire(deps, actor, quote);
  return toQuoteView(quote, await isPrimary(deps, quote));
}

export async function updateQuote(deps: Deps, actor: Actor, quoteId: string, patch: UpdateQuoteInput, options: WriteOptions = {}): Promise<QuoteView> {
  return retryOnConcurrentChange(async () => {
    const current = await readQuote(deps, actor, quoteId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'quote');
    assertEditable(current.status);
    const discountPercent = patch.discountPercent === null ? undefined : (patch.discountPercent ?? current.discountPercent);
    const lines = patch.lines ?? linesAsInput(current);
    const priced = await priceLines(deps, actor, { lines, currency: current.currency, discountPercent });
    const now = deps.clock.now().toISOString();
    const next: QuoteItem = {
      ...current,
      ...priced,
      discountPercent,
      validUntil: patch.validUntil ?? current.validUntil,
      terms: patch.terms === null ? undefined : (patch.terms ?? current.terms),
      notes: patch.notes === null ? undefined : (patch.notes ?? current.notes),
      updatedAt: now,
      updatedBy: actor.userId,
      version: current.version + 1,
    };
    const changes = diffFields(current, next);
    if (Object.keys(changes).length === 0) return toQuoteView(current, await isPrimary(deps, current));
    const primary = await isPrimary(deps, current);
    const opportunity = primary ? await readOpportunity(deps, actor, current.opportunityId) : undefined;
    await commitQuote(deps, actor, {
      quote: (entities) => entities.quote.put(next).where((attr, op) => op.eq(attr.version, current.version)).commit(),
      log: quoteLog(deps, actor, next, 'update', changes, [{ type: 'quote.updated', data: { quoteId, changes } }]),
      amount: opportunity ? amountChange(deps, actor, opportunity, netAmount(next), now) : undefined,
    });
    return toQuoteView(next, primary);
  }, options);
}

/** send | accept | reject: a status change on this version. */
export async function decideQuote(
  deps: Deps,
  actor: Actor,
  quoteId: string,
  action: Exclude<QuoteAction, 'revise'>,
  input: { note?: string },
  options: WriteOptions = {},
): Promise<QuoteView> {
  return retryOnConcurrentChange(async () => {
    const current = await readQuote(deps, actor, quoteId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'quote');
    const status = planQuoteAction(current, action, { actor, today: today(deps) });
    const now = deps.clock.now().toISOString();
    const next: QuoteItem = {
      ...current,
      status,
      ...(action === 'send' ? { sentAt: now, sentBy: actor.userId } : { decidedAt: now, decisionNote: input.note }),
      updatedAt: now,
      updatedBy: actor.userId,
      version: current.version + 1,
    };
    const type = action === 'send' ? 'quote.sent' : action === 'accept' ? 'quote.accepted' : 'quote.rejected';
    await commitQuote(deps, actor, {
      quote: (entities) => entities.quote.put(next).where((attr, op) => op.eq(attr.version, current.version)).commit(),
      log: quoteLog(deps, actor, next, action, diffFields(current, next), [
        { type, data: { quoteId, opportunityId: current.opportunityId, ...(current.needsApproval && action === 'send' && { approvedBy: actor.userId }) } },
      ]),
    });
    return toQuoteView(next, await isPrimary(deps, next));
  }, options);
}

/** A new draft version (revision n+1) of a sent, rejected or expired quote; it becomes primary. */
export async function reviseQuote(deps: Deps, actor: Actor, quoteId: string, options: WriteOptions = {}): Promise<QuoteView> {
  return retryOnConcurrentChange(async () => {
    const current = await readQuote(deps, actor, quoteId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'quote');
    const effective = hasExpired(current, today(deps)) ? { ...current, status: 'expired' as const } : current;
    planQuoteAction(effective, 'revise', { actor, today: today(deps) });
    const versions = await quotesOf(deps, actor.tenantId, current.opportunityId);
    const latest = versions.filter((quote) => quote.quoteNumber === current.quoteNumber).at(-1) ?? current;
    const opportunity = await readOpenOpportunity(deps, actor, current.opportunityId);
    const priced = await priceLines(deps, actor, { lines: linesAsInput(current), currency: current.currency, discountPercent: current.discountPercent });
    const now = deps.clock.now().toISOString();
    const revision: QuoteItem = {
      ...current,
      ...priced,
      quoteId: deps.ids.next(),
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
    };
    await commitQuote(deps, actor, {
      quote: (entities) => entities.quote.create(compact(revision) as QuoteItem).commit(),
      log: quoteLog(deps, actor, revision, 'revise', { revisionOf: { to: current.quoteId } }, [
        { type: 'quote.revised', data: { quoteId: revision.quoteId, revisionOf: current.quoteId, revision: revision.revision } },
      ]),
      amount: amountChange(deps, actor, opportunity, netAmount(revision), now),
    });
    return toQuoteView(compact(revision) as QuoteItem, true);
  }, options);
}

/** The quote as the document template sees it, with the customer's and the opportunity's names. */
export async function quoteForDocument(deps: Deps, actor: Actor, quoteId: string) {
  const quote = await getQuote(deps, actor, quoteId);
  const [customer, opportunity, settings] = await Promise.all([
    deps.db.entities.customer.get({ tenantId: actor.tenantId, customerId: quote.customerId }).go(),
    readOpportunity(deps, actor, quote.opportunityId),
    getSettings(deps, actor),
  ]);
  return { quote, customer: customer.data, opportunity, settings };
}

// ---- shared ----------------------------------------------------------------------------------------

async function readQuote(deps: Deps, actor: Actor, quoteId: string): Promise<QuoteItem> {
  const { data } = await deps.db.entities.quote.get({ tenantId: actor.tenantId, quoteId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Quote ${quoteId} not found`);
  return data;
}

async function readOpenOpportunity(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityItem> {
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
async function quotesOf(deps: Deps, tenantId: string, opportunityId: string): Promise<QuoteItem[]> {
  const { data } = await deps.db.entities.quote.query.byOpportunity({ tenantId, opportunityId }).go({ pages: 'all' });
  return data;
}

async function isPrimary(deps: Deps, quote: QuoteItem): Promise<boolean> {
  const { data } = await deps.db.entities.quote.query
    .byOpportunity({ tenantId: quote.tenantId, opportunityId: quote.opportunityId })
    .go({ limit: 1, order: 'desc', attributes: ['quoteId'] });
  return data[0]?.quoteId === quote.quoteId;
}

async function expire(deps: Deps, actor: Actor, quote: QuoteItem): Promise<QuoteItem> {
  const now = deps.clock.now().toISOString();
  const next: QuoteItem = { ...quote, status: 'expired', updatedAt: now, updatedBy: 'system', version: quote.version + 1 };
  try {
    await commitQuote(deps, actor, {
      quote: (entities) => entities.quote.put(next).where((attr, op) => op.eq(attr.version, quote.version)).commit(),
      log: quoteLog(deps, { ...actor, userId: 'system' }, next, 'expire', { status: { from: 'sent', to: 'expired' } }, [
        { type: 'quote.expired', data: { quoteId: quote.quoteId } },
      ]),
    });
    return next;
  } catch (error) {
    if (error instanceof ConcurrentChange) return readQuote(deps, actor, quote.quoteId); // someone else recorded it
    throw error;
  }
}

function linesAsInput(quote: QuoteItem): LineInput[] {
  return (quote.lines as QuoteLineView[]).map((line) =>
    compact({
      productId: line.productId,
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      discountPercent: line.discountPercent,
      discountAmount: line.discountAmount,
      taxCategory: line.taxCategory,
    }) as LineInput,
  );
}

function quoteLog(
  deps: Deps,
  actor: Actor,
  quote: QuoteItem,
  action: string,
  changes: Record<string, { from?: unknown; to?: unknown }>,
  events: Array<{ type: string; data?: Record<string, unknown> }>,
): ChangeLog {
  return logChange(deps, actor, quote.updatedAt, { entityType: 'quote', entityId: quote.quoteId, parentId: quote.opportunityId, action, changes, events });
}


async function commitQuote(
  deps: Deps,
  actor: Actor,
  change: { quote: (entities: TransactionEntities) => TransactionCommit; log: ChangeLog; amount?: ReturnType<typeof amountChange> },
): Promise<void> {
  const outcome = await deps.db.transaction
    .write((entities) => [
      change.quote(entities),
      ...changeLogCommits(entities, change.log),
      ...(change.amount
        ? [
            entities.opportunity
              .put(change.amount.opportunity)
              .where((attr, op) => op.eq(attr.version, change.amount?.expectedVersion ?? -1))
              .commit(),
            ...changeLogCommits(entities, change.amount.log),
          ]
        : []),
    ])
    .go();
  if (!outcome.canceled) return;
  if (outcome.data.some((item) => item.code === 'ConditionalCheckFailed') || conflictedWithAnotherTransaction(outcome)) {
    throw new ConcurrentChange();
  }
  throw new Error(`Quote change failed: ${describeOutcome(outcome)} (tenant ${actor.tenantId})`);
}

export function toQuoteView(item: QuoteItem, primary: boolean): QuoteView {
  return compact({
    id: item.quoteId,
    quoteNumber: item.quoteNumber,
    revision: item.revision,
    opportunityId: item.opportunityId,
    customerId: item.customerId,
    owner: item.owner,
    currency: item.currency,
    lines: item.lines as QuoteLineView[],
    discountPercent: item.discountPercent,
    totals: item.totals as QuoteView['totals'],
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
