/**
 * Pricing a quote's lines on the server: each line resolved against the catalog and the tenant's tax rates,
 * then priced by pricing.ts (exact decimals, one rounding rule). A client-sent total does not exist in the API.
 */
import { readProduct, type ProductItem } from '../catalog';
import type { SettingsView } from '../settings/schemas';
import { ForbiddenError, NotFoundError, UnprocessableError, type FieldIssue } from '../errors';
import { seesWholeTenant, type Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { compact } from '../shared/records';
import type { StoredQuoteLine, StoredQuoteTotals } from '../shared/money';
import { effectiveDiscountPercent, exceedsDiscountLimit, priceQuote } from './pricing';
import type { CreateQuoteInput, QuoteLineView, QuoteView } from './schemas';

export type LineInput = CreateQuoteInput['lines'][number];
/** A line to price: as a caller sent it, or a stored line priced again (which keeps the list price it had). */
type PricingLine = LineInput & { listPrice?: Money };
type Money = { amount: number; currency: string };

/**
 * Everything wrong with the lines is reported at once, each issue naming its line. `fromCaller`: the lines are
 * what the caller sent (not the stored lines of a quote priced again), so who may set a price is checked.
 * A product line keeps the catalog's price as its list price: charging less is a discount (pricing.ts).
 */
export async function priceLines(
  deps: Deps,
  actor: Actor,
  input: { lines: readonly PricingLine[]; currency: string; discountPercent?: string; fromCaller: boolean },
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

  if (input.fromCaller && !seesWholeTenant(actor)) assertChargesCatalog(input.lines, products, input.currency);

  const issues: FieldIssue[] = [];
  const resolved = input.lines.map((line, index) => {
    const at = `body.lines.${index}`;
    const product = line.productId ? products.get(line.productId) : undefined;
    if (line.productId && !product) issues.push({ path: `${at}.productId`, message: 'No such product' });
    else if (product && !product.active) issues.push({ path: `${at}.productId`, message: 'The product is inactive' });
    const catalogPrice = catalogPriceOf(product, input.currency);
    const unitPrice = line.unitPrice ?? catalogPrice;
    const listPrice = line.listPrice ?? catalogPrice;
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
      // Kept only where it tells something: a line charged at another price than the catalog's.
      listPrice: listPrice && unitPrice && listPrice.amount !== unitPrice.amount ? listPrice : undefined,
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
      listUnitPrice: line.listPrice?.amount,
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
      totals: { list: money(totals.list), gross: money(totals.gross), discount: money(totals.discount), net: money(totals.net), tax: money(totals.tax), total: money(totals.total) },
    }) as QuoteLineView;
  });
  const totals: QuoteView['totals'] = {
    list: money(priced.totals.list ?? priced.totals.subtotal),
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

const catalogPriceOf = (product: ProductItem | null | undefined, currency: string): Money | undefined =>
  product?.unitPrices.find((price) => price.currency === currency);

/**
 * Reps charge the catalog: a product line's price and any line's tax category are what the catalog (or the
 * `standard` rate) says, unless a manager or an admin sets them — otherwise a lower price would be a discount no
 * limit and no approval sees. Sending the catalog's own value is not an override.
 */
function assertChargesCatalog(lines: readonly PricingLine[], products: ReadonlyMap<string, ProductItem | null>, currency: string): void {
  const overrides: FieldIssue[] = [];
  lines.forEach((line, index) => {
    const at = `body.lines.${index}`;
    const product = line.productId ? products.get(line.productId) : undefined;
    if (product && line.unitPrice !== undefined) {
      const catalog = catalogPriceOf(product, currency);
      if (catalog === undefined || catalog.amount !== line.unitPrice.amount || line.unitPrice.currency !== currency) {
        overrides.push({
          path: `${at}.unitPrice`,
          message: catalog ? `Only managers and admins override the catalog price (${catalog.amount} ${currency})` : `Only managers and admins price a product the catalog has no ${currency} price for`,
        });
      }
    }
    const defaultCategory = product?.taxCategory ?? 'standard';
    if (line.taxCategory !== undefined && line.taxCategory !== defaultCategory) {
      overrides.push({ path: `${at}.taxCategory`, message: `Only managers and admins change the tax category (${defaultCategory} here)` });
    }
  });
  if (overrides.length > 0) throw new ForbiddenError('Only managers and admins set a price or tax category other than the catalog\'s', overrides);
}

/** What the primary quote contributes to the opportunity: the amount net of discounts, before tax. */
export function netAmount(quote: { totals: StoredQuoteTotals }): Money {
  const { subtotal, discount } = quote.totals;
  return { amount: subtotal.amount - discount.amount, currency: subtotal.currency };
}

/** A stored quote's lines as the input they were priced from (to price them again). */
export function linesAsInput(quote: { lines: readonly StoredQuoteLine[] }): PricingLine[] {
  return quote.lines.map((line) =>
    compact({
      productId: line.productId,
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      listPrice: line.listPrice ?? line.unitPrice,
      discountPercent: line.discountPercent,
      discountAmount: line.discountAmount,
      taxCategory: line.taxCategory,
    }) as PricingLine,
  );
}
