/**
 * The reporting calendar (domain/analytics/periods.ts): periods cut in the tenant's time zone, ISO weeks, fiscal
 * quarters and years named by the year they end in, daylight-saving days, and ids that name no period.
 */
import { describe, expect, it } from 'vitest';
import { parsePeriod, periodsOf, previousPeriod } from '../../domain/analytics';
import { ValidationError } from '../../domain/errors';
import { ratesOn } from '../../domain/settings';

const utc = { timezone: 'UTC', fiscalYearStartMonth: 1 };
const berlinApril = { timezone: 'Europe/Berlin', fiscalYearStartMonth: 4 };
const newYork = { timezone: 'America/New_York', fiscalYearStartMonth: 1 };

describe('the periods an instant falls in', () => {
  it.each([
    // instant, calendar, day, week, month, quarter, year
    ['2027-03-14T12:00:00Z', utc, '2027-03-14', '2027-W10', '2027-03', 'FY2027-Q1', 'FY2027'],
    // New Year: 2027-01-01 is a Friday, in ISO week 53 of 2026.
    ['2027-01-01T10:00:00Z', utc, '2027-01-01', '2026-W53', '2027-01', 'FY2027-Q1', 'FY2027'],
    // Half past midnight UTC is still the evening before in New York.
    ['2027-01-01T00:30:00Z', newYork, '2026-12-31', '2026-W53', '2026-12', 'FY2026-Q4', 'FY2026'],
    // A fiscal year from April, named by the year it ends in: March 2027 closes FY2027, April opens FY2028.
    ['2027-03-31T21:59:59Z', berlinApril, '2027-03-31', '2027-W13', '2027-03', 'FY2027-Q4', 'FY2027'],
    ['2027-03-31T22:00:00Z', berlinApril, '2027-04-01', '2027-W13', '2027-04', 'FY2028-Q1', 'FY2028'],
    ['2026-10-15T08:00:00Z', berlinApril, '2026-10-15', '2026-W42', '2026-10', 'FY2027-Q3', 'FY2027'],
  ] as const)('%s in %o', (instant, calendar, day, week, month, quarter, year) => {
    expect(periodsOf(instant, calendar)).toEqual({ day, week, month, quarter, year });
  });
});

describe('the instants a period covers', () => {
  it.each([
    ['2027-03-14', utc, '2027-03-14T00:00:00.000Z', '2027-03-15T00:00:00.000Z', '2027-03-14', '2027-03-14'],
    ['2027-W11', utc, '2027-03-15T00:00:00.000Z', '2027-03-22T00:00:00.000Z', '2027-03-15', '2027-03-21'],
    ['2026-W53', utc, '2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z', '2026-12-28', '2027-01-03'],
    ['2027-02', utc, '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z', '2027-02-01', '2027-02-28'],
    // Berlin's clocks go forward on 2027-03-28: that day lasts 23 hours.
    ['2027-03-28', berlinApril, '2027-03-27T23:00:00.000Z', '2027-03-28T22:00:00.000Z', '2027-03-28', '2027-03-28'],
    ['FY2027-Q1', berlinApril, '2026-03-31T22:00:00.000Z', '2026-06-30T22:00:00.000Z', '2026-04-01', '2026-06-30'],
    ['FY2027-Q4', berlinApril, '2026-12-31T23:00:00.000Z', '2027-03-31T22:00:00.000Z', '2027-01-01', '2027-03-31'],
    ['FY2027', berlinApril, '2026-03-31T22:00:00.000Z', '2027-03-31T22:00:00.000Z', '2026-04-01', '2027-03-31'],
    ['FY2027', utc, '2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z', '2027-01-01', '2027-12-31'],
  ] as const)('%s in %o', (id, calendar, start, end, firstDay, lastDay) => {
    expect(parsePeriod(id, calendar)).toMatchObject({ id, start, end, firstDay, lastDay });
  });

  it('every period contains exactly the instants placed in it: its start, not its end', () => {
    for (const id of ['2027-03-28', '2027-W13', '2027-03', 'FY2027-Q4', 'FY2027']) {
      const period = parsePeriod(id, berlinApril);
      expect(periodsOf(period.start, berlinApril)[period.kind]).toBe(id);
      expect(periodsOf(new Date(Date.parse(period.end) - 1), berlinApril)[period.kind]).toBe(id);
      expect(periodsOf(period.end, berlinApril)[period.kind]).not.toBe(id);
    }
  });

  it('knows the period before', () => {
    expect(previousPeriod('2027-01-01', utc)).toBe('2026-12-31');
    expect(previousPeriod('2027-W01', utc)).toBe('2026-W53');
    expect(previousPeriod('2027-01', utc)).toBe('2026-12');
    expect(previousPeriod('FY2028-Q1', berlinApril)).toBe('FY2027-Q4');
    expect(previousPeriod('FY2027', berlinApril)).toBe('FY2026');
  });

  it.each(['2027-02-30', '2027-13', '2027-W54', '2027-W53', 'FY2027-Q5', 'Q1-2027', '2027', '', '2027-3-14'])('refuses %j, naming the parameter', (id) => {
    let refusal: unknown;
    try {
      parsePeriod(id, utc);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).errors.map((issue) => issue.path)).toEqual(['query.period']);
  });
});

describe('exchange rates on a date', () => {
  const rate = (currency: string, effectiveFrom: string, value: string) => ({ currency, effectiveFrom, rate: value, updatedAt: '', updatedBy: 'fiona' });
  const rates = [rate('USD', '2027-01-01', '0.9130'), rate('USD', '2027-02-01', '0.9200'), rate('GBP', '2027-01-15', '1.1700'), rate('CHF', '2027-03-01', '1.0400')];

  it('takes per currency the latest rate on or before the date, and leaves out currencies without one yet', () => {
    expect(ratesOn(rates, '2027-01-31').map((r) => [r.currency, r.rate])).toEqual([
      ['GBP', '1.1700'],
      ['USD', '0.9130'],
    ]);
    expect(ratesOn(rates, '2027-02-01').find((r) => r.currency === 'USD')?.rate).toBe('0.9200');
    expect(ratesOn(rates, '2026-12-31')).toEqual([]);
  });
});
