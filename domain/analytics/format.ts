/**
 * Figures as a person reads them in a review (charts and the HTML document): money from integer minor units with
 * its currency, counts, percentages, always in English (`en`) so a document never depends on the machine that
 * made it. Pure. Money is never turned into a binary float: the minor units are cut into a decimal string by
 * digits and Intl formats that string exactly (Intl.NumberFormat takes decimal strings, Node ≥ 19).
 */

const moneyFormats = new Map<string, Intl.NumberFormat>();
const signedMoneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, signed: boolean): Intl.NumberFormat {
  const cache = signed ? signedMoneyFormats : moneyFormats;
  let format = cache.get(currency);
  if (format === undefined) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency, ...(signed && { signDisplay: 'exceptZero' }) });
    cache.set(currency, format);
  }
  return format;
}

/** The currency's minor-unit digits as ICU knows them (EUR 2, JPY 0, BHD 3). */
export function minorDigits(currency: string): number {
  return moneyFormat(currency, false).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Integer minor units → an exact decimal string in major units: (123456, 2) → "1234.56", (-5, 2) → "-0.05". */
export function minorToDecimal(amount: number, digits: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money must be integer minor units, got ${amount}`);
  const negative = amount < 0;
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${decimal}` : decimal;
}

/**
 * Integer minor units with their currency: (4000000, 'EUR') → "€40,000.00"; signed: "+€1,200.00" / "-€300.00".
 * Without a currency (a figure whose currency is unknown) the amount is shown with two decimals and no symbol.
 */
export function formatMoney(amount: number, currency: string | undefined, options: { signed?: boolean } = {}): string {
  const signed = options.signed === true;
  if (currency === undefined) {
    const decimal = minorToDecimal(amount, 2);
    return new Intl.NumberFormat('en', { minimumFractionDigits: 2, ...(signed && { signDisplay: 'exceptZero' }) }).format(decimal as unknown as number);
  }
  // Intl.NumberFormat formats a decimal string exactly (the TS lib types only say number).
  return moneyFormat(currency, signed).format(minorToDecimal(amount, minorDigits(currency)) as unknown as number);
}

const countFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const signedCountFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1, signDisplay: 'exceptZero' });

/** A count (or days): 1234 → "1,234"; 2.25 → "2.3"; signed: "+3" / "-2" / "0". */
export function formatCount(value: number, options: { signed?: boolean } = {}): string {
  return (options.signed === true ? signedCountFormat : countFormat).format(value);
}

const percentFormat = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });

/** A ratio as a whole percentage: 0.666 → "67%", 1.25 → "125%". */
export function formatPercent(ratio: number): string {
  return percentFormat.format(ratio);
}

const pointsFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1, signDisplay: 'exceptZero' });

/** A change of a ratio in percentage points: 0.05 → "+5 pts", -0.125 → "-12.5 pts". */
export function formatPoints(ratioDelta: number): string {
  return `${pointsFormat.format(Math.round(ratioDelta * 1000) / 10)} pts`;
}
