/**
 * The pure parts of the KPI rollup (issue 16): what one record contributes (domain/analytics/contributions.ts) —
 * exact counters for hand-made facts, in Berlin with a fiscal year from April, across a daylight-saving change —,
 * the difference the rollup applies (counters.ts), how it packs a page of changes into transactions (rollup.ts),
 * and which aggregates a recompute of a period rebuilds (recompute.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateKey, type Family } from '../../domain/analytics/aggregate-keys';
import { contributionDelta, type Contribution, type Counters } from '../../domain/analytics/counters';
import {
  contributionOf,
  durationBucket,
  localDaysBetween,
  weightedAmount,
  type ContributionContext,
  type OpportunityFacts,
} from '../../domain/analytics/contributions';
import { parsePeriod } from '../../domain/analytics/periods';
import { periodIdsInside, periodsInside } from '../../domain/analytics/recompute';
import { packTransactions } from '../../domain/analytics/rollup';

const berlinApril = { timezone: 'Europe/Berlin', fiscalYearStartMonth: 4 };
const context: ContributionContext = { calendar: berlinApril, baseCurrency: 'EUR', teamOf: (user) => (user === 'bob' ? 'east' : null) };
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The same counters in every scope given: `{ family: { period: counters } }` → a contribution. */
function inScopes(scopes: readonly string[], byFamily: Partial<Record<Family, Record<string, Counters>>>): Contribution {
  const result: Contribution = {};
  for (const [family, periods] of Object.entries(byFamily) as Array<[Family, Record<string, Counters>]>) {
    for (const [period, counters] of Object.entries(periods)) for (const scope of scopes) result[aggregateKey(family, period, scope)] = counters;
  }
  return result;
}

function deal(facts: Partial<OpportunityFacts> & Pick<OpportunityFacts, 'createdAt'>): OpportunityFacts {
  return {
    kind: 'opportunity',
    opportunityId: 'd1',
    owner: 'carol',
    status: 'open',
    stage: 'lead',
    probability: 10,
    expectedCloseDate: '2027-06-30',
    stageChanges: [{ to: 'lead', at: facts.createdAt }],
    closeDateChanges: [{ to: facts.expectedCloseDate ?? '2027-06-30', at: facts.createdAt }],
    ...facts,
  };
}

describe('what a deal contributes', () => {
  it('a won deal: its cohort, its close, local cycle days across the spring DST change, its stays, its due period', () => {
    // Created at 00:30 on Sunday 28 March in Berlin (CET), won at 00:30 on Monday 29 March (CEST): 23 hours, one local day.
    const createdAt = '2027-03-27T23:30:00.000Z';
    const closedAt = '2027-03-28T22:30:00.000Z';
    const facts = deal({
      owner: 'bob',
      status: 'won',
      stage: 'won',
      probability: 100,
      amount: { amount: 1_000_000, currency: 'EUR' },
      createdAt,
      closedAt,
      expectedCloseDate: '2027-03-31',
      stageChanges: [
        { to: 'lead', at: createdAt },
        { from: 'lead', to: 'negotiation', at: '2027-03-28T11:30:00.000Z' }, // 12 h in lead (13:30 CEST)
        { from: 'negotiation', to: 'won', at: closedAt }, // 11 h in negotiation
      ],
      closeDateChanges: [{ to: '2027-03-31', at: createdAt }],
    });
    const cohort = { created: 1, 'entered|lead': 1, 'entered|negotiation': 1, 'entered|won': 1, cohortWon: 1 };
    const close = { won: 1, revenueWon: 1_000_000, 'cycleDays|1': 1 };
    const all = { ...cohort, ...close, due: 1 };
    expect(contributionOf(facts, context)).toEqual(
      inScopes(['rep:bob', 'team:east', 'tenant'], {
        flow: {
          '2027-03-28': cohort,
          '2027-W12': cohort, // Sunday 28 March ends ISO week 12
          '2027-03-29': close,
          '2027-W13': close,
          '2027-03': all,
          'FY2027-Q4': all, // March closes the fiscal year that started in April 2026
          FY2027: all,
        },
        stays: {
          '2027-03-28': { 'stay|lead|0.5': 1 },
          '2027-W12': { 'stay|lead|0.5': 1 },
          '2027-03-29': { 'stay|negotiation|0.5': 1 },
          '2027-W13': { 'stay|negotiation|0.5': 1 },
          '2027-03': { 'stay|lead|0.5': 1, 'stay|negotiation|0.5': 1 },
          'FY2027-Q4': { 'stay|lead|0.5': 1, 'stay|negotiation|0.5': 1 },
          FY2027: { 'stay|lead|0.5': 1, 'stay|negotiation|0.5': 1 },
        },
      }),
    );
  });

  it('an open deal: push rate per month, quarter and year, the open pipeline with its weighted amount rounded half up', () => {
    const createdAt = '2027-04-10T08:00:00.000Z';
    const facts = deal({
      stage: 'quote',
      probability: 50,
      amount: { amount: 15, currency: 'USD' }, // 15 × 50 % = 7.5 → 8
      forecastCategoryOverride: 'commit',
      createdAt,
      expectedCloseDate: '2027-06-10',
      stageChanges: [
        { to: 'lead', at: createdAt },
        { from: 'lead', to: 'quote', at: '2027-04-12T08:00:00.000Z' },
      ],
      // May → July: pushed out of May and out of the first quarter; July → June: pulled in, not a push.
      closeDateChanges: [
        { to: '2027-05-20', at: createdAt },
        { from: '2027-05-20', to: '2027-07-02', at: '2027-04-20T08:00:00.000Z' },
        { from: '2027-07-02', to: '2027-06-10', at: '2027-05-01T08:00:00.000Z' },
      ],
    });
    const cohort = { created: 1, 'entered|lead': 1, 'entered|quote': 1 };
    const open = { 'open|quote|commit|count': 1, 'open|quote|commit|amount|USD': 15, 'open|quote|commit|weighted|USD': 8 };
    const stay = { 'stay|lead|2.0': 1 };
    expect(contributionOf(facts, context)).toEqual(
      inScopes(['rep:carol', 'tenant'], {
        flow: {
          '2027-04-10': cohort,
          '2027-W14': cohort,
          '2027-04': cohort,
          '2027-05': { due: 1, pushed: 1 },
          '2027-06-10': open,
          '2027-W23': open,
          '2027-06': { due: 1, ...open },
          '2027-07': { due: 1 },
          'FY2028-Q1': { ...cohort, due: 1, pushed: 1, ...open },
          'FY2028-Q2': { due: 1 },
          FY2028: { ...cohort, due: 1, ...open },
          open,
        },
        stays: { '2027-04-12': stay, '2027-W15': stay, '2027-04': stay, 'FY2028-Q1': stay, FY2028: stay },
      }),
    );
  });

  it('a lost deal counts lost in its close periods and no revenue', () => {
    const facts = deal({
      status: 'lost',
      stage: 'lost',
      probability: 0,
      amount: { amount: 5_000, currency: 'EUR' },
      createdAt: '2027-05-03T08:00:00.000Z',
      closedAt: '2027-05-04T08:00:00.000Z',
      stageChanges: [
        { to: 'lead', at: '2027-05-03T08:00:00.000Z' },
        { from: 'lead', to: 'lost', at: '2027-05-04T08:00:00.000Z' },
      ],
    });
    expect(contributionOf(facts, context)['flow/2027-05/tenant']).toEqual({ created: 1, 'entered|lead': 1, 'entered|lost': 1, cohortLost: 1, lost: 1 });
  });

  const won = (amount: OpportunityFacts['amount'], closeRate?: OpportunityFacts['closeRate']) =>
    deal({
      status: 'won',
      stage: 'won',
      probability: 100,
      amount,
      closeRate,
      createdAt: '2027-05-03T08:00:00.000Z',
      closedAt: '2027-05-10T08:00:00.000Z',
      stageChanges: [
        { to: 'lead', at: '2027-05-03T08:00:00.000Z' },
        { from: 'lead', to: 'won', at: '2027-05-10T08:00:00.000Z' },
      ],
    });
  const usdRate = (rate: string) => ({ currency: 'USD', rate, effectiveFrom: '2027-01-01' });

  it.each([
    ['base currency', won({ amount: 1_000, currency: 'EUR' }), { revenueWon: 1_000 }],
    ['USD at its frozen rate', won({ amount: 1_000_001, currency: 'USD' }, usdRate('0.9130')), { revenueWon: 913_001 }], // 913 000.913
    ['converted, half up', won({ amount: 1_000, currency: 'USD' }, usdRate('1.0725')), { revenueWon: 1_073 }], // 1 072.5
    ['converted, half up from a half', won({ amount: 5, currency: 'USD' }, usdRate('0.1')), { revenueWon: 1 }], // 0.5
    ['USD without a rate: unconverted', won({ amount: 25_000, currency: 'USD' }), { 'wonUnconverted|USD': 1, 'revenueUnconverted|USD': 25_000 }],
    ['a rate of another currency: unconverted', won({ amount: 25_000, currency: 'USD' }, { currency: 'GBP', rate: '1.17', effectiveFrom: '2027-01-01' }), {
      'wonUnconverted|USD': 1,
      'revenueUnconverted|USD': 25_000,
    }],
    ['no amount: won, no revenue', won(undefined), {}],
  ])('revenue of a won deal: %s', (_case, facts, revenue) => {
    expect(contributionOf(facts, context)['flow/2027-05-10/tenant']).toEqual({ won: 1, 'cycleDays|7': 1, ...revenue });
  });
});

describe('what an activity and a customer contribute', () => {
  it.each([
    // The autumn DST change: 31 October 2027 lasts 25 hours in Berlin.
    ['2027-10-30T22:30:00.000Z', '2027-10-31', '2027-W43', '2027-10', 'FY2028-Q3'], // 00:30 CEST
    ['2027-10-31T22:30:00.000Z', '2027-10-31', '2027-W43', '2027-10', 'FY2028-Q3'], // 23:30 CET, the same day
    ['2027-10-31T23:00:00.000Z', '2027-11-01', '2027-W44', '2027-11', 'FY2028-Q3'],
    // The fiscal year turns at local midnight of 1 April (CEST).
    ['2027-03-31T21:59:59.000Z', '2027-03-31', '2027-W13', '2027-03', 'FY2027-Q4'],
    ['2027-03-31T22:00:00.000Z', '2027-04-01', '2027-W13', '2027-04', 'FY2028-Q1'],
  ])('an activity at %s counts on %s', (occurredAt, day, week, month, quarter) => {
    const contribution = contributionOf({ kind: 'activity', activityId: 'a1', type: 'call', occurredAt, createdBy: 'bob' }, context);
    const year = quarter.slice(0, 6);
    expect(contribution).toEqual(inScopes(['rep:bob', 'team:east', 'tenant'], { flow: Object.fromEntries([day, week, month, quarter, year].map((period) => [period, { 'activities|call': 1 }])) }));
  });

  it('a customer counts once, when it first became one; a lead counts nothing', () => {
    const since = contributionOf({ kind: 'customer', customerId: 'c1', owner: 'carol', customerSince: '2027-03-31T22:00:00.000Z' }, context);
    expect(Object.keys(since).sort()).toEqual(
      ['2027-04-01', '2027-W13', '2027-04', 'FY2028-Q1', 'FY2028'].flatMap((period) => ['rep:carol', 'tenant'].map((scope) => `flow/${period}/${scope}`)).sort(),
    );
    expect(since['flow/FY2028/tenant']).toEqual({ newCustomers: 1 });
    expect(contributionOf({ kind: 'customer', customerId: 'c2', owner: 'carol' }, context)).toEqual({});
  });
});

describe('KPI arithmetic', () => {
  it.each([
    // amount, probability, weighted (half up)
    [5, 10, 1],
    [4, 10, 0],
    [15, 50, 8],
    [1, 50, 1],
    [500_001, 10, 50_000],
    [999, 80, 799],
    [0, 80, 0],
    [2_999_999, 100, 2_999_999],
  ])('%i at %i percent weighs %i', (amount, probability, weighted) => {
    expect(weightedAmount(amount, probability)).toBe(weighted);
  });

  it.each([
    [0, '0.0'],
    [-5_000, '0.0'],
    [0.05 * DAY - 1, '0.0'],
    [0.05 * DAY, '0.1'], // half up
    [12 * HOUR, '0.5'],
    [DAY, '1.0'],
    [9.94 * DAY, '9.9'],
    // Rounds to 10 days: a whole-day bucket, the same as 10.4 days (not a second bucket "10.0").
    [9.96 * DAY, '10'],
    [10 * DAY, '10'],
    [10.4 * DAY, '10'],
    [10.5 * DAY, '11'],
    [998.6 * DAY, '999'],
    [5_000 * DAY, '999'],
  ])('a stay of %i ms is in bucket %s', (milliseconds, bucket) => {
    expect(durationBucket(milliseconds)).toBe(bucket);
  });

  it.each([
    ['2027-03-27T23:30:00.000Z', '2027-03-28T22:30:00.000Z', 1], // 23 hours over the spring change, 28 → 29 March
    ['2027-10-30T22:30:00.000Z', '2027-10-31T22:30:00.000Z', 0], // 24 hours inside the 25-hour 31 October
    ['2027-03-31T21:59:59.000Z', '2027-03-31T22:00:00.000Z', 1], // one second, across local midnight
    ['2027-04-05T10:00:00.000Z', '2027-04-01T10:00:00.000Z', 0], // never negative
  ])('local days from %s to %s: %i', (from, to, days) => {
    expect(localDaysBetween(from, to, berlinApril)).toBe(days);
  });
});

describe('the difference the rollup applies', () => {
  it.each([
    ['new', {}, { a: { x: 1 } }, { a: { x: 1 } }],
    ['gone', { a: { x: 1, y: 2 } }, {}, { a: { x: -1, y: -2 } }],
    ['unchanged', { a: { x: 1 } }, { a: { x: 1 } }, {}],
    ['changed, moved and added', { a: { x: 2, y: 1 }, b: { z: 1 } }, { a: { x: 3, y: 1 }, c: { w: 4 } }, { a: { x: 1 }, b: { z: -1 }, c: { w: 4 } }],
    ['a counter renamed', { a: { 'stay|lead|1.0': 1 } }, { a: { 'stay|lead|1.1': 1 } }, { a: { 'stay|lead|1.0': -1, 'stay|lead|1.1': 1 } }],
  ] as Array<[string, Contribution, Contribution, Contribution]>)('%s', (_case, before, after, delta) => {
    const copies = JSON.stringify([before, after]);
    expect(contributionDelta(before, after)).toEqual(delta);
    expect(JSON.stringify([before, after])).toBe(copies);
  });
});

describe('packing a page of changes into transactions', () => {
  const pair = (subject: string, key: string) => ({ subject, key, delta: { x: 1 } });
  const items = (transaction: ReadonlyArray<{ subject: string; key: string }>) =>
    new Set(transaction.map((item) => item.key)).size + new Set(transaction.map((item) => item.subject)).size;

  it.each([
    ['nothing: one transaction (the state moves)', [], [0]],
    ['one subject, 98 keys: 99 items', Array.from({ length: 98 }, (_, index) => pair('s', `k${index}`)), [98]],
    ['one subject, 99 keys: 100 items, split', Array.from({ length: 99 }, (_, index) => pair('s', `k${index}`)), [98, 1]],
    ['99 subjects of one key', Array.from({ length: 99 }, (_, index) => pair(`s${index}`, 'k')), [98, 1]],
  ])('%s', (_case, pairs, sizes) => {
    expect(packTransactions(pairs).map((transaction) => transaction.length)).toEqual(sizes);
  });

  it('never puts more than 99 items in a transaction, always makes one at least, and keeps every pair once, in order', () => {
    const pairs = fc.array(
      fc.record({ subject: fc.integer({ min: 0, max: 120 }), key: fc.integer({ min: 0, max: 400 }) }).map(({ subject, key }) => pair(`s${subject}`, `k${key}`)),
      { maxLength: 600 },
    );
    fc.assert(
      fc.property(pairs, (input) => {
        const transactions = packTransactions(input);
        expect(transactions.length).toBeGreaterThanOrEqual(1);
        for (const transaction of transactions) expect(items(transaction)).toBeLessThanOrEqual(99);
        if (input.length > 0) for (const transaction of transactions) expect(transaction.length).toBeGreaterThan(0);
        expect(transactions.flat()).toEqual(input);
      }),
    );
  });
});

describe('the aggregates a recompute of a period rebuilds', () => {
  it('a fiscal year: itself, its quarters, months and days, and only the weeks wholly inside it', () => {
    const ids = periodIdsInside(parsePeriod('FY2028', berlinApril), berlinApril);
    expect(new Set(ids).size).toBe(ids.length);
    // 1 year, 4 quarters, 12 months, 366 days (29 February 2028), weeks 2027-W14 (from Monday 5 April) to 2028-W12.
    expect(ids).toHaveLength(1 + 4 + 12 + 366 + 51);
    expect(ids).toEqual(expect.arrayContaining(['FY2028', 'FY2028-Q4', '2027-04', '2028-03', '2027-04-01', '2028-02-29', '2028-03-31', '2027-W14', '2027-W52', '2028-W12']));
    for (const outside of ['FY2027', 'FY2029-Q1', '2027-03', '2027-03-31', '2028-04-01', '2027-W13', '2028-W13']) expect(ids).not.toContain(outside);
  });

  it('a fiscal quarter: 3 months, 91 days, the 12 weeks wholly inside', () => {
    const ids = periodIdsInside(parsePeriod('FY2028-Q1', berlinApril), berlinApril);
    expect(ids).toHaveLength(1 + 3 + 91 + 12);
    expect(ids.filter((id) => id.includes('W')).sort()).toEqual(Array.from({ length: 12 }, (_, index) => `2027-W${14 + index}`));
  });

  it.each([
    ['flow/FY2028-Q1/tenant', true],
    ['stays/2027-05/rep:bob', true],
    ['flow/2027-04-01/team:east', true],
    ['flow/2027-06-30/tenant', true],
    ['flow/2027-07-01/tenant', false],
    ['flow/2027-03-31/tenant', false],
    ['flow/2027-W13/tenant', false], // 29 March – 4 April: only partly inside
    ['flow/2027-W26/tenant', false], // 28 June – 4 July
    ['flow/FY2028/tenant', false], // the year holds the quarter, not the other way round
    ['flow/open/tenant', false], // the open pipeline is no period
  ])('FY2028-Q1 holds %s: %s', (key, inside) => {
    expect(periodsInside(parsePeriod('FY2028-Q1', berlinApril), berlinApril)(key)).toBe(inside);
  });
});
