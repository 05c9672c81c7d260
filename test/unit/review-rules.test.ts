/** The weekly review's rules (domain/analytics/review-rules.ts): when a week's review is due, stuck deals, headline rows. */
import { describe, expect, it } from 'vitest';
import { reviewDue } from '../../domain/analytics';
import type { KpiValues } from '../../domain/analytics/kpis';
import { reviewKpiRows, stuckReason } from '../../domain/analytics/review-rules';

describe('reviewDue', () => {
  it.each([
    // Berlin in winter (UTC+1): Monday 22 March 2027 07:00 local is 06:00 UTC.
    ['2027-03-22T05:59:59.999Z', 'Europe/Berlin', undefined, '2027-W10', '2027-03-15T06:00:00.000Z'],
    ['2027-03-22T06:00:00.000Z', 'Europe/Berlin', undefined, '2027-W11', '2027-03-22T06:00:00.000Z'],
    ['2027-03-28T21:00:00.000Z', 'Europe/Berlin', undefined, '2027-W11', '2027-03-22T06:00:00.000Z'],
    // After the change to summer time (UTC+2, 28 March): 07:00 local is 05:00 UTC.
    ['2027-03-29T04:59:00.000Z', 'Europe/Berlin', undefined, '2027-W11', '2027-03-22T06:00:00.000Z'],
    ['2027-03-29T05:00:00.000Z', 'Europe/Berlin', undefined, '2027-W12', '2027-03-29T05:00:00.000Z'],
    // Each tenant's own Monday 07:00: at 07:30 UTC it is 03:30 in New York (summer time since 14 March).
    ['2027-03-22T07:30:00.000Z', 'UTC', undefined, '2027-W11', '2027-03-22T07:00:00.000Z'],
    ['2027-03-22T07:30:00.000Z', 'America/New_York', undefined, '2027-W10', '2027-03-15T11:00:00.000Z'],
    // ISO week-numbering years: Monday 4 January 2027 reviews 2026-W53 (28 December – 3 January).
    ['2027-01-04T07:00:00.000Z', 'UTC', undefined, '2026-W53', '2027-01-04T07:00:00.000Z'],
    // Made already (that week or a later one): nothing is due.
    ['2027-03-22T06:00:00.000Z', 'Europe/Berlin', '2027-W10', '2027-W11', '2027-03-22T06:00:00.000Z'],
  ])('at %s in %s (last made %s): %s, due since %s', (now, timezone, last, week, dueAt) => {
    expect(reviewDue(new Date(now), timezone, last)).toEqual({ week, dueAt: new Date(dueAt) });
  });

  it('is null once the week (or a later one) was made', () => {
    expect(reviewDue(new Date('2027-03-22T06:00:00.000Z'), 'Europe/Berlin', '2027-W11')).toBeNull();
    expect(reviewDue(new Date('2027-03-22T06:00:00.000Z'), 'Europe/Berlin', '2027-W12')).toBeNull();
  });
});

describe('stuckReason', () => {
  const at = new Date('2027-03-22T06:00:00.000Z');
  it.each([
    ['2027-03-02T06:00:00.000Z', 12, 30, 'over_p90'],
    ['2027-03-10T06:00:00.000Z', 12, 30, null],
    ['2027-03-10T05:59:59.000Z', 12, 30, 'over_p90'],
    ['2027-03-18T20:00:00.000Z', 3.5, 30, null],
    ['2027-03-18T06:00:00.000Z', 3.5, 30, 'over_p90'],
    ['2027-03-09T06:00:00.000Z', 12, 30, 'over_p90'],
    ['2027-03-17T06:00:00.000Z', 12, 5, 'stale'],
    ['2027-03-17T06:00:01.000Z', 12, 5, null],
    ['2027-03-17T06:00:00.000Z', null, 30, null],
    ['2027-02-01T06:00:00.000Z', null, 30, 'stale'],
    // Both: the stronger signal.
    ['2027-02-01T06:00:00.000Z', 2, 30, 'over_p90'],
  ] as const)('in stage since %s, p90 %s days, stale after %s days: %s', (enteredAt, p90, staleAfter, reason) => {
    expect(stuckReason(enteredAt, at, p90, staleAfter)).toBe(reason);
  });
});

describe('reviewKpiRows', () => {
  const values = (overrides: Partial<KpiValues>): KpiValues => ({
    revenueWon: { amount: 0, currency: 'EUR' },
    revenueUnconverted: {},
    dealsWon: 0,
    dealsLost: 0,
    winRate: null,
    averageWonDealSize: null,
    salesCycleDays: null,
    dealsCreated: 0,
    pipelineValue: { amount: 0, currency: 'EUR' },
    weightedPipeline: { amount: 0, currency: 'EUR' },
    pipelineUnconverted: {},
    pushRate: null,
    activities: {},
    activitiesTotal: 0,
    newCustomers: 0,
    ...overrides,
  });

  it('compares with last week and the targets set, and leaves out figures without a value', () => {
    const rows = reviewKpiRows(
      values({ revenueWon: { amount: 300, currency: 'EUR' }, dealsWon: 1, winRate: 1, activitiesTotal: 4 }),
      values({ revenueWon: { amount: 500, currency: 'EUR' }, dealsWon: 2, dealsLost: 2, winRate: 0.5 }),
      { revenue_won: 1_200, activities: 0 },
    );
    expect(rows.map((row) => row.metric)).toEqual([
      'revenue_won',
      'deals_won',
      'deals_lost',
      'win_rate',
      'deals_created',
      'pipeline_value',
      'weighted_pipeline',
      'activities',
      'new_customers',
    ]);
    expect(rows[0]).toEqual({ metric: 'revenue_won', label: 'Revenue won', unit: 'money', value: 300, previous: 500, delta: -200, target: 1_200, attainment: 0.25 });
    expect(rows.find((row) => row.metric === 'win_rate')).toMatchObject({ value: 1, previous: 0.5, delta: 0.5, target: null, attainment: null });
    // A zero target has no attainment (nothing to divide by).
    expect(rows.find((row) => row.metric === 'activities')).toMatchObject({ value: 4, target: 0, attainment: null });
  });

  it('a figure last week did not have has no delta', () => {
    const [, , , winRate] = reviewKpiRows(values({ dealsWon: 1, winRate: 1 }), values({}), {});
    expect(winRate).toMatchObject({ metric: 'win_rate', value: 1, previous: null, delta: null });
  });
});
