/** Money as the table stores it: integer minor units with an ISO 4217 code — never binary floating point. */

/** Integer minor units and an ISO 4217 code, as stored. */
export interface StoredMoney {
  amount: number;
  currency: string;
}

/** One priced line, as stored with its quote and in a contract's money terms (the API's QuoteLine). */
export interface StoredQuoteLine {
  lineId: string;
  productId?: string;
  sku?: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: StoredMoney;
  /** The catalog's unit price when the line was priced, if it was charged at another price. */
  listPrice?: StoredMoney;
  discountPercent?: string;
  discountAmount?: StoredMoney;
  taxCategory: string;
  taxPercent: string;
  totals: { list?: StoredMoney; gross: StoredMoney; discount: StoredMoney; net: StoredMoney; tax: StoredMoney; total: StoredMoney };
}

export interface StoredQuoteTotals {
  /** The quote at catalog prices (absent on quotes priced before list prices were kept: the subtotal). */
  list?: StoredMoney;
  subtotal: StoredMoney;
  discount: StoredMoney;
  tax: StoredMoney;
  total: StoredMoney;
}

/** Integer minor units → "1,234.56" (two-decimal currencies; the quote's currency code is printed beside). */
export function formatMinorUnits(amount: number): string {
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${whole}.${digits.slice(-2)}`;
}
