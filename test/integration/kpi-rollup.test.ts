/**
 * The KPI rollup on DynamoDB Local with a controlled clock: exact counters from a known history, in the tenant's
 * timezone and fiscal calendar; repeated and overlapping runs; a change that commits late; and a recompute that
 * gives exactly what the incremental runs gave.
 */
import { decodeTime, monotonicFactory } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { rollUpTenant } from '../../domain/analytics/rollup';
import { recomputePeriod } from '../../domain/analytics/recompute';
import { createCustomer, logActivity } from '../../domain/customers';
import { createOpportunity, moveStage, putPipeline, updateOpportunity } from '../../domain/pipeline';
import { putSettings, getSettings } from '../../domain/settings';
import type { Actor } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people, withClock } from '../support/dynamo';

let base: Deps;
let now = Date.parse('2027-03-30T08:00:00.000Z');
let deps: Deps;
beforeAll(async () => {
  base = await createTestDeps();
  deps = withClock(base, () => now);
});

const at = (iso: string) => {
  now = Date.parse(iso);
};

/** A tenant in Berlin whose fiscal year starts in April, on a pipeline without gates (any move is allowed). */
async function tenant() {
  const who = people();
  const settings = await getSettings(deps, who.dana);
  await putSettings(deps, who.dana, { ...withoutVersion(settings), reportingTimezone: 'Europe/Berlin', fiscalYearStartMonth: 4 }, {});
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
  return who;
}

function withoutVersion<T extends { version?: number }>(value: T): Omit<T, 'version'> {
  const { version: _version, ...rest } = value;
  return rest;
}

async function aggregate(tenantId: string, scope: string, family: string, period: string) {
  const kind = /^FY\d{4}-Q/.test(period) ? 'quarter' : /^FY/.test(period) ? 'year' : /W/.test(period) ? 'week' : period === 'open' ? 'open' : period.length === 7 ? 'month' : 'day';
  const { data } = await deps.db.entities.kpiAggregate.get({ tenantId, scope, family, kind, period }).go({ consistent: true });
  return data?.counters ?? {};
}

async function deal(actor: Actor, customerId: string, input: { amount?: number; currency?: string; close: string }) {
  return createOpportunity(deps, actor, {
    customerId,
    name: `Deal ${Math.random()}`,
    expectedCloseDate: input.close,
    ...(input.amount !== undefined && { amount: { amount: input.amount, currency: input.currency ?? 'EUR' } }),
  });
}

describe('KPI rollup', () => {
  it('counts a known history exactly, cut in the tenant’s zone and fiscal calendar', async () => {
    const who = await tenant();
    at('2027-03-31T21:30:00.000Z'); // 23:30 in Berlin (CEST): still March, fiscal FY2027-Q4
    const customer = await createCustomer(deps, who.bob, { name: 'Acme', lifecycle: 'customer' });
    const won = await deal(who.bob, customer.id, { amount: 1_000_000, close: '2027-04-30' });
    const lost = await deal(who.bob, customer.id, { amount: 300_000, close: '2027-04-15' });
    const open = await deal(who.carol, (await createCustomer(deps, who.carol, { name: 'Carol Co' })).id, { amount: 500_001, close: '2027-05-20' });
    at('2027-04-01T22:30:00.000Z'); // 00:30 on 2 April in Berlin: fiscal FY2028-Q1
    await moveStage(deps, who.bob, won.id, { stage: 'quote' });
    await logActivity(deps, who.bob, customer.id, { type: 'call', subject: 'Pricing call', occurredAt: '2027-04-01T22:30:00.000Z' });
    at('2027-04-05T10:00:00.000Z');
    await moveStage(deps, who.bob, won.id, { stage: 'negotiation' });
    await moveStage(deps, who.bob, won.id, { stage: 'won' });
    await moveStage(deps, who.bob, lost.id, { stage: 'lost', lostReason: 'price' });
    await updateOpportunity(deps, who.carol, open.id, { expectedCloseDate: '2027-07-02' }, {});
    at('2027-04-05T10:05:00.000Z');

    const run = await rollUpTenant(deps, who.tenant);
    expect(run.subjects).toBeGreaterThanOrEqual(4);

    const t = who.tenant;
    // Created on 31 March local: the March cohort, fiscal FY2027 (April 2026 – March 2027).
    expect(await aggregate(t, 'tenant', 'flow', '2027-03')).toMatchObject({ created: 3, 'entered|lead': 3, 'entered|quote': 1, 'entered|negotiation': 1, 'entered|won': 1, 'entered|lost': 1, cohortWon: 1, cohortLost: 1 });
    expect(await aggregate(t, 'tenant', 'flow', 'FY2027-Q4')).toMatchObject({ created: 3 });
    // Closed on 5 April: April, FY2028-Q1.
    const april = await aggregate(t, 'rep:bob', 'flow', 'FY2028-Q1');
    expect(april).toMatchObject({ won: 1, lost: 1, revenueWon: 1_000_000, 'cycleDays|5': 1 });
    // The call at 00:30 on 2 April Berlin time is an April activity, not March.
    expect(await aggregate(t, 'rep:bob', 'flow', '2027-04-02')).toMatchObject({ 'activities|call': 1 });
    expect((await aggregate(t, 'rep:bob', 'flow', '2027-03-31'))['activities|call']).toBeUndefined();
    // The new customer became one on 31 March local.
    expect(await aggregate(t, 'rep:bob', 'flow', '2027-03-31')).toMatchObject({ newCustomers: 1 });
    // Open: Carol's deal, weighted 10 % (half up), now closing in July (FY2028-Q2), pushed out of May and Q1.
    expect(await aggregate(t, 'rep:carol', 'flow', 'open')).toEqual({ 'open|lead|-|count': 1, 'open|lead|-|amount|EUR': 500_001, 'open|lead|-|weighted|EUR': 50_000 });
    expect(await aggregate(t, 'tenant', 'flow', 'FY2028-Q2')).toMatchObject({ 'open|lead|-|count': 1 });
    expect(await aggregate(t, 'rep:carol', 'flow', '2027-05')).toEqual({ due: 1, pushed: 1 });
    // Stays that ended in April: the won deal a day in lead (31 Mar 21:30 → 1 Apr 22:30), 3.5 in quote, none in
    // negotiation; the lost one 4.5 days in lead.
    expect(await aggregate(t, 'tenant', 'stays', '2027-04')).toEqual({ 'stay|lead|1.0': 1, 'stay|quote|3.5': 1, 'stay|negotiation|0.0': 1, 'stay|lead|4.5': 1 });
  });

  it('changes nothing when run again, or by two runs at once', async () => {
    const who = await tenant();
    at('2027-05-02T09:00:00.000Z');
    const customer = await createCustomer(deps, who.bob, { name: 'Acme' });
    for (let index = 0; index < 5; index++) await deal(who.bob, customer.id, { amount: 100_000 * (index + 1), close: '2027-06-30' });
    at('2027-05-02T09:01:00.000Z');
    await Promise.all([rollUpTenant(deps, who.tenant), rollUpTenant(deps, who.tenant)]);
    const once = await aggregate(who.tenant, 'tenant', 'flow', 'open');
    expect(once).toMatchObject({ 'open|lead|-|count': 5, 'open|lead|-|amount|EUR': 1_500_000 });
    const again = await rollUpTenant(deps, who.tenant);
    expect(again.aggregatesWritten).toBe(0);
    expect(await aggregate(who.tenant, 'tenant', 'flow', 'open')).toEqual(once);
  });

  it('counts a change that commits after the run went past its time (late), once', async () => {
    const who = await tenant();
    at('2027-05-03T09:00:00.000Z');
    const customer = await createCustomer(deps, who.bob, { name: 'Acme' });
    await deal(who.bob, customer.id, { amount: 100, close: '2027-06-30' });
    at('2027-05-03T09:00:20.000Z');
    await deal(who.bob, customer.id, { amount: 50, close: '2027-06-30' });
    at('2027-05-03T09:00:30.000Z');
    await rollUpTenant(deps, who.tenant);
    // A writer that took its ids at 09:00:10 (its own clock and ids: the shared ones never go back) commits only
    // now, behind the watermark (the event of 09:00:20).
    const tookIdsAt = Date.parse('2027-05-03T09:00:10.000Z');
    const ids = monotonicFactory();
    const late: Deps = { ...deps, clock: { now: () => new Date(tookIdsAt) }, ids: { next: () => ids(tookIdsAt) } };
    await createOpportunity(late, who.bob, { customerId: customer.id, name: 'Late deal', expectedCloseDate: '2027-06-30', amount: { amount: 200, currency: 'EUR' } });
    const { data: state } = await deps.db.entities.kpiTenant.get({ tenantId: who.tenant }).go({ consistent: true });
    expect(decodeTime(state!.watermark!)).toBeGreaterThan(tookIdsAt);
    at('2027-05-03T09:01:00.000Z');
    await rollUpTenant(deps, who.tenant);
    await rollUpTenant(deps, who.tenant);
    expect(await aggregate(who.tenant, 'tenant', 'flow', 'open')).toMatchObject({ 'open|lead|-|count': 3, 'open|lead|-|amount|EUR': 350 });
  });

  it('recomputes a period from the records to exactly the incremental figures', async () => {
    const who = await tenant();
    at('2027-06-01T09:00:00.000Z');
    const customer = await createCustomer(deps, who.bob, { name: 'Acme', lifecycle: 'customer' });
    const a = await deal(who.bob, customer.id, { amount: 700, close: '2027-06-30' });
    const b = await deal(who.bob, customer.id, { amount: 900, close: '2027-06-15' });
    at('2027-06-03T09:00:00.000Z');
    await moveStage(deps, who.bob, a.id, { stage: 'quote' });
    await moveStage(deps, who.bob, b.id, { stage: 'negotiation' });
    await moveStage(deps, who.bob, b.id, { stage: 'won' });
    await logActivity(deps, who.bob, customer.id, { type: 'meeting', subject: 'Kick-off', occurredAt: '2027-06-03T09:00:00.000Z' });
    at('2027-06-03T09:05:00.000Z');
    await rollUpTenant(deps, who.tenant);
    const scopes = ['tenant', 'rep:bob'];
    const periods = ['FY2028-Q1', '2027-06', '2027-06-01', '2027-06-03', '2027-W22'];
    const before = await Promise.all(scopes.flatMap((scope) => periods.flatMap((period) => ['flow', 'stays'].map((family) => aggregate(who.tenant, scope, family, period)))));
    // Damage the quarter, then rebuild it.
    await deps.db.entities.kpiAggregate.patch({ tenantId: who.tenant, scope: 'tenant', family: 'flow', kind: 'quarter', period: 'FY2028-Q1' }).set({ counters: { created: 99 } }).go();
    const recomputed = await recomputePeriod(deps, who.tenant, 'FY2028-Q1');
    expect(recomputed.aggregates).toBeGreaterThanOrEqual(1);
    const after = await Promise.all(scopes.flatMap((scope) => periods.flatMap((period) => ['flow', 'stays'].map((family) => aggregate(who.tenant, scope, family, period)))));
    expect(after).toEqual(before);
    // And the incremental runs carry on from the rebuilt figures without counting anything twice.
    at('2027-06-04T09:00:00.000Z');
    await moveStage(deps, who.bob, a.id, { stage: 'negotiation' });
    await moveStage(deps, who.bob, a.id, { stage: 'won' });
    at('2027-06-04T09:05:00.000Z');
    await rollUpTenant(deps, who.tenant);
    expect(await aggregate(who.tenant, 'tenant', 'flow', 'FY2028-Q1')).toMatchObject({ created: 2, won: 2, revenueWon: 1600 });
  });
});
