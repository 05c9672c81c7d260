/**
 * The reporting calendar and currency settings over HTTP (issue 16, first part): the tenant's reporting time zone
 * and fiscal year start, and dated exchange rates kept by admins and finance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Problem = { errors: Array<{ path: string; message: string }> };
interface Rates {
  baseCurrency: string;
  on: string;
  rates: Array<{ currency: string; rate: string; effectiveFrom: string; updatedBy: string }>;
}

let api: TestApi;
let tokens: { admin: string; finance: string; manager: string; rep: string };
const tenant = newTenant('calendar');

beforeAll(async () => {
  api = await startTestApi();
  tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    finance: await api.token(tenant, 'finance', 'fiona'),
    manager: await api.token(tenant, 'manager', 'alice'),
    rep: await api.token(tenant, 'rep', 'bob'),
  };
});
afterAll(() => api.close());

describe('the reporting calendar in the settings', () => {
  it('defaults to UTC and a January fiscal year; an admin sets a time zone and a fiscal year start, both checked', async () => {
    const defaults = await call<{ reportingTimezone: string; fiscalYearStartMonth: number }>(api, 'GET', '/settings', { token: tokens.rep });
    expect(defaults.body).toMatchObject({ reportingTimezone: 'UTC', fiscalYearStartMonth: 1 });

    const base = { baseCurrency: 'EUR', lostReasons: ['price'] };
    const bad = await call<Problem>(api, 'PUT', '/settings', { token: tokens.admin, body: { ...base, reportingTimezone: 'Mars/Olympus', fiscalYearStartMonth: 13 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((issue) => issue.path).sort()).toEqual(['body.fiscalYearStartMonth', 'body.reportingTimezone']);

    const saved = await call(api, 'PUT', '/settings', { token: tokens.admin, body: { ...base, reportingTimezone: 'Europe/Berlin', fiscalYearStartMonth: 4 } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ reportingTimezone: 'Europe/Berlin', fiscalYearStartMonth: 4 });
  });
});

describe('exchange rates', () => {
  it('are kept by admins and finance, dated, and read as the rate in effect on a day', async () => {
    const put = (token: string, rates: unknown[]) => call<Rates & Problem>(api, 'PUT', '/exchange-rates', { token, body: { rates } });
    expect((await put(tokens.manager, [{ currency: 'USD', rate: '0.9130', effectiveFrom: '2027-01-01' }])).status).toBe(403);

    const january = await put(tokens.finance, [
      { currency: 'USD', rate: '0.9130', effectiveFrom: '2027-01-01' },
      { currency: 'GBP', rate: '1.1700', effectiveFrom: '2027-01-01' },
    ]);
    expect(january.status).toBe(200);
    expect(january.body).toMatchObject({ baseCurrency: 'EUR', on: '2027-01-01' });
    expect(january.body.rates.map((r) => [r.currency, r.rate, r.updatedBy])).toEqual([
      ['GBP', '1.1700', 'fiona'],
      ['USD', '0.9130', 'fiona'],
    ]);
    expect((await put(tokens.admin, [{ currency: 'USD', rate: '0.9200', effectiveFrom: '2027-02-01' }])).status).toBe(200);

    const on = async (date: string) => (await call<Rates>(api, 'GET', `/exchange-rates?on=${date}`, { token: tokens.rep })).body.rates.map((r) => [r.currency, r.rate]);
    expect(await on('2027-01-31')).toEqual([
      ['GBP', '1.1700'],
      ['USD', '0.9130'],
    ]);
    expect(await on('2027-02-01')).toEqual([
      ['GBP', '1.1700'],
      ['USD', '0.9200'],
    ]);
    expect(await on('2026-12-31')).toEqual([]);

    // A corrected rate of the same day replaces it; the audit trail says from what to what.
    expect((await put(tokens.finance, [{ currency: 'USD', rate: '0.9210', effectiveFrom: '2027-02-01' }])).status).toBe(200);
    expect(await on('2027-02-15')).toContainEqual(['USD', '0.9210']);
    const audit = await call<{ items: Array<{ changes: Record<string, { from?: string; to: string }> }> }>(api, 'GET', `/audit?entityId=${tenant}`, { token: tokens.manager });
    expect(audit.body.items.at(-1)?.changes).toEqual({ 'USD@2027-02-01': { from: '0.9200', to: '0.9210' } });
  });

  it('refuse the base currency, a day given twice, and rates that are not positive decimals, naming each', async () => {
    const refused = await call<Problem>(api, 'PUT', '/exchange-rates', {
      token: tokens.admin,
      body: {
        rates: [
          { currency: 'EUR', rate: '1', effectiveFrom: '2027-01-01' },
          { currency: 'CHF', rate: '1.04', effectiveFrom: '2027-01-01' },
          { currency: 'CHF', rate: '1.05', effectiveFrom: '2027-01-01' },
        ],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((issue) => issue.path)).toEqual(['body.rates.0.currency', 'body.rates.2.effectiveFrom']);
    for (const rate of ['0', '0.000', '-1', '1e3', '0,91']) {
      const bad = await call<Problem>(api, 'PUT', '/exchange-rates', { token: tokens.admin, body: { rates: [{ currency: 'JPY', rate, effectiveFrom: '2027-01-01' }] } });
      expect(bad.status, rate).toBe(400);
      expect(bad.body.errors.map((issue) => issue.path)).toEqual(['body.rates.0.rate']);
    }
  });
});

