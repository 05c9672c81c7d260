import { describe, expect, it } from 'vitest';
import { activeOn, isDueToActivate, planSigning, type ContractStatus } from '../../domain/contracts/rules';
import { templateIssues } from '../../domain/contracts/placeholders';
import { contractDocument } from '../../domain/contracts';
import { ConflictError, UnprocessableError } from '../../domain/errors';

const now = new Date('2026-05-04T12:00:00Z');

describe('signing', () => {
  it.each<ContractStatus>(['draft', 'pending_approval', 'rejected', 'signed', 'active', 'expired', 'terminated', 'renewed'])(
    'refuses a %s contract',
    (status) => {
      expect(() => planSigning({ status, startDate: '2026-05-01' }, '2026-05-04T10:00:00Z', now)).toThrow(ConflictError);
    },
  );

  it('makes an approved contract active at once when its start date has come, else signed', () => {
    expect(planSigning({ status: 'approved', startDate: '2026-05-04' }, '2026-05-04T10:00:00Z', now)).toBe('active');
    expect(planSigning({ status: 'approved', startDate: '2026-06-01' }, '2026-05-04T10:00:00Z', now)).toBe('signed');
  });

  it('refuses a signature dated in the future', () => {
    expect(() => planSigning({ status: 'approved', startDate: '2026-05-01' }, '2026-05-05T10:00:00Z', now)).toThrow(UnprocessableError);
  });

  it('activates a signed contract on its start date', () => {
    expect(activeOn('2026-05-04', now)).toBe(true);
    expect(isDueToActivate({ status: 'signed', startDate: '2026-05-04' }, now)).toBe(true);
    expect(isDueToActivate({ status: 'signed', startDate: '2026-05-05' }, now)).toBe(false);
    expect(isDueToActivate({ status: 'approved', startDate: '2026-05-01' }, now)).toBe(false);
  });
});

describe('template placeholders', () => {
  it('accept every documented placeholder, loops and filters', () => {
    expect(
      templateIssues(
        '{{ company }} {{ today }} {{ customer.address.city }} {{ contacts[0].email }} {{ contacts.size }} {{ opportunity.name }}' +
          '{% for l in quote.lines %}{{ l.totals.net | money }}{% endfor %}{{ quote.totals.tax | money }} {{ contract.renewal }}',
      ),
    ).toEqual([]);
  });

  it('name each unknown placeholder', () => {
    expect(templateIssues('{{ customer.ssn }} {{ secrets }} {{ quote.lines.total }}').map((issue) => issue.message)).toEqual([
      expect.stringContaining('customer.ssn'),
      expect.stringContaining('secrets'),
      expect.stringContaining('quote.lines.total'),
    ]);
  });
});

describe('the contract document', () => {
  it('escapes the title and keeps the rendered body as it is', () => {
    const html = contractDocument({ title: 'A & B <MSA>', body: '<h1>Agreement</h1>' });
    expect(html).toContain('<title>A &#38; B &#60;MSA&#62;</title>');
    expect(html).toContain('<body><h1>Agreement</h1></body>');
  });
});
