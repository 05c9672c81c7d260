/**
 * Pricing a quote's lines on the server: each line resolved against the catalog and the tenant's tax rates,
 * then priced by pricing.ts (exact decimals, one rounding rule). A client-sent total does not exist in the API.
 */
import { readProduct, type ProductItem } from '../catalog';
import { NotFoundError, UnprocessableError, type FieldIssue } from '../errors';
import type { SettingsView } from '../settings/schemas';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { compact } from '../shared/records';
import type { StoredQuoteLine, StoredQuoteTotals } from '../shared/money';
import { effectiveDiscountPercent, exceedsDiscountLimit, priceQuote } from './pricing';
import type { CreateQuoteInput, QuoteLineView, QuoteView } from './schemas';

export type LineInput = CreateQuoteInput['lines'][number];
type Money = { amount: number; currency: string };

/** Everything wrong with the lines is reported at once, each issue naming its line. */
export async function priceLines(
  deps: Deps,
  actor: Actor,
  input: { lines: readonly LineInput[]; currency: string; discountPercent?: string },
  settings: Pick<SettingsView, 'taxRates' | 'maxDiscountPercent'>,
) {
  const { taxRates, maxDiscountPercent } = settings;
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
    if (!unitPrice) issues.push({ path: `${at}.unitPrice`, message: `The product has no price in ${input.currency}; give a unitPrice` });
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
  const totals: QuoteView['totals'] = {
    subtotal: money(priced.totals.subtotal),
    discount: money(priced.totals.discount),
    tax: money(priced.totals.tax),
    total: money(priced.totals.total),
  };
  return {
    lines,
    totals,
    effectiveDiscountPercent: effectiveDiscountPercent(priced.totals),
    needsApproval: exceedsDiscountLimit(priced.totals, maxDiscountPercent),
  };
}

/** What the primary quote contributes to the opportunity: the amount net of discounts, before tax. */
export function netAmount(quote: { totals: StoredQuoteTotals }): Money {
  const { subtotal, discount } = quote.totals;
  return { amount: subtotal.amount - discount.amount, currency: subtotal.currency };
}

/** A stored quote's lines as the input they were priced from (to price them again). */
export function linesAsInput(quote: { lines: readonly StoredQuoteLine[] }): LineInput[] {
  return quote.lines.map((line) =>
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
