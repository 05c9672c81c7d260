/**
 * What a contract template may refer to. Templates are checked against this at save time, so a misspelt
 * placeholder is a 422 for the admin writing it, never a blank in a contract sent to a customer.
 */
import { Liquid } from 'liquidjs';
import type { FieldIssue } from '../errors';
import { formatMinorUnits } from '../shared/money';

type Shape = 'value' | { [key: string]: Shape } | { items: Shape };

const money: Shape = { amount: 'value', currency: 'value' };
const address: Shape = { line1: 'value', line2: 'value', city: 'value', region: 'value', postalCode: 'value', country: 'value' };
const line: Shape = {
  description: 'value',
  sku: 'value',
  quantity: 'value',
  unit: 'value',
  unitPrice: money,
  discountPercent: 'value',
  discountAmount: money,
  taxCategory: 'value',
  taxPercent: 'value',
  totals: { gross: money, discount: money, net: money, tax: money, total: money },
};

export const PLACEHOLDERS: Shape = {
  company: 'value',
  today: 'value',
  customer: { name: 'value', domain: 'value', email: 'value', phone: 'value', segment: 'value', industry: 'value', address },
  contacts: { items: { name: 'value', title: 'value', email: 'value', phone: 'value', buyingRole: 'value' } },
  opportunity: { name: 'value' },
  quote: {
    quoteNumber: 'value',
    revision: 'value',
    currency: 'value',
    validUntil: 'value',
    discountPercent: 'value',
    terms: 'value',
    notes: 'value',
    lines: { items: line },
    totals: { subtotal: money, discount: money, tax: money, total: money },
  },
  contract: { title: 'value', startDate: 'value', endDate: 'value', renewal: 'value', specialTerms: 'value', revision: 'value' },
};

let engine: Liquid | undefined;

/**
 * One engine for contracts: HTML-escaped output, a `money` filter over integer minor units. Built on first use,
 * not at import: most functions import this module without ever rendering (cold start).
 */
export function contractEngine(): Liquid {
  if (engine) return engine;
  engine = new Liquid({ outputEscape: 'escape', strictFilters: true });
  engine.registerFilter('money', (value: { amount: number; currency: string } | undefined) =>
    value ? `${formatMinorUnits(value.amount)} ${value.currency}` : '',
  );
  return engine;
}

/** Syntax errors and unknown placeholders of a template body, as field issues on `body.body`. */
export function templateIssues(source: string): FieldIssue[] {
  let segments: Array<Array<string | number>>;
  try {
    segments = contractEngine().globalVariableSegmentsSync(contractEngine().parse(source)) as Array<Array<string | number>>;
  } catch (error) {
    return [{ path: 'body.body', message: `Template syntax: ${(error as Error).message.split('\n')[0]}` }];
  }
  const issues: FieldIssue[] = [];
  for (const path of segments) {
    const problem = checkPath(path);
    if (problem) issues.push({ path: 'body.body', message: `Unknown placeholder ${path.join('.')}: ${problem}` });
  }
  return issues;
}

function checkPath(path: ReadonlyArray<string | number>): string | undefined {
  let shape: Shape = PLACEHOLDERS;
  for (const segment of path) {
    if (shape === 'value') return 'it has no fields';
    if ('items' in shape && Object.keys(shape).length === 1) {
      if (typeof segment === 'number' || segment === 'first' || segment === 'last') {
        shape = shape.items as Shape;
        continue;
      }
      if (segment === 'size') return undefined;
      return 'a list is read by index, first, last or in a for loop';
    }
    const next: Shape | undefined = (shape as Record<string, Shape>)[String(segment)];
    if (next === undefined) return `no "${segment}" here (known: ${Object.keys(shape).join(', ')})`;
    shape = next;
  }
  return undefined;
}
