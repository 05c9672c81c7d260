/**
 * The weekly reviews (issue 16, "Periodic reviews"): a known history of a Europe/Berlin tenant written through the
 * use cases on a controlled clock, the KPI rollup job run around the local Monday 07:00 after ISO week 2027-W11
 * (15–21 March 2027, CET: UTC+1), and the reviews read over the local API — when they appear, that each team gets
 * exactly one per week however many runs (two at once included), that the manager is notified once, their exact
 * figures, and the HTML page with both charts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putTargets, rollUpTenant, runKpiRollup, type RollupRun } from '../../domain/analytics';
import { noteFeedChanges } from '../../domain/analytics/registry';
import { createCustomer, logActivity } from '../../domain/customers';
import { putTeam } from '../../domain/directory';
import { createOpportunity, moveStage, putPipeline } from '../../domain/pipeline';
import { putExchangeRates, putSettings } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { completeTask, createTask } from '../../domain/tasks';
import { createDeps } from '../../functions/shared/runtime';
import { newTenant, people, withClock } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

let api: TestApi;
let deps: Deps;
let now = 0;
const at = (iso: string) => {
  now = Date.parse(iso);
};
const who = people(newTenant('reviews'));
const TEAM_NAME = 'East & <Co>';
let tokens: { alice: string; mia: string; finance: string; rep: string };
const ids: Record<string, string> = {};
const runs: Record<string, RollupRun> = {};
/** What the outbox relay does after changes commit (it does not run in tests): tells the rollup the feed grew. */
const relay = () => noteFeedChanges(deps.db, who.tenant, 1);

beforeAll(async () => {
  api = await startTestApi();
  deps = withClock(createDeps({ tableName: process.env.TABLE_NAME!, endpoint: process.env.DYNAMODB_ENDPOINT }), () => now);
  tokens = {
    alice: await api.token(who.tenant, 'manager', 'alice'),
    mia: await api.token(who.tenant, 'manager', 'mia'),
    finance: await api.token(who.tenant, 'finance', 'fiona'),
    rep: await api.token(who.tenant, 'rep', 'bob'),
  };

  // Week 09 (1–7 March). A Berlin tenant in EUR (January fiscal year); quotes go stale after 5 days, leads after 30.
  at('2027-03-01T09:00:00.000Z');
  await putSettings(deps, who.dana, { baseCurrency: 'EUR', lostReasons: ['price', 'other'], reportingTimezone: 'Europe/Berlin' }, {});
  await putPipeline(
    deps,
    who.dana,
    {
      stages: [
        { key: 'lead', name: 'Lead', probability: 10, exitCriteria: [], staleAfterDays: 30 },
        { key: 'quote', name: 'Quote', probability: 50, exitCriteria: [], staleAfterDays: 5 },
        { key: 'negotiation', name: 'Negotiation', probability: 80, exitCriteria: [] },
      ],
    },
    {},
  );
  await putExchangeRates(deps, who.fiona, { rates: [{ currency: 'USD', rate: '0.9000', effectiveFrom: '2026-01-01' }] });
  await putTeam(deps, who.dana, 'east', { name: TEAM_NAME, manager: 'alice', members: ['bob', 'carol'] });
  await putTeam(deps, who.dana, 'west', { name: 'West', manager: 'mia', members: ['walt'] });
  await putTargets(deps, who.alice, '2027-W11', {
    targets: [
      { scope: 'team', id: 'east', metric: 'revenue_won', value: { amount: 1_000_000, currency: 'EUR' } },
      { scope: 'team', id: 'east', metric: 'deals_won', value: 2 },
    ],
  });
  await putTargets(deps, who.alice, 'FY2027-Q1', {
    targets: [
      { scope: 'team', id: 'east', metric: 'revenue_won', value: { amount: 5_000_000, currency: 'EUR' } },
      { scope: 'team', id: 'east', metric: 'deals_won', value: 5 },
      { scope: 'team', id: 'east', metric: 'activities', value: 10 },
    ],
  });
  const acme = await createCustomer(deps, who.bob, { name: 'Acme' });
  const globex = await createCustomer(deps, who.carol, { name: 'Globex' });
  const deal = (owner: typeof who.bob, customerId: string, name: string, amount: number, currency: string, close: string) =>
    createOpportunity(deps, owner, { customerId, name, expectedCloseDate: close, amount: { amount, currency } }).then((created) => (ids[name] = created.id));

  at('2027-03-02T09:00:00.000Z');
  await deal(who.bob, acme.id, 'Big one', 1_000_000, 'EUR', '2027-03-31');
  await deal(who.bob, acme.id, 'Quick one', 400_000, 'EUR', '2027-03-25');
  await deal(who.carol, globex.id, 'Slow lead', 300_000, 'USD', '2027-04-30');
  await deal(who.bob, acme.id, 'Idle quote', 250_000, 'EUR', '2027-03-30');
  at('2027-03-04T09:00:00.000Z');
  await moveStage(deps, who.bob, ids['Big one']!, { stage: 'quote' });
  at('2027-03-06T09:00:00.000Z');
  await moveStage(deps, who.bob, ids['Quick one']!, { stage: 'quote' });
  // Week 10 (8–14 March): one win.
  at('2027-03-08T09:00:00.000Z');
  await moveStage(deps, who.bob, ids['Quick one']!, { stage: 'negotiation' });
  at('2027-03-10T09:00:00.000Z');
  await moveStage(deps, who.bob, ids['Quick one']!, { stage: 'won' });
  at('2027-03-14T09:00:00.000Z');
  await moveStage(deps, who.bob, ids['Idle quote']!, { stage: 'quote' });

  // Tuesday of week 11: a run makes the reviews of week 10 (its Monday 07:00 has passed).
  at('2027-03-15T09:00:00.000Z');
  await rollUpTenant(deps, who.tenant);
  await createTask(deps, who.alice, { title: 'Call back Acme', dueAt: '2027-03-19T16:00:00.000Z', assignee: 'bob' });
  await createTask(deps, who.alice, { title: 'Send <offer>', dueAt: '2027-03-21T23:30:00.000Z', assignee: 'carol' });
  await createTask(deps, who.alice, { title: 'Next week', dueAt: '2027-03-25T09:00:00.000Z', assignee: 'bob' });
  ids.done = (await createTask(deps, who.alice, { title: 'Done already', dueAt: '2027-03-18T09:00:00.000Z', assignee: 'bob' })).id;
  ids.manager = (await createTask(deps, who.alice, { title: "Manager's own", dueAt: '2027-03-16T09:00:00.000Z', assignee: 'alice' })).id;
  at('2027-03-16T09:00:00.000Z');
  await relay();
  runs.tuesday = await runKpiRollup(deps);
  await moveStage(deps, who.bob, ids['Big one']!, { stage: 'negotiation' });

  // Week 11 (15–21 March): two deals created (one lost), one won, an activity, a new customer.
  await deal(who.carol, globex.id, 'New deal', 600_000, 'EUR', '2027-03-26');
  await deal(who.bob, acme.id, 'Lost one', 200_000, 'EUR', '2027-03-31');
  at('2027-03-17T09:00:00.000Z');
  await moveStage(deps, who.carol, ids['New deal']!, { stage: 'quote' });
  await moveStage(deps, who.bob, ids['Big one']!, { stage: 'won' });
  await logActivity(deps, who.bob, acme.id, { type: 'call', subject: 'Kick-off' });
  await createCustomer(deps, who.carol, { name: 'Initech', lifecycle: 'customer' });
  at('2027-03-18T09:00:00.000Z');
  await moveStage(deps, who.carol, ids['New deal']!, { stage: 'negotiation' });
  await completeTask(deps, who.bob, ids.done, {});
  at('2027-03-19T09:00:00.000Z');
  await moveStage(deps, who.bob, ids['Lost one']!, { stage: 'lost', lostReason: 'price' });

  // Monday 22 March, 06:59 and 07:01 in Berlin (05:59 and 06:01 UTC); at 07:01 two runs at once, then one more.
  await relay();
  at('2027-03-22T05:59:00.000Z');
  runs.early = await runKpiRollup(deps);
  at('2027-03-22T06:01:00.000Z');
  const [first, second] = await Promise.all([runKpiRollup(deps), runKpiRollup(deps)]);
  runs.first = first;
  runs.second = second;
  at('2027-03-22T06:30:00.000Z');
  runs.again = await runKpiRollup(deps);
}, 120_000);
afterAll(() => api.close());

interface Summary {
  id: string;
  week: { id: string };
  team: { id: string; name: string };
  stuckDeals: number;
  overdueTasks: number;
}
const get = <T = Record<string, unknown>>(path: string, token = tokens.alice) => call<T>(api, 'GET', path, { token });
const reviewsOf = async (team: string, token = tokens.alice) => (await get<{ items: Summary[]; nextCursor: string | null }>(`/reviews?team=${team}`, token)).body;
const money = (amount: number, currency = 'EUR') => ({ amount, currency });

describe('weekly reviews', () => {
  it('appear once the local Monday 07:00 has passed: none at 06:59, one per team at 07:01, however many runs', async () => {
    expect(runs.tuesday!.reviews).toBe(2);
    expect(runs.early!.reviews).toBe(0);
    expect(runs.first!.reviews + runs.second!.reviews).toBe(2);
    expect(runs.again!.reviews).toBe(0);
    const east = await reviewsOf('east');
    expect(east.items.map((item) => item.week.id)).toEqual(['2027-W11', '2027-W10']);
    expect(east.nextCursor).toBeNull();
    const west = await reviewsOf('west', tokens.finance);
    expect(west.items.map((item) => item.week.id)).toEqual(['2027-W11', '2027-W10']);
    // Pages: one at a time, newest first.
    const page = (await get<{ items: Summary[]; nextCursor: string }>('/reviews?team=east&limit=1')).body;
    expect(page.items.map((item) => item.week.id)).toEqual(['2027-W11']);
    const rest = (await get<{ items: Summary[]; nextCursor: null }>(`/reviews?team=east&limit=1&cursor=${encodeURIComponent(page.nextCursor)}`)).body;
    expect(rest.items.map((item) => item.week.id)).toEqual(['2027-W10']);
  });

  it("notify the team's manager once per review, linking it", async () => {
    const [w11] = (await reviewsOf('east')).items;
    const inbox = (await get<{ items: Array<{ type: string; subject: { type: string; id: string }; data: { href: string } }> }>('/me/notifications?limit=200')).body;
    const about = inbox.items.filter((item) => item.type === 'review.created' && item.subject.id === w11!.id);
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({ subject: { type: 'review', id: w11!.id }, data: { href: `/reviews/${w11!.id}/document` } });
    // West's manager hears of West's reviews only.
    const mias = (await get<{ items: Array<{ type: string; data: { teamId: string } }> }>('/me/notifications?limit=200', tokens.mia)).body;
    expect(mias.items.filter((item) => item.type === 'review.created').map((item) => item.data.teamId)).toEqual(['west', 'west']);
    // Logged as the system job's change.
    const audit = await get<{ items: Array<{ action: string; actor: string }> }>(`/audit?entityId=${w11!.id}`);
    expect(audit.body.items).toMatchObject([{ action: 'create', actor: 'system:kpi-rollup' }]);
  });

  it("hold the week's exact figures: KPIs against last week and target, funnel, attainment, stuck deals, overdue tasks, forecast", async () => {
    const [w11] = (await reviewsOf('east')).items;
    const { status, body } = await get<Record<string, unknown>>(`/reviews/${w11!.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: w11!.id,
      team: { id: 'east', name: TEAM_NAME, manager: 'alice' },
      week: { id: '2027-W11', start: '2027-03-15', end: '2027-03-21' },
      generatedAt: '2027-03-22T06:01:00.000Z',
      currency: 'EUR',
      links: { self: `/reviews/${w11!.id}`, document: `/reviews/${w11!.id}/document` },
    });
    const row = (metric: string, value: number, previous: number | null, target: number | null = null, attainment: number | null = null) => ({
      metric,
      value,
      previous,
      delta: previous === null ? null : value - previous,
      target,
      attainment,
    });
    expect(body.kpis).toMatchObject([
      row('revenue_won', 1_000_000, 400_000, 1_000_000, 1),
      row('deals_won', 1, 1, 2, 0.5),
      row('deals_lost', 1, 0),
      row('win_rate', 0.5, 1),
      row('average_won_deal_size', 1_000_000, 400_000),
      // Created 2 March, won 17 March; the quick one 2 → 10 March.
      row('sales_cycle_days', 15, 8),
      row('deals_created', 2, 0),
      row('pipeline_value', 0, 0),
      row('weighted_pipeline', 0, 0),
      row('activities', 1, 0),
      // Acme became a customer with its first win (10 March), Initech was made one (17 March).
      row('new_customers', 1, 1),
    ]);
    expect(body.funnel).toEqual([
      { stage: 'lead', name: 'Lead', entered: 2, conversionToNext: 0.5 },
      { stage: 'quote', name: 'Quote', entered: 1, conversionToNext: 1 },
      { stage: 'negotiation', name: 'Negotiation', entered: 1, conversionToNext: 0 },
      { stage: 'won', name: 'Won', entered: 0, conversionToNext: null },
    ]);
    // The quarter to the week's end (1 January – 21 March) against the quarter's team targets.
    expect(body.attainment).toEqual([
      { label: 'Revenue won', actual: 1_400_000, target: 5_000_000, unit: 'money', currency: 'EUR' },
      { label: 'Deals won', actual: 2, target: 5, unit: 'count' },
      { label: 'Activities', actual: 1, target: 10, unit: 'count' },
      { label: 'New customers', actual: 2, target: null, unit: 'count' },
    ]);
    // The team's stays (p90, nearest rank): lead 2, 4, 12, 1, 3 days (12); quote 12, 2, 1 (12); negotiation 2, 1 (2).
    // The lead open for 19 days is over its p90; the quote idle for 7 days is not, but quotes go stale after 5; the
    // negotiation of 3 days is over its p90 (2).
    expect(body.stuckDeals).toEqual([
      { opportunityId: ids['Slow lead'], name: 'Slow lead', owner: 'carol', stage: 'Lead', daysInStage: 19, reason: 'over_p90', amount: money(300_000, 'USD') },
      { opportunityId: ids['Idle quote'], name: 'Idle quote', owner: 'bob', stage: 'Quote', daysInStage: 7, reason: 'stale', amount: money(250_000) },
      { opportunityId: ids['New deal'], name: 'New deal', owner: 'carol', stage: 'Negotiation', daysInStage: 3, reason: 'over_p90', amount: money(600_000) },
    ]);
    expect(body.stuckDealsTotal).toBe(3);
    // Open, of the members, due before 07:01 on Monday (the manager's own task is not a member's); dates are local.
    expect(body.overdueTasks).toMatchObject([
      { title: 'Call back Acme', assignee: 'bob', dueDate: '2027-03-19' },
      { title: 'Send <offer>', assignee: 'carol', dueDate: '2027-03-22' },
    ]);
    expect(body.overdueTasksTotal).toBe(2);
    // Commit: the negotiation closing 26 March; best case: the quote closing 30 March; the USD lead closes in April.
    expect(body.forecast).toEqual({ period: 'FY2027-Q1', commit: 600_000, bestCase: 250_000, closedWon: 1_400_000, target: 5_000_000, attainment: 0.28 });
  });

  it('are point-in-time: a later change leaves a made review as it was', async () => {
    const [w11] = (await reviewsOf('east')).items;
    const before = (await get(`/reviews/${w11!.id}`)).body;
    at('2027-03-22T07:00:00.000Z');
    await moveStage(deps, who.carol, ids['Slow lead']!, { stage: 'quote' });
    await relay();
    await runKpiRollup(deps);
    expect((await get(`/reviews/${w11!.id}`)).body).toEqual(before);
  });

  it('render as an HTML page with both charts as SVG and every value escaped', async () => {
    const [w11] = (await reviewsOf('east')).items;
    const response = await fetch(`${api.baseUrl}/reviews/${w11!.id}/document`, { headers: { authorization: `Bearer ${tokens.finance}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    const page = await response.text();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).toContain('East &amp; &lt;Co&gt;');
    expect(page).toContain('Send &lt;offer&gt;');
    expect(page).not.toContain('<Co>');
    expect(page).not.toContain('<offer>');
  });

  it('are for admins, managers and finance; reps may not; an unknown review is a 404', async () => {
    expect((await get('/reviews?team=east', tokens.rep)).status).toBe(403);
    expect((await get('/reviews/01JZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
  });
});
