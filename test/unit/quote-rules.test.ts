import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, UnprocessableError } from '../../domain/errors';
import { formatMinorUnits, renderQuoteDocument } from '../../domain/quotes/document';
import { addDays, assertEditable, hasExpired, planQuoteAction, type QuoteAction, type QuoteStatus } from '../../domain/quotes/rules';
import type { Actor } from '../../domain/shared/actor';

const rep: Actor = { tenantId: 't', userId: 'bob', roles: ['rep'] };
const manager: Actor = { tenantId: 't', userId: 'alice', roles: ['manager'] };
const today = '2026-05-04';
const quote = (status: QuoteStatus, overrides: Partial<{ validUntil: string; needsApproval: boolean }> = {}) => ({
  status,
  validUntil: '2026-06-01',
  needsApproval: false,
  ...overrides,
});

describe('quote lifecycle', () => {
  const table: Array<[QuoteStatus, QuoteAction, QuoteStatus | 'conflict']> = [
    ['draft', 'send', 'sent'],
    ['draft', 'accept', 'conflict'],
    ['draft', 'reject', 'conflict'],
    ['draft', 'revise', 'conflict'],
    ['sent', 'send', 'conflict'],
    ['sent', 'accept', 'accepted'],
    ['sent', 'reject', 'rejected'],
    ['sent', 'revise', 'draft'],
    ['accepted', 'send', 'conflict'],
    ['accepted', 'reject', 'conflict'],
    ['accepted', 'revise', 'conflict'],
    ['rejected', 'accept', 'conflict'],
    ['rejected', 'revise', 'draft'],
    ['expired', 'accept', 'conflict'],
    ['expired', 'revise', 'draft'],
  ];

  it.each(table)('%s + %s → %s', (status, action, outcome) => {
    const run = () => planQuoteAction(quote(status), action, { actor: rep, today });
    if (outcome === 'conflict') expect(run).toThrow(ConflictError);
    else expect(run()).toBe(outcome);
  });

  it('a sent quote past its date has expired and can no longer be accepted', () => {
    expect(hasExpired(quote('sent', { validUntil: '2026-05-03' }), today)).toBe(true);
    expect(hasExpired(quote('sent', { validUntil: today }), today)).toBe(false);
    expect(hasExpired(quote('draft', { validUntil: '2026-01-01' }), today)).toBe(false);
    expect(() => planQuoteAction(quote('sent', { validUntil: '2026-05-03' }), 'accept', { actor: rep, today })).toThrow(ConflictError);
  });

  it('an out-of-date draft is not sent; a discount beyond the limit is sent by a manager only', () => {
    expect(() => planQuoteAction(quote('draft', { validUntil: '2026-05-01' }), 'send', { actor: rep, today })).toThrow(UnprocessableError);
    expect(() => planQuoteAction(quote('draft', { needsApproval: true }), 'send', { actor: rep, today })).toThrow(ForbiddenError);
    expect(planQuoteAction(quote('draft', { needsApproval: true }), 'send', { actor: manager, today })).toBe('sent');
  });

  it('only drafts are editable', () => {
    expect(() => assertEditable('draft')).not.toThrow();
    for (const status of ['sent', 'accepted', 'rejected', 'expired'] as const) expect(() => assertEditable(status)).toThrow(ConflictError);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-15', 30)).toBe('2027-01-14');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('the quote document', () => {
  const money = (amount: number) => ({ amount, currency: 'EUR' });
  const data = {
    company: 'Acme <Sales>',
    customer: { name: 'Bobby "Tables"; DROP' },
    opportunity: { name: '<script>alert(1)</script>' },
    quote: {
      quoteNumber: 'Q1',
      revision: 2,
      status: 'sent',
      validUntil: '2026-06-01',
      lines: [{ description: 'Licence & support', sku: 'LIC-1', quantity: '2', unit: 'each', unitPrice: money(100000), taxPercent: '13', totals: { discount: money(20000), tax: money(23400), total: money(203400) } }],
      totals: { subtotal: money(200000), discount: money(20000), tax: money(23400), total: money(203400) },
      terms: 'Net 30 <b>days</b>',
    },
  };

  it('formats minor units exactly', () => {
    expect(formatMinorUnits(203400)).toBe('2,034.00');
    expect(formatMinorUnits(7)).toBe('0.07');
    expect(formatMinorUnits(123456789012)).toBe('1,234,567,890.12');
  });

  it('renders lines and totals, escaping everything that came from people', () => {
    const html = renderQuoteDocument(data);
    expect(html).toContain('2,034.00 EUR');
    expect(html).toContain('revision 2');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Licence &amp; support');
    expect(html).toContain('Net 30 &lt;b&gt;days&lt;/b&gt;');
    expect(html).not.toContain('<script>');
  });
});
