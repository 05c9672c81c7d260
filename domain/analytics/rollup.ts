/**
 * The KPI rollup (`npm run job -- kpi-rollup`; the stage's `kpiRollupRate` schedule on AWS and in `npm start`).
 *
 * Change log: the tenant's outbox feed, which records every change in commit order. Per tenant, the rollup keeps
 * a watermark (the last event it went through) and reads only the feed after it — nothing is scanned, and a
 * tenant whose feed did not grow since the last run (the relay counts what it relays, `feedChanges`) costs no
 * request beyond the registry query.
 *
 * Events are notifications, the records are the truth: for every record an event names (the subject: an
 * opportunity, activity or customer), the rollup reads the record with its history, computes its contribution
 * (./contributions.ts), and applies the difference to the one it stored for that subject before. So:
 * - a repeated, twice-delivered or overlapping run finds no difference left and changes nothing; every write is
 *   conditional on the versions read (aggregates, contributions, the tenant's state), and a run that loses a race
 *   re-reads and finds what the other did;
 * - the aggregates and the watermark move in one transaction. When a page of changes touches more items than one
 *   transaction holds (100), it is split, and each transaction also writes the contributions of exactly the keys
 *   it applies: a run that stops between two of them leaves every aggregate equal to the sum of the stored
 *   contributions, and the next run applies the rest — never twice;
 * - an event that commits late (its id is older than the watermark) is still seen: each run reads the feed from
 *   LOOKBACK before the watermark, and subjects read again without a change cost a read and no write;
 * - a team change re-reads the subjects of the members who moved (their figures move to the new team).
 */
import type { EntityItem } from 'electrodb';
import { decodeTime, ulid } from 'ulid';
import type { SalesDb } from '../db';
import type { DomainEventItem } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { commitWriteSet } from '../shared/versioned-write';
import { REGISTRY_SHARD } from './registry';
import { parseAggregateKey } from './aggregate-keys';
import { addCounters, contributionDelta, type Contribution, type Counters } from './counters';
import { contributionOf, type ContributionContext } from './contributions';
import { loadRollupContext, readSubjectFacts, type Subject, subjectOfEvent, subjectsOfUsers, usersMovedByEvent } from './subjects';
import { getSettings } from '../settings';
import { reviewDue } from './review-rules';
import { makeDueReviews } from './reviews';
import { snapshotDue, takeSnapshot } from './snapshots';
import { systemActor } from './subjects';

type AggregateItem = EntityItem<SalesDb['entities']['kpiAggregate']>;
type ContributionItem = EntityItem<SalesDb['entities']['kpiContribution']>;

/** How far before its watermark a run reads the feed again, for events that committed late. */
export const LOOKBACK_MS = 2 * 60_000;
/** Events read per page; each page is applied before the next is read. */
const PAGE_SIZE = 400;
/** Items one transaction may hold (DynamoDB's limit is 100; one is the tenant's state). */
const MAX_ITEMS_PER_TRANSACTION = 99;
const MAX_ATTEMPTS = 5;
const SETTLE_MS = 1_000;

export interface RollupRun {
  tenants: number;
  tenantsRolledUp: number;
  events: number;
  subjects: number;
  aggregatesWritten: number;
  transactions: number;
  snapshots: number;
  /** Weekly reviews made (./reviews.ts): one per team and ISO week, once its local Monday 07:00 has passed. */
  reviews: number;
}

export async function runKpiRollup(deps: Deps): Promise<RollupRun> {
  const run: RollupRun = { tenants: 0, tenantsRolledUp: 0, events: 0, subjects: 0, aggregatesWritten: 0, transactions: 0, snapshots: 0, reviews: 0 };
  const now = deps.clock.now();
  const { data: tenants } = await deps.db.entities.kpiTenant.query.registry({ shard: REGISTRY_SHARD }).go({ pages: 'all' });
  for (const tenant of tenants) {
    run.tenants += 1;
    if (tenant.heldUntil && tenant.heldUntil > now.toISOString()) continue;
    const changed = (tenant.feedChanges ?? 0) !== (tenant.changesSeen ?? 0);
    const add = (tenantRun: TenantRollup) => {
      run.events += tenantRun.events;
      run.subjects += tenantRun.subjects;
      run.aggregatesWritten += tenantRun.aggregatesWritten;
      run.transactions += tenantRun.transactions;
    };
    const { reportingTimezone } = await getSettings(deps, systemActor(tenant.tenantId));
    const due = snapshotDue(now, reportingTimezone, tenant.snapshotDay);
    if (due) {
      // The day's closing pipeline: what was rolled up to its midnight, not what came after.
      if (changed) add(await rollUpTenant(deps, tenant.tenantId, { until: due.endedAt }));
      await takeSnapshot(deps, tenant.tenantId, due);
      run.snapshots += 1;
    }
    if (changed) {
      add(await rollUpTenant(deps, tenant.tenantId));
      run.tenantsRolledUp += 1;
    }
    // From the figures just rolled up: the reviews of the week that ended, once the local Monday 07:00 passed.
    const reviewsDue = reviewDue(now, reportingTimezone, tenant.reviewWeek);
    if (reviewsDue) run.reviews += await makeDueReviews(deps, tenant.tenantId, reviewsDue.week);
  }
  return run;
}

export interface TenantRollup {
  events: number;
  subjects: number;
  aggregatesWritten: number;
  transactions: number;
}

/** Brings one tenant's aggregates up to its feed. */
export async function rollUpTenant(deps: Deps, tenantId: string, options: { until?: Date } = {}): Promise<TenantRollup> {
  const total: TenantRollup = { events: 0, subjects: 0, aggregatesWritten: 0, transactions: 0 };
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await rollUpFromWatermark(deps, tenantId, total, options.until);
    if (outcome === 'done') return total;
    if (attempt >= MAX_ATTEMPTS) throw new Error(`KPI rollup of ${tenantId}: lost ${MAX_ATTEMPTS} races in a row with other runs`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
  }
}

async function rollUpFromWatermark(deps: Deps, tenantId: string, total: TenantRollup, until: Date | undefined): Promise<'done' | 'stale'> {
  const { data: state } = await deps.db.entities.kpiTenant.get({ tenantId }).go({ consistent: true });
  // Stopping early (at a midnight) leaves the count of changes seen as it was: the rest is still to do.
  const seen = until === undefined ? (state?.feedChanges ?? 0) : (state?.changesSeen ?? 0);
  const settledBefore = idAt(Math.min(deps.clock.now().getTime() - SETTLE_MS, until?.getTime() ?? Infinity));
  const context = await loadRollupContext(deps, tenantId);
  let watermark = state?.watermark;
  let version = state?.version;
  let from = watermark === undefined ? undefined : idAt(decodeTime(watermark) - LOOKBACK_MS);
  for (;;) {
    const query = deps.db.entities.domainEvent.query.feed({ tenantId });
    const ranged = from === undefined ? query.lt({ eventId: settledBefore }) : query.between({ eventId: from }, { eventId: settledBefore });
    const { data: events } = await ranged.go({ limit: PAGE_SIZE, count: PAGE_SIZE });
    const page = events.filter((event) => event.eventId !== from && event.eventId < settledBefore);
    const last = page.at(-1)?.eventId;
    const finished = events.length < PAGE_SIZE;
    const nextWatermark = last !== undefined && (watermark === undefined || last > watermark) ? last : watermark;
    const subjects = await subjectsOf(deps, tenantId, page);
    // Events read, the LOOKBACK_MS before the watermark included: what the run's cost follows.
    total.events += page.length;
    total.subjects += subjects.length;
    const applied = await applySubjects(deps, tenantId, subjects, context, {
      state: { version, watermark: nextWatermark, changesSeen: finished ? seen : (state?.changesSeen ?? 0) },
    });
    if (applied === 'stale') return 'stale';
    total.aggregatesWritten += applied.aggregatesWritten;
    total.transactions += applied.transactions;
    version = (version ?? 0) + 1;
    watermark = nextWatermark;
    if (finished) return 'done';
    from = last;
  }
}

/** The subjects a page of events names, each once, in order of first mention. */
async function subjectsOf(deps: Deps, tenantId: string, events: readonly DomainEventItem[]): Promise<Subject[]> {
  const subjects = new Map<string, Subject>();
  const movedUsers = new Set<string>();
  for (const event of events) {
    const subject = subjectOfEvent(event);
    if (subject && !subjects.has(subject.id)) subjects.set(subject.id, subject);
    for (const user of usersMovedByEvent(event)) movedUsers.add(user);
  }
  for (const subject of await subjectsOfUsers(deps, tenantId, [...movedUsers])) {
    if (!subjects.has(subject.id)) subjects.set(subject.id, subject);
  }
  return [...subjects.values()];
}

interface StateUpdate {
  version: number | undefined;
  watermark: string | undefined;
  changesSeen: number;
}

interface Pair {
  subject: string;
  key: string;
  delta: Counters;
}

/**
 * Reads the subjects' records and stored contributions, and writes the differences: the aggregates, the
 * contributions and (last) the tenant's state, in as few transactions as the item limit allows.
 */
export async function applySubjects(
  deps: Deps,
  tenantId: string,
  subjects: readonly Subject[],
  context: ContributionContext,
  options: { state: StateUpdate },
): Promise<'stale' | { aggregatesWritten: number; transactions: number }> {
  const now = deps.clock.now().toISOString();
  const [facts, stored] = await Promise.all([
    mapConcurrently(subjects, 8, (subject) => readSubjectFacts(deps, tenantId, subject)),
    readContributions(deps, tenantId, subjects.map((subject) => subject.id)),
  ]);
  const next = new Map<string, { user: string; contribution: Contribution }>();
  const pairs: Pair[] = [];
  for (const [index, subject] of subjects.entries()) {
    const subjectFacts = facts[index];
    const after = subjectFacts ? contributionOf(subjectFacts, context) : {};
    const before = stored.get(subject.id)?.contribution ?? {};
    const delta = contributionDelta(before, after);
    if (Object.keys(delta).length === 0) continue;
    next.set(subject.id, { user: subjectFacts ? userOf(subjectFacts) : (stored.get(subject.id)?.user ?? '-'), contribution: after });
    for (const [key, counters] of Object.entries(delta)) pairs.push({ subject: subject.id, key, delta: counters });
  }
  const aggregates = await readAggregates(deps, tenantId, [...new Set(pairs.map((pair) => pair.key))]);
  const contributions = new Map([...stored].map(([id, item]) => [id, { ...item }]));
  const transactions = packTransactions(pairs);
  let aggregatesWritten = 0;
  for (const [index, transaction] of transactions.entries()) {
    const finalOne = index === transactions.length - 1;
    const outcome = await commitWriteSet(deps, (tx) => {
      tx.unlogged('KPI aggregates are figures derived from audited records');
      const byKey = new Map<string, Counters>();
      const bySubject = new Map<string, string[]>();
      for (const pair of transaction) {
        addCounters((byKey.get(pair.key) ?? byKey.set(pair.key, {}).get(pair.key)!), pair.delta);
        (bySubject.get(pair.subject) ?? bySubject.set(pair.subject, []).get(pair.subject)!).push(pair.key);
      }
      for (const [key, delta] of byKey) {
        const current = aggregates.get(key);
        const counters = addCounters({ ...(current?.counters ?? {}) }, delta);
        const parts = parseAggregateKey(key);
        const item: AggregateItem = { tenantId, ...parts, counters, updatedAt: now, version: (current?.version ?? 0) + 1 };
        tx.record(
          'kpiAggregate',
          current
            ? tx.entities.kpiAggregate.put(item).where((attr, op) => op.eq(attr.version, current.version)).commit()
            : tx.entities.kpiAggregate.create(item).commit(),
        );
        aggregates.set(key, item);
      }
      for (const [subject, keys] of bySubject) {
        const current = contributions.get(subject);
        const target = next.get(subject)!;
        const contribution = { ...(current?.contribution ?? {}) };
        for (const key of keys) {
          if (target.contribution[key]) contribution[key] = target.contribution[key];
          else delete contribution[key];
        }
        const item: ContributionItem = { tenantId, subject, user: target.user, contribution, updatedAt: now, version: (current?.version ?? 0) + 1 };
        tx.record(
          'kpiContribution',
          current
            ? tx.entities.kpiContribution.put(item).where((attr, op) => op.eq(attr.version, current.version)).commit()
            : tx.entities.kpiContribution.create(item).commit(),
        );
        contributions.set(subject, item);
      }
      if (finalOne) tx.record('kpiTenant', stateWrite(tx.entities, tenantId, options.state, now));
    });
    if (outcome === 'stale') return 'stale';
    aggregatesWritten += transaction.length === 0 ? 0 : new Set(transaction.map((pair) => pair.key)).size;
  }
  return { aggregatesWritten, transactions: transactions.length };
}

function stateWrite(entities: Parameters<Parameters<typeof commitWriteSet>[1]>[0]['entities'], tenantId: string, state: StateUpdate, now: string) {
  const patch = entities.kpiTenant
    .upsert({ tenantId, shard: REGISTRY_SHARD })
    .set({ changesSeen: state.changesSeen, rolledUpAt: now, version: (state.version ?? 0) + 1, ...(state.watermark && { watermark: state.watermark }) });
  return (state.version === undefined
    ? patch.where((attr, op) => op.notExists(attr.version))
    : patch.where((attr, op) => op.eq(attr.version, state.version as number))
  ).commit();
}

/**
 * Groups (subject, key) pairs into transactions of at most MAX_ITEMS_PER_TRANSACTION items (each distinct key
 * and each distinct subject is one item), a subject's pairs together where they fit. Always at least one
 * transaction (the state moves even when nothing else does).
 */
export function packTransactions(pairs: readonly Pair[]): Pair[][] {
  const result: Pair[][] = [];
  let current: Pair[] = [];
  let keys = new Set<string>();
  let subjects = new Set<string>();
  const cost = (pair: Pair) => (keys.has(pair.key) ? 0 : 1) + (subjects.has(pair.subject) ? 0 : 1);
  for (const pair of pairs) {
    if (keys.size + subjects.size + cost(pair) > MAX_ITEMS_PER_TRANSACTION) {
      result.push(current);
      current = [];
      keys = new Set();
      subjects = new Set();
    }
    current.push(pair);
    keys.add(pair.key);
    subjects.add(pair.subject);
  }
  result.push(current);
  return result;
}

function userOf(facts: NonNullable<Awaited<ReturnType<typeof readSubjectFacts>>>): string {
  return facts.kind === 'activity' ? facts.createdBy : facts.owner;
}

async function readContributions(deps: Deps, tenantId: string, subjects: readonly string[]): Promise<Map<string, ContributionItem>> {
  const result = new Map<string, ContributionItem>();
  for (const chunk of chunks(subjects, 100)) {
    const { data } = await deps.db.entities.kpiContribution.get(chunk.map((subject) => ({ tenantId, subject }))).go({ consistent: true });
    for (const item of data) result.set(item.subject, item);
  }
  return result;
}

async function readAggregates(deps: Deps, tenantId: string, keys: readonly string[]): Promise<Map<string, AggregateItem>> {
  const result = new Map<string, AggregateItem>();
  const wanted = keys.map((key) => ({ key, ...parseAggregateKey(key) }));
  for (const chunk of chunks(wanted, 100)) {
    const { data } = await deps.db.entities.kpiAggregate
      .get(chunk.map(({ scope, family, kind, period }) => ({ tenantId, scope, family, kind, period })))
      .go({ consistent: true });
    for (const item of data) result.set(`${item.family}/${item.period}/${item.scope}`, item);
  }
  return result;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** The smallest event id of that millisecond (an exclusive bound: every event of it or later is greater). */
function idAt(time: number): string {
  return ulid(Math.max(0, Math.floor(time))).slice(0, 10) + '0'.repeat(16);
}
