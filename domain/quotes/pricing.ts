/**
 * Pure quote pricing. No I/O.
 *
 * Rounding rule (DESIGN "API conventions": money is integer minor units, no binary floating point in money math):
 * every amount is computed per line with exact decimal arithmetic (big.js; multiplications only, a percent is
 * applied as `× p × 0.01`, never a division) and rounded ONCE to integer minor units with round-half-even
 * (banker's rounding, `Big.roundHalfEven`: 0.5 → 0, 1.5 → 2, 2.5 → 2), then summed. `round` below is that rounding.
 *
 * - gross         = round(quantity × unitPrice)
 * - lineDiscount  = discountAmount, or round(gross × discountPercent / 100)
 * - quoteDiscount = round((gross − lineDiscount) × quoteDiscountPercent / 100)
 *                   (the quote-level discount applies to each line after that line's own discount)
 * - line.discount = lineDiscount + quoteDiscount;  net = gross − line.discount
 * - tax           = round(net × taxPercent / 100);  total = net + tax
 * - totals: subtotal = Σ gross, discount = Σ line.discount, tax = Σ tax, total = Σ line.total
 *   (sums of integers, never rounded again, so total = subtotal − discount + tax exactly).
 *
 * Amounts stay `Big` until the very end and become JS numbers only after they are checked to be integers
 * no larger than Number.MAX_SAFE_INTEGER.
 *
 * - list          = round(quantity × listUnitPrice): the line at the catalog's price (= gross when the line has
 *                   no catalog price, or is charged at it); totals.list = Σ list
 *
 * Effective discount percent (for the tenant's maximum-discount policy): 1 − net ÷ list, i.e.
 * (list − (subtotal − discount)) / list × 100, rounded once to 2 decimals with round-half-even ("0.00" when the
 * list total is 0, never below 0). A price below the catalog's is a discount like any other: it cannot be used to
 * get past the limit. The policy compares that 2-decimal figure, i.e. the number an approver is shown.
 */
import Big from 'big.js';
import { UnprocessableError, type FieldIssue } from '../errors';

export interface PricedLineInput {
  /** Positive decimal string, at most 6 decimals, e.g. "2", "1.5", "0.25". */
  quantity: string;
  /** Integer minor units (cents), >= 0. */
  unitPrice: number;
  /** Decimal string 0..100 (e.g. "10", "12.5"); mutually exclusive with `discountAmount`. */
  discountPercent?: string;
  /** Integer minor units, 0..gross; mutually exclusive with `discountPercent`. */
  discountAmount?: number;
  /** Decimal string 0..100, from the product's tax category. */
  taxPercent: string;
  /** Integer minor units: the catalog's unit price, when the line is for a product charged at another price. */
  listUnitPrice?: number;
}

/** All integer minor units. */
export interface LineTotals {
  /** The line at the catalog's unit price (= gross without one). */
  list: number;
  gross: number;
  discount: number;
  net: number;
  tax: number;
  total: number;
}

/** All integer minor units; total = subtotal − discount + tax. */
export interface QuoteTotals {
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  /** Σ line list: the quote at catalog prices. Absent on quotes priced before list prices were kept (= subtotal). */
  list?: number;
}

/** Positive decimal, plain notation (no sign, no exponent), at most 6 decimals. */
const QUANTITY = /^\d+(?:\.\d{1,6})?$/;
/** Decimal 0..100 in plain notation, at most 6 decimals (range checked separately). */
const PERCENT = /^\d{1,3}(?:\.\d{1,6})?$/;

const ZERO = new Big(0);
const HUNDRED = new Big(100);
const ONE_HUNDREDTH = new Big('0.01');
const MAX_SAFE = new Big(Number.MAX_SAFE_INTEGER);

/**
 * A private constructor whose division rounds once, to 2 decimals, half-even (big.js rounds the exact quotient
 * using the remainder, so there is no double rounding). The global `Big` settings are left untouched.
 */
const Percent2 = Big();
Percent2.DP = 2;
Percent2.RM = Big.roundHalfEven;

/** The one rounding step: to integer minor units, half-even. */
function round(amount: Big): Big {
  return amount.round(0, Big.roundHalfEven);
}

/** round(amount × percent / 100), computed exactly before the single rounding. */
function percentOf(amount: Big, percent: Big): Big {
  return round(amount.times(percent).times(ONE_HUNDREDTH));
}

function parsePercent(value: unknown): Big | undefined {
  if (typeof value !== 'string' || !PERCENT.test(value)) return undefined;
  const percent = new Big(value);
  return percent.gt(HUNDRED) ? undefined : percent;
}

function parseQuantity(value: unknown): Big | undefined {
  if (typeof value !== 'string' || !QUANTITY.test(value)) return undefined;
  const quantity = new Big(value);
  return quantity.gt(ZERO) ? quantity : undefined;
}

function isMinorUnits(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Converts an exact, already-rounded, range-checked amount; exact because it is an integer ≤ 2^53 − 1. */
function toMinor(amount: Big): number {
  return amount.toNumber();
}

interface ExactLine {
  list: Big;
  gross: Big;
  discount: Big;
  net: Big;
  tax: Big;
  total: Big;
}

function priceLine(line: PricedLineInput, index: number, quoteDiscount: Big | undefined, issues: FieldIssue[]): ExactLine | undefined {
  const base = `body.lines.${index}`;
  let valid = true;
  const refuse = (field: string, message: string): void => {
    issues.push({ path: `${base}.${field}`, message });
    valid = false;
  };

  const quantity = parseQuantity(line.quantity);
  if (quantity === undefined) refuse('quantity', 'Must be a positive decimal with at most 6 decimal places');
  if (!isMinorUnits(line.unitPrice)) refuse('unitPrice', 'Must be a non-negative whole amount in minor units (cents)');
  if (line.listUnitPrice !== undefined && !isMinorUnits(line.listUnitPrice)) refuse('listPrice', 'Must be a non-negative whole amount in minor units (cents)');

  const hasAmount = line.discountAmount !== undefined;
  const hasPercent = line.discountPercent !== undefined;
  let discountPercent: Big | undefined;
  if (hasAmount && hasPercent) {
    refuse('discountAmount', 'Give discountAmount or discountPercent, not both');
    refuse('discountPercent', 'Give discountAmount or discountPercent, not both');
  } else if (hasAmount) {
    if (!isMinorUnits(line.discountAmount)) refuse('discountAmount', 'Must be a non-negative whole amount in minor units (cents)');
  } else if (hasPercent) {
    discountPercent = parsePercent(line.discountPercent);
    if (discountPercent === undefined) refuse('discountPercent', 'Must be a decimal between 0 and 100 with at most 6 decimal places');
  }

  const taxPercent = parsePercent(line.taxPercent);
  if (taxPercent === undefined) refuse('taxPercent', 'Must be a decimal between 0 and 100 with at most 6 decimal places');

  if (!valid || quantity === undefined || taxPercent === undefined || quoteDiscount === undefined) return undefined;

  const gross = round(quantity.times(line.unitPrice));
  const list = line.listUnitPrice === undefined ? gross : round(quantity.times(line.listUnitPrice));
  if (gross.gt(MAX_SAFE) || list.gt(MAX_SAFE)) {
    refuse('quantity', 'Quantity × unitPrice exceeds the largest supported amount');
    return undefined;
  }

  let lineDiscount = ZERO;
  if (line.discountAmount !== undefined) {
    lineDiscount = new Big(line.discountAmount);
    if (lineDiscount.gt(gross)) {
      refuse('discountAmount', `Must not exceed the line's gross amount (${gross.toFixed(0)})`);
      return undefined;
    }
  } else if (discountPercent !== undefined) {
    lineDiscount = percentOf(gross, discountPercent);
  }

  const discount = lineDiscount.plus(percentOf(gross.minus(lineDiscount), quoteDiscount));
  const net = gross.minus(discount);
  const tax = percentOf(net, taxPercent);
  const total = net.plus(tax);
  if (total.gt(MAX_SAFE)) {
    refuse('quantity', 'The line total exceeds the largest supported amount');
    return undefined;
  }
  return { list, gross, discount, net, tax, total };
}

/**
 * Prices a quote per the rounding rule at the top of this module. Every refusal is collected and thrown together
 * as one `UnprocessableError` whose issues name the offending field (`body.lines.<i>.quantity`,
 * `body.lines.<i>.unitPrice`, `body.lines.<i>.discountAmount`, `body.lines.<i>.discountPercent`,
 * `body.lines.<i>.taxPercent`, `body.discountPercent`, or `body.lines` when only the sum is too large).
 */
export function priceQuote(
  lines: readonly PricedLineInput[],
  quoteDiscountPercent?: string,
): { lines: LineTotals[]; totals: QuoteTotals } {
  const issues: FieldIssue[] = [];

  const quoteDiscount = quoteDiscountPercent === undefined ? ZERO : parsePercent(quoteDiscountPercent);
  if (quoteDiscount === undefined) {
    issues.push({ path: 'body.discountPercent', message: 'Must be a decimal between 0 and 100 with at most 6 decimal places' });
  }

  const exact: ExactLine[] = [];
  lines.forEach((line, index) => {
    const priced = priceLine(line, index, quoteDiscount, issues);
    if (priced !== undefined) exact.push(priced);
  });

  let list = ZERO;
  let subtotal = ZERO;
  let discount = ZERO;
  let tax = ZERO;
  let total = ZERO;
  for (const line of exact) {
    list = list.plus(line.list);
    subtotal = subtotal.plus(line.gross);
    discount = discount.plus(line.discount);
    tax = tax.plus(line.tax);
    total = total.plus(line.total);
  }
  if (issues.length === 0 && [list, subtotal, discount, tax, total].some((sum) => sum.gt(MAX_SAFE))) {
    issues.push({ path: 'body.lines', message: 'The quote total exceeds the largest supported amount' });
  }
  if (issues.length > 0) throw new UnprocessableError('The quote cannot be priced', issues);

  return {
    lines: exact.map((line) => ({
      list: toMinor(line.list),
      gross: toMinor(line.gross),
      discount: toMinor(line.discount),
      net: toMinor(line.net),
      tax: toMinor(line.tax),
      total: toMinor(line.total),
    })),
    totals: { subtotal: toMinor(subtotal), discount: toMinor(discount), tax: toMinor(tax), total: toMinor(total), list: toMinor(list) },
  };
}

/**
 * 1 − net ÷ list as a percent: (list − (subtotal − discount)) × 100 / list, a decimal string with exactly 2
 * decimals, rounded once, half-even; "0.00" when the list total is 0 or the quote is charged above it. Without a
 * list total (quotes priced before list prices were kept) the list is the subtotal: discount / subtotal × 100.
 * Throws RangeError for totals that are not non-negative safe integers (a programming error: totals come from
 * `priceQuote`).
 */
export function effectiveDiscountPercent(totals: Pick<QuoteTotals, 'subtotal' | 'discount' | 'list'>): string {
  const list = totals.list ?? totals.subtotal;
  if (!isMinorUnits(totals.subtotal) || !isMinorUnits(totals.discount) || !isMinorUnits(list)) {
    throw new RangeError('subtotal, discount and list must be non-negative safe integers');
  }
  const belowList = list - (totals.subtotal - totals.discount);
  if (list === 0 || belowList <= 0) return '0.00';
  return new Percent2(belowList).times(HUNDRED).div(list).toFixed(2);
}

/**
 * Whether the quote's effective discount percent (2 decimals, as returned by `effectiveDiscountPercent`)
 * is strictly above the tenant's maximum. `maxDiscountPercent` is a decimal string 0..100; anything else is a
 * RangeError (a bad tenant setting is a fault, not bad request input).
 */
export function exceedsDiscountLimit(totals: Pick<QuoteTotals, 'subtotal' | 'discount' | 'list'>, maxDiscountPercent: string): boolean {
  const limit = parsePercent(maxDiscountPercent);
  if (limit === undefined) throw new RangeError('maxDiscountPercent must be a decimal between 0 and 100');
  return new Big(effectiveDiscountPercent(totals)).gt(limit);
}
