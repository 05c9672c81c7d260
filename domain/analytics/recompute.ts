/**
 * `npm run job -- kpi-rollup --recompute <period>`: rebuilds a period's aggregates — the period itself and every
 * period inside it (a quarter's months, weeks and days) — from the records themselves, not from the feed. It
 * uses the same contribution function as the incremental runs, so it gives exactly their numbers; what it is for
 * is repair (a bug fixed, a calendar changed) and proof.
 *
 * It holds the tenant (scheduled runs skip it meanwhile), catches up with the feed, reads every opportunity,
 * customer and the activities of the period (queries, never a scan — but all of the tenant's records: this is an
 * operator's job, not a request), and overwrites the period's aggregates and the period's part of every stored
 * contribution.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Deps } from '../shared/ports';
import { commitWriteSet } from '../shared/versioned-write';
import { parseAggregateKey } from './aggregate-keys';
import { sumContributions, type Contribution } from './counters';
import { contributionOf } from './contributions';
import { DateTime } from 'luxon';
import { parsePeriod, periodsOf, PERIOD_KINDS, type Period, type ReportingCalendar } from './periods';
import { REGISTRY_SHARD } from './registry';
import { chunks, mapConcurrently, rollUpTenant } from './rollup';
import { activitySubject, customerSubject, loadRollupContext, opportunitySubject, readSubjectFacts, type Subject } from './subjects';

type AggregateItem = EntityItem<SalesDb['entities']['kpiAggregate']>;
type ContributionItem = EntityItem<SalesDb['entities']['kpiContribution']>;

const HOLD_MS = 30 * 60_000;

export interface RecomputeRun {
  tenantId: string;
  period: string;
  subjects: number;
  aggregates: number;
  contributionsChanged: number;
}

export async function recomputePeriod(deps: Deps, tenantId: string, periodId: string): Promise<RecomputeRun> {
  const context = await loadRollupContext(deps, tenantId);
  const period = parsePeriod(periodId, context.calendar, 'period');
  await hold(deps, tenantId, new Date(deps.clock.now().getTime() + HOLD_MS).toISOString());
  try {
    await rollUpTenant(deps, tenantId);
    const inside = periodsInside(period, context.calendar);
    const subjects = await allSubjects(deps, tenantId, period);
    const facts = await mapConcurrently(subjects, 16, (subject) => readSubjectFacts(deps, tenantId, subject));
    const fresh = new Map<string, { user: string; contribution: Contribution }>();
    for (const [index, subject] of subjects.entries()) {
      const subjectFacts = facts[index];
      if (!subjectFacts) continue;
      const contribution = restrict(contributionOf(subjectFacts, context), inside);
      fresh.set(subject.id, { user: subjectFacts.kind === 'activity' ? subjectFacts.createdBy : subjectFacts.owner, contribution });
    }
    const totals = sumContributions([...fresh.values()].map((entry) => entry.contribution));
    const existing = await existingAggregates(deps, tenantId, period, context.calendar, inside);
    const stored = await storedContributions(deps, tenantId, subjects.map((subject) => subject.id));
    const now = deps.clock.now().toISOString();

    const aggregateWrites: AggregateItem[] = [];
    for (const key of new Set([...Object.keys(totals), ...existing.keys()])) {
      const counters = totals[key] ?? {};
      const current = existing.get(key);
      if (current && JSON.stringify(sortKeys(current.counters)) === JSON.stringify(sortKeys(counters))) continue;
      aggregateWrites.push({ tenantId, ...parseAggregateKey(key), counters, updatedAt: now, version: (current?.version ?? 0) + 1 });
    }
    const contributionWrites: Array<{ item: ContributionItem; readVersion?: number }> = [];
    for (const subject of subjects) {
      const current = stored.get(subject.id);
      const wanted = fresh.get(subject.id);
      const outside = Object.fromEntries(Object.entries(current?.contribution ?? {}).filter(([key]) => !inside(key)));
      const contribution = { ...outside, ...(wanted?.contribution ?? {}) };
      if (current && JSON.stringify(sortKeys(current.contribution)) === JSON.stringify(sortKeys(contribution))) continue;
      if (!current && Object.keys(contribution).length === 0) continue;
      contributionWrites.push({
        item: { tenantId, subject: subject.id, user: wanted?.user ?? current?.user ?? '-', contribution, updatedAt: now, version: (current?.version ?? 0) + 1 },
        readVersion: current?.version,
      });
    }
    for (const chunk of chunks(aggregateWrites, 99)) {
      await commitOrFail(deps, (tx) => {
        tx.unlogged('KPI aggregates are figures derived from audited records');
        for (const item of chunk) tx.record('kpiAggregate', tx.entities.kpiAggregate.put(item).commit());
      });
    }
    for (const chunk of chunks(contributionWrites, 99)) {
      await commitOrFail(deps, (tx) => {
        tx.unlogged('KPI contributions are figures derived from audited records');
        for (const { item, readVersion } of chunk) {
          tx.record(
            'kpiContribution',
            readVersion === undefined
              ? tx.entities.kpiContribution.create(item).commit()
              : tx.entities.kpiContribution.put(item).where((attr, op) => op.eq(attr.version, readVersion)).commit(),
          );
        }
      });
    }
    return { tenantId, period: periodId, subjects: subjects.length, aggregates: aggregateWrites.length, contributionsChanged: contributionWrites.length };
  } finally {
    await hold(deps, tenantId, undefined);
  }
}

async function commitOrFail(deps: Deps, write: Parameters<typeof commitWriteSet>[1]): Promise<void> {
  if ((await commitWriteSet(deps, write)) === 'stale') {
    throw new Error('A record changed while the period was recomputed: run the recompute again');
  }
}

async function hold(deps: Deps, tenantId: string, until: string | undefined): Promise<void> {
  const update = deps.db.entities.kpiTenant.upsert({ tenantId, shard: REGISTRY_SHARD });
  await (until === undefined ? update.set({ heldUntil: '' }) : update.set({ heldUntil: until })).go({ response: 'none' });
}

/** Whether an aggregate key's period lies inside `period` (the period itself included). */
export function periodsInside(period: Period, calendar: ReportingCalendar): (key: string) => boolean {
  const memo = new Map<string, boolean>();
  return (key) => {
    const { period: id, kind } = parseAggregateKey(key);
    if (kind === 'open') return false;
    let inside = memo.get(id);
    if (inside === undefined) {
      const other = parsePeriod(id, calendar);
      inside = other.start >= period.start && other.end <= period.end;
      memo.set(id, inside);
    }
    return inside;
  };
}

function restrict(contribution: Contribution, inside: (key: string) => boolean): Contribution {
  return Object.fromEntries(Object.entries(contribution).filter(([key]) => inside(key)));
}

/** Every record that may count in the period: all opportunities and customers, the period's activities. */
async function allSubjects(deps: Deps, tenantId: string, period: Period): Promise<Subject[]> {
  const [{ data: deals }, active, archived] = await Promise.all([
    deps.db.entities.opportunity.query.byCloseDate({ tenantId }).go({ pages: 'all', attributes: ['opportunityId'] }),
    deps.db.entities.customer.query.byName({ tenantId, state: 'active' }).go({ pages: 'all', attributes: ['customerId'] }),
    deps.db.entities.customer.query.byName({ tenantId, state: 'archived' }).go({ pages: 'all', attributes: ['customerId'] }),
  ]);
  const customers = [...active.data, ...archived.data];
  const activities = await mapConcurrently(customers, 16, async ({ customerId }) => {
    const { data } = await deps.db.entities.activity.query
      .timeline({ tenantId, customerId })
      .between({ occurredAt: period.start }, { occurredAt: period.end })
      .go({ pages: 'all', attributes: ['activityId', 'occurredAt', 'customerId'] });
    return data.map((activity) => activitySubject(customerId, activity.activityId, activity.occurredAt));
  });
  return [
    ...deals.map((deal) => opportunitySubject(deal.opportunityId)),
    ...customers.map((customer) => customerSubject(customer.customerId)),
    ...activities.flat(),
  ];
}

async function existingAggregates(deps: Deps, tenantId: string, period: Period, calendar: ReportingCalendar, inside: (key: string) => boolean) {
  const result = new Map<string, AggregateItem>();
  const ids = periodIdsInside(period, calendar);
  const found = await mapConcurrently(ids, 16, async (id) => (await deps.db.entities.kpiAggregate.query.byPeriod({ tenantId, period: id }).go({ pages: 'all' })).data);
  for (const item of found.flat()) {
    const key = `${item.family}/${item.period}/${item.scope}`;
    if (inside(key)) result.set(key, item);
  }
  return result;
}

/** The ids of the period and of every period of a smaller kind that lies inside it. */
export function periodIdsInside(period: Period, calendar: ReportingCalendar): string[] {
  const ids = new Set<string>();
  for (let day = DateTime.fromISO(period.firstDay); day.toISODate()! <= period.lastDay; day = day.plus({ days: 1 })) {
    const periods = periodsOf(`${day.toISODate()}T12:00:00Z`, { timezone: 'UTC', fiscalYearStartMonth: calendar.fiscalYearStartMonth });
    for (const kind of PERIOD_KINDS) ids.add(periods[kind]);
  }
  return [...ids].filter((id) => {
    const other = parsePeriod(id, calendar);
    return other.start >= period.start && other.end <= period.end;
  });
}

async function storedContributions(deps: Deps, tenantId: string, subjects: readonly string[]): Promise<Map<string, ContributionItem>> {
  const result = new Map<string, ContributionItem>();
  for (const chunk of chunks(subjects, 100)) {
    const { data } = await deps.db.entities.kpiContribution.get(chunk.map((subject) => ({ tenantId, subject }))).go({ consistent: true });
    for (const item of data) result.set(item.subject, item);
  }
  return result;
}

function sortKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, sortKeys(inner)]));
}
