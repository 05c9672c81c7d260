/** KPI math (domain/analytics/kpis.ts): table-driven, exact. */
import { describe, expect, it } from 'vitest';
import { average, convertAmounts, funnel, kpiValues, openPipeline, percentile, stageDurations, type ReportPipeline } from '../../domain/analytics/kpis';

const pipeline: ReportPipeline = {
  stages: [
    { key: 'lead', name: 'Lead', forecastCategory: 'pipeline' },
    { key: 'quote', name: 'Quote', forecastCategory: 'best_case' },
    { key: 'negotiation', name: 'Negotiation', forecastCategory: 'commit' },
  ],
  // `demo` was retired into `quote`.
  effectiveStage: (stage) => (stage === 'demo' ? 'quote' : stage),
};
const rates = {
  baseCurrency: 'EUR',
  rates: new Map([['USD', { currency: 'USD', rate: '0.9130', effectiveFrom: '2027-01-01', updatedAt: 'x', updatedBy: 'y' }]]),
};

describe('percentile (nearest rank over a histogram)', () => {
  it.each([
    [{}, 50, null],
    [{ '3': 1 }, 50, 3],
    [{ '1': 1, '2': 1, '10': 1 }, 50, 2],
    [{ '1': 1, '2': 1, '10': 1 }, 90, 10],
    [{ '0.5': 3, '12': 1 }, 50, 0.5],
    [{ '1': 2, '5': 2 }, 50, 1],
    [{ '1': 9, '40': 1 }, 90, 1],
    [{ '1': 9, '40': 1 }, 91, 40],
  ])('%j at p%i is %s', (histogram, p, expected) => {
    expect(percentile(histogram, p)).toBe(expected);
  });
});

describe('convertAmounts', () => {
  it('adds the base currency as is, converts at the rate half up, and keeps a currency without a rate apart', () => {
    expect(convertAmounts({ EUR: 1_000, USD: 1_005, GBP: 700 }, rates)).toEqual({ amount: 1_000 + 918, unconverted: { GBP: 700 } });
    // 1005 × 0.9130 = 917.565 → 918 (half up)
  });
});

describe('average', () => {
  it.each([
    [10, 0, null],
    [10, 4, 3], // 2.5 → 3 (half up)
    [9, 4, 2], // 2.25 → 2
    [1_000_000, 3, 333_333],
  ])('%i ÷ %i = %s', (total, count, expected) => expect(average(total, count)).toBe(expected));
});

describe('openPipeline', () => {
  it('groups by stage (retired ones into theirs) and by category, the override winning', () => {
    const open = openPipeline(
      {
        'open|lead|-|count': 2,
        'open|lead|-|amount|EUR': 300,
        'open|lead|-|weighted|EUR': 30,
        'open|demo|-|count': 1,
        'open|demo|-|amount|USD': 100,
        'open|negotiation|best_case|count': 1,
        'open|negotiation|best_case|amount|EUR': 500,
        created: 9,
      },
      pipeline,
    );
    expect(open.byStage.get('quote')).toEqual({ count: 1, amount: { USD: 100 }, weighted: {} });
    expect(open.byStage.get('negotiation')?.count).toBe(1);
    expect(open.byCategory.get('best_case')).toEqual({ count: 2, amount: { USD: 100, EUR: 500 }, weighted: {} });
    expect(open.byCategory.get('commit')).toBeUndefined();
    expect(open.total).toEqual({ count: 4, amount: { EUR: 800, USD: 100 }, weighted: { EUR: 30 } });
  });
});

describe('funnel', () => {
  it('lists the stages in order with won last, retired stages folded in, conversion to the next', () => {
    expect(funnel({ 'entered|lead': 10, 'entered|quote': 3, 'entered|demo': 1, 'entered|negotiation': 2, 'entered|won': 1, 'entered|lost': 5 }, pipeline)).toEqual([
      { stage: 'lead', name: 'Lead', entered: 10, conversionToNext: 0.4 },
      { stage: 'quote', name: 'Quote', entered: 4, conversionToNext: 0.5 },
      { stage: 'negotiation', name: 'Negotiation', entered: 2, conversionToNext: 0.5 },
      { stage: 'won', name: 'Won', entered: 1, conversionToNext: null },
    ]);
  });
  it('has no conversion out of a stage nobody entered', () => {
    expect(funnel({}, pipeline)[0]).toEqual({ stage: 'lead', name: 'Lead', entered: 0, conversionToNext: null });
  });
});

describe('stageDurations', () => {
  it('gives count, median and p90 per stage', () => {
    expect(stageDurations({ 'stay|lead|1.0': 2, 'stay|lead|22': 1, 'stay|demo|3.5': 1 }, pipeline)).toEqual([
      { stage: 'lead', count: 3, medianDays: 1, p90Days: 22 },
      { stage: 'quote', count: 1, medianDays: 3.5, p90Days: 3.5 },
      { stage: 'negotiation', count: 0, medianDays: null, p90Days: null },
    ]);
  });
});

describe('kpiValues', () => {
  it('derives the headline KPIs of an aggregate', () => {
    const kpis = kpiValues(
      {
        won: 3,
        lost: 1,
        revenueWon: 2_000,
        'wonUnconverted|GBP': 1,
        'revenueUnconverted|GBP': 700,
        'cycleDays|10': 1,
        'cycleDays|30': 2,
        created: 5,
        due: 4,
        pushed: 1,
        'activities|call': 2,
        'activities|email': 1,
        newCustomers: 2,
        'open|lead|-|amount|USD': 1_000,
        'open|lead|-|weighted|USD': 100,
        'open|lead|-|count': 1,
      },
      rates,
    );
    expect(kpis).toEqual({
      revenueWon: { amount: 2_000, currency: 'EUR' },
      revenueUnconverted: { GBP: 700 },
      dealsWon: 3,
      dealsLost: 1,
      winRate: 0.75,
      // Over the two wins that converted.
      averageWonDealSize: { amount: 1_000, currency: 'EUR' },
      salesCycleDays: 30,
      dealsCreated: 5,
      pipelineValue: { amount: 913, currency: 'EUR' },
      weightedPipeline: { amount: 91, currency: 'EUR' },
      pipelineUnconverted: {},
      pushRate: 0.25,
      activities: { call: 2, email: 1 },
      activitiesTotal: 3,
      newCustomers: 2,
    });
  });
  it('has no win rate, average or cycle when nothing closed', () => {
    expect(kpiValues({}, rates)).toMatchObject({ winRate: null, averageWonDealSize: null, salesCycleDays: null, pushRate: null });
  });
});
