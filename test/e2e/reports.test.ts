/**
 * The reports over HTTP (issue 16): a known history written through the use cases on a controlled clock, rolled up,
 * then every report read over the local API — exact figures, checked against the documented schemas (the test
 * client does), CSV on request, and who may see what.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollUpTenant, runKpiRollup } from '../../domain/analytics';
import { putTargets, submitForecast } from '../../domain/analytics';
import { createCustomer } from '../../domain/customers';
import { putTeam } from '../../domain/directory';
import { createOpportunity, moveStage, putPipeline, updateOpportunity } from '../../domain/pipeline';
import { putExchangeRates } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { createDeps } from '../../functions/shared/runtime';
import { newTenant, people, withClock } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

let api: TestApi;
let deps: Deps;
let now = 0;
const at = (iso: string) => {
  now = Date.parse(iso);
};
const who = people(newTenant('reports'));
let tokens: { manager: string; rep: string; finance: string; service: string };

beforeAll(async () => {
  api = await startTestApi();
  deps = withClock(createDeps({ tableName: process.env.TABLE_NAME!, endpoint: process.env.DYNAMODB_ENDPOINT }), () => now);
  tokens = {
    manager: await api.token(who.tenant, 'manager', 'alice'),
    rep: await api.token(who.tenant, 'rep', 'bob'),
    finance: await api.token(who.tenant, 'finance', 'fiona'),
    service: await api.token(who.tenant, 'service', 'sam'),
  };

  // A tenant in EUR (UTC, January fiscal year) on a pipeline without gates; USD at 0.9 since 2026.
  at('2027-01-05T09:00:00.000Z');
  await putPipeline(
    deps,
    who.dana,
    {
      stages: [
        { key: 'lead', name: 'Lead', probability: 10, exitCriteria: [] },
        { key: 'quote', name: 'Quote', probability: 50, exitCriteria: [] },
        { key: 'negotiation', name: 'Negotiation', probability: 80, exitCriteria: [] },
      ],
    },
    {},
  );
  await putExchangeRates(deps, who.fiona, { rates: [{ currency: 'USD', rate: '0.9000', effectiveFrom: '2026-01-01' }] });
  await putTeam(deps, who.dana, 'east', { name: 'East', manager: 'alice', members: ['bob', 'carol'] });
  await putTargets(deps, who.alice, 'FY2027-Q1', {
    targets: [
      { scope: 'rep', id: 'bob', metric: 'revenue_won', value: { amount: 2_000_000, currency: 'EUR' } },
      { scope: 'tenant', metric: 'deals_won', value: 4 },
    ],
  });

  at('2027-01-10T09:00:00.000Z');
  const bobs = await createCustomer(deps, who.bob, { name: 'Acme' });
  const carols = await createCustomer(deps, who.carol, { name: 'Globex' });
  const deal = (actor: typeof who.bob, customerId: string, amount: number, currency: string, close: string) =>
    createOpportunity(deps, actor, { customerId, name: `Deal ${amount}`, expectedCloseDate: close, amount: { amount, currency } });
  const d1 = await deal(who.bob, bobs.id, 1_000_000, 'EUR', '2027-02-15');
  const d2 = await deal(who.bob, bobs.id, 500_000, 'USD', '2027-03-20');
  const d3 = await deal(who.bob, bobs.id, 200_000, 'EUR', '2027-02-28');
  const d4 = await deal(who.carol, carols.id, 800_000, 'EUR', '2027-03-31');
  at('2027-01-20T09:00:00.000Z');
  await moveStage(deps, who.bob, d1.id, { stage: 'quote' });
  await moveStage(deps, who.carol, d4.id, { stage: 'quote' });
  at('2027-02-01T09:00:00.000Z');
  await moveStage(deps, who.bob, d1.id, { stage: 'negotiation' });
  await moveStage(deps, who.bob, d3.id, { stage: 'lost', lostReason: 'price' });
  at('2027-02-10T09:00:00.000Z');
  await moveStage(deps, who.bob, d1.id, { stage: 'won' });
  at('2027-02-12T09:00:00.000Z');
  await updateOpportunity(deps, who.bob, d2.id, { expectedCloseDate: '2027-04-15' }, {});
  await submitForecast(deps, who.bob, 'FY2027-Q1', { commit: { amount: 1_500_000, currency: 'EUR' }, bestCase: { amount: 2_500_000, currency: 'EUR' } });

  at('2027-02-12T10:00:00.000Z');
  await rollUpTenant(deps, who.tenant);
  // The next night's run takes the snapshot of 12 February.
  at('2027-02-13T01:00:00.000Z');
  await runKpiRollup(deps);
});
afterAll(() => api.close());

const money = (amount: number) => ({ amount, currency: 'EUR' });
const get = <T = Record<string, unknown>>(path: string, token = tokens.manager) => call<T>(api, 'GET', path, { token });

describe('reports', () => {
  it('pipeline: open deals by stage and category, USD converted at the latest rate', async () => {
    const { status, body } = await get('/reports/pipeline');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      period: 'open',
      scope: { kind: 'tenant', id: null },
      currency: 'EUR',
      ratesUsed: [{ currency: 'USD', rate: '0.9000', effectiveFrom: '2026-01-01' }],
      stages: [
        { stage: 'lead', count: 1, amount: money(450_000), weightedAmount: money(45_000), forecastCategory: 'pipeline' },
        { stage: 'quote', count: 1, amount: money(800_000), weightedAmount: money(400_000), forecastCategory: 'best_case' },
        { stage: 'negotiation', count: 0, amount: money(0), weightedAmount: money(0), forecastCategory: 'commit' },
      ],
      byCategory: [
        { category: 'commit', count: 0 },
        { category: 'best_case', count: 1, amount: money(800_000) },
        { category: 'pipeline', count: 1, amount: money(450_000) },
        { category: 'omitted', count: 0 },
      ],
      totals: { count: 2, amount: money(1_250_000), weightedAmount: money(445_000) },
      unconverted: [],
    });
    expect(typeof body.asOf).toBe('string');
    // Closing in the quarter: the USD deal moved to April.
    const quarter = await get<{ totals: unknown }>('/reports/pipeline?period=FY2027-Q1');
    expect(quarter.body.totals).toEqual({ count: 1, amount: money(800_000), weightedAmount: money(400_000) });
  });

  it('funnel: the January cohort, stage by stage', async () => {
    const { body } = await get('/reports/funnel?from=2027-01-01&to=2027-01-31');
    expect(body).toMatchObject({
      created: 4,
      stages: [
        { stage: 'lead', entered: 4, conversionToNext: 0.5 },
        { stage: 'quote', entered: 2, conversionToNext: 0.5 },
        { stage: 'negotiation', entered: 1, conversionToNext: 1 },
        { stage: 'won', entered: 1, conversionToNext: null },
      ],
      won: 1,
      lost: 1,
      winRate: 0.5,
    });
  });

  it('stage durations: median and p90 of the stays that ended, the slowest flagged', async () => {
    const { body } = await get<{ stages: unknown[] }>('/reports/stage-durations?from=2027-01-01&to=2027-02-28');
    expect(body.stages).toEqual([
      { stage: 'lead', name: 'Lead', count: 3, medianDays: 10, p90Days: 22, bottleneck: false },
      { stage: 'quote', name: 'Quote', count: 1, medianDays: 12, p90Days: 12, bottleneck: true },
      { stage: 'negotiation', name: 'Negotiation', count: 1, medianDays: 9, p90Days: 9, bottleneck: false },
    ]);
  });

  it('KPIs of a rep in a quarter, against the previous quarter and target', async () => {
    const { body } = await get<{ kpis: Array<{ metric: string; value: number | null }>; previousPeriod: string }>('/reports/kpis?scope=rep&id=bob&period=FY2027-Q1');
    expect(body.previousPeriod).toBe('FY2026-Q4');
    const row = (metric: string) => body.kpis.find((kpi) => kpi.metric === metric);
    expect(row('revenue_won')).toEqual({ metric: 'revenue_won', unit: 'money', value: 1_000_000, previous: 0, delta: 1_000_000, target: 2_000_000, attainment: 0.5 });
    expect(row('deals_won')).toMatchObject({ value: 1, target: null });
    expect(row('win_rate')).toMatchObject({ value: 0.5, previous: null, delta: null });
    expect(row('average_won_deal_size')).toMatchObject({ value: 1_000_000 });
    expect(row('sales_cycle_days')).toMatchObject({ value: 31 });
    expect(row('deals_created')).toMatchObject({ value: 3 });
    expect(row('push_rate')?.value).toBeCloseTo(1 / 3, 10);
    expect(row('pipeline_value')).toMatchObject({ value: 0 });
  });

  it('forecast: per rep, team and tenant, with the call beside the computed figures', async () => {
    const { body } = await get<{ reps: Array<Record<string, unknown>>; teams: unknown[]; tenant: unknown }>('/reports/forecast?period=FY2027-Q1');
    expect(body.reps).toMatchObject([
      {
        scope: { kind: 'rep', id: 'bob' },
        closedWon: money(1_000_000),
        commit: money(0),
        bestCase: money(0),
        target: money(2_000_000),
        attainment: 0.5,
        submission: { commit: money(1_500_000), bestCase: money(2_500_000) },
        adjustment: null,
      },
      { scope: { kind: 'rep', id: 'carol' }, closedWon: money(0), bestCase: money(800_000), weighted: money(400_000), target: null, submission: null },
    ]);
    expect(body.teams).toMatchObject([{ scope: { kind: 'team', id: 'east' }, closedWon: money(1_000_000), bestCase: money(800_000), weighted: money(400_000) }]);
    expect(body.tenant).toMatchObject({ closedWon: money(1_000_000), bestCase: money(800_000), target: null });
    // A rep sees their own row only.
    const own = await get<{ reps: Array<{ scope: { id: string } }>; teams: unknown[]; tenant: unknown }>('/reports/forecast?period=FY2027-Q1', tokens.rep);
    expect(own.body.reps.map((row) => row.scope.id)).toEqual(['bob']);
    expect(own.body.teams).toEqual([]);
    expect(own.body.tenant).toBeNull();
  });

  it('leaderboard: reps ranked, for reps too', async () => {
    const { body } = await get('/reports/leaderboard?period=FY2027-Q1&metric=revenue_won', tokens.rep);
    expect(body.items).toEqual([
      { rank: 1, userId: 'bob', value: 1_000_000 },
      { rank: 2, userId: 'carol', value: 0 },
    ]);
  });

  it('trend: from the daily snapshots', async () => {
    const { body } = await get('/reports/trend?metric=pipeline_value&from=2027-02-01&to=2027-02-28');
    expect(body.points).toEqual([{ period: '2027-02-12', day: '2027-02-12', value: 1_250_000 }]);
    const deals = await get('/reports/trend?metric=open_deals&from=2027-02-01&to=2027-02-28&interval=month&team=east');
    expect(deals.body.points).toEqual([{ period: '2027-02', day: '2027-02-12', value: 2 }]);
    const weekly = await get('/reports/trend?metric=weighted_pipeline&from=2027-02-01&to=2027-02-28&interval=week');
    expect(weekly.body.points).toEqual([{ period: '2027-W06', day: '2027-02-12', value: 445_000 }]);
  });

  it('answers CSV with a header row for ?format=csv or Accept: text/csv', async () => {
    const byQuery = await fetch(`${api.baseUrl}/reports/pipeline?format=csv`, { headers: { authorization: `Bearer ${tokens.manager}` } });
    expect(byQuery.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await byQuery.text()).trim().split('\n');
    expect(lines[0]).toBe('group,key,name,forecast_category,count,amount,weighted_amount,currency');
    expect(lines).toContain('stage,quote,Quote,best_case,1,8000.00,4000.00,EUR');
    expect(lines.at(-1)).toBe('total,,,,2,12500.00,4450.00,EUR');
    const byAccept = await fetch(`${api.baseUrl}/reports/leaderboard?period=FY2027-Q1`, { headers: { authorization: `Bearer ${tokens.manager}`, accept: 'text/csv' } });
    expect(await byAccept.text()).toBe('rank,user_id,revenue_won\n1,bob,1000000\n2,carol,0\n');
  });

  it('shows a rep their own figures only, service none, and names bad parameters', async () => {
    expect((await get('/reports/pipeline?team=east', tokens.rep)).status).toBe(403);
    expect((await get('/reports/kpis?scope=rep&id=carol&period=FY2027-Q1', tokens.rep)).status).toBe(403);
    const own = await get('/reports/pipeline', tokens.rep);
    expect(own.body).toMatchObject({ scope: { kind: 'rep', id: 'bob' }, totals: { count: 1, amount: money(450_000) } });
    expect((await get('/reports/pipeline', tokens.finance)).status).toBe(200);
    expect((await get('/reports/pipeline', tokens.service)).status).toBe(403);
    const noRange = await get<{ errors: Array<{ path: string }> }>('/reports/funnel?from=2027-01-01');
    expect(noRange.status).toBe(400);
    expect(noRange.body.errors.map((issue) => issue.path)).toEqual(['query.to']);
    const badPeriod = await get<{ errors: Array<{ path: string }> }>('/reports/kpis?period=FY2027-Q5');
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.errors.map((issue) => issue.path)).toEqual(['query.period']);
  });
});
