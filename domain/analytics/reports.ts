/**
 * Use cases: the reports. Each reads pre-aggregated items only (KPI aggregates, targets, forecast calls, daily
 * snapshots) — never the records — in a few requests: one transactional get of the tenant's settings, pipeline,
 * rollup state and the aggregates it needs, one query of the exchange rates, and where a report needs them one
 * query of a period's targets or forecast calls, or one range query of aggregates or snapshots.
 *
 * Who sees what: reps their own figures (and the leaderboard); managers, admins and finance every scope of the
 * tenant (managers see and reassign all of the tenant's records already: a report of them hides nothing); service
 * no sales figures (the route table refuses it).
 */
import { ForbiddenError, ValidationError } from '../errors';
import { effectiveStage, forecastCategoryOf, pipelineFromItem, type PipelineItem } from '../pipeline';
import { ratesOn, readRates, toSettingsView, type ExchangeRate } from '../settings';
import { hasAnyRole, type Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { aggregateKey, OPEN_PERIOD, periodKindOf, repScope, scopeOf, TENANT_SCOPE, teamScope, type Family } from './aggregate-keys';
import { addCounters, type Counters } from './counters';
import { periodPlanOf } from './period-plan';
import {
  convertAmounts,
  funnel,
  kpiValues,
  openPipeline,
  ratio,
  stageDurations,
  type ForecastCategory,
  type Rates,
  type ReportPipeline,
} from './kpis';
import { localDate, parsePeriod, periodsOf, previousPeriod, type ReportingCalendar } from './periods';
import { targetsOf } from './targets';
import type { SettingsView } from '../settings/schemas';

export interface ScopeFilter {
  team?: string;
  owner?: string;
}

interface Loaded {
  settings: SettingsView;
  calendar: ReportingCalendar;
  pipeline: ReportPipeline;
  asOf: string | null;
  aggregates: Map<string, Counters>;
  rates: Rates;
  ratesUsed: ExchangeRate[];
}

/** Admins, managers and finance see every figure of the tenant; reps their own. */
const seesAllFigures = (actor: Actor) => hasAnyRole(actor, ['admin', 'manager', 'finance']);

/** The scope a report is about, as the caller may see it. */
export function reportScope(actor: Actor, filter: ScopeFilter): string {
  if (filter.team !== undefined && filter.owner !== undefined) {
    throw new ValidationError('Give `team` or `owner`, not both', [{ path: 'query.owner', message: 'Leave it out when `team` is given' }]);
  }
  if (!seesAllFigures(actor)) {
    if (filter.team !== undefined) throw new ForbiddenError('Reps see their own figures', [{ path: 'query.team', message: 'Reps see their own figures only' }]);
    if (filter.owner !== undefined && filter.owner !== actor.userId) {
      throw new ForbiddenError('Reps see their own figures', [{ path: 'query.owner', message: 'Reps see their own figures only' }]);
    }
    return repScope(actor.userId);
  }
  if (filter.owner !== undefined) return repScope(filter.owner);
  if (filter.team !== undefined) return teamScope(filter.team);
  return TENANT_SCOPE;
}

/** Settings, pipeline, rollup state and the named aggregates in one transactional read; then the rates. */
async function load(deps: Deps, tenantId: string, keys: readonly string[]): Promise<Loaded> {
  if (keys.length > 96) throw new Error('A report reads at most 96 aggregates in one go');
  const { data } = await deps.db.transaction
    .get((entities) => [
      entities.tenantSettings.get({ tenantId }).commit(),
      entities.pipeline.get({ tenantId }).commit(),
      entities.kpiTenant.get({ tenantId }).commit(),
      ...keys.map((key) => {
        const [family = '', period = '', ...scope] = key.split('/');
        return entities.kpiAggregate.get({ tenantId, family, period, kind: periodKindOf(period), scope: scope.join('/') }).commit();
      }),
    ])
    .go();
  const [settingsEntry, pipelineEntry, stateEntry, ...aggregateEntries] = data as Array<{ item: Record<string, unknown> | null }>;
  const settings = toSettingsView((settingsEntry?.item ?? null) as Parameters<typeof toSettingsView>[0]);
  const calendar = { timezone: settings.reportingTimezone, fiscalYearStartMonth: settings.fiscalYearStartMonth };
  const aggregates = new Map<string, Counters>();
  aggregateEntries.forEach((entry, index) => aggregates.set(keys[index]!, (entry?.item?.counters as Counters | undefined) ?? {}));
  const state = stateEntry?.item as { rolledUpAt?: string } | null;
  const today = localDate(deps.clock.now(), calendar);
  const used = ratesOn(await readRates(deps, tenantId), today);
  return {
    settings,
    calendar,
    pipeline: reportPipeline((pipelineEntry?.item ?? null) as PipelineItem | null),
    asOf: state?.rolledUpAt ?? null,
    aggregates,
    rates: { baseCurrency: settings.baseCurrency, rates: new Map(used.map((rate) => [rate.currency, rate])) },
    ratesUsed: used,
  };
}

/** The pipeline as the reports (and the weekly reviews) read it: open stages in order, retired ones folded in. */
export function reportPipeline(item: PipelineItem | null): ReportPipeline {
  const { definition } = pipelineFromItem(item);
  return {
    stages: definition.stages.map((stage) => ({
      key: stage.key,
      name: stage.name,
      forecastCategory: forecastCategoryOf({ stage: stage.key }, definition) as ForecastCategory,
    })),
    effectiveStage: (stage) => effectiveStage(definition, stage),
  };
}

function checkPeriod(period: string | undefined, calendar: ReportingCalendar): void {
  if (period !== undefined) parsePeriod(period, calendar);
}

const money = (amount: number, currency: string) => ({ amount, currency });
const rateView = (rate: ExchangeRate) => ({ currency: rate.currency, rate: rate.rate, effectiveFrom: rate.effectiveFrom });

/** Only the rates the report actually applied. */
function ratesUsedFor(loaded: Loaded, currencies: Iterable<string>) {
  const wanted = new Set(currencies);
  return loaded.ratesUsed.filter((rate) => wanted.has(rate.currency)).map(rateView);
}

function header(loaded: Loaded, period: string, scope: string) {
  const { kind, id } = scopeOf(scope);
  return { asOf: loaded.asOf, period, scope: { kind, id }, currency: loaded.settings.baseCurrency };
}

// ---- pipeline ------------------------------------------------------------------------------------

export async function pipelineReport(deps: Deps, actor: Actor, input: ScopeFilter & { period?: string }) {
  const scope = reportScope(actor, input);
  if (input.period !== undefined) safePeriodForm(input.period);
  const period = input.period ?? OPEN_PERIOD;
  const key = aggregateKey('flow', period, scope);
  const loaded = await load(deps, actor.tenantId, [key]);
  checkPeriod(input.period, loaded.calendar);
  const open = openPipeline(loaded.aggregates.get(key) ?? {}, loaded.pipeline);
  const line = (value: { count: number; amount: Counters; weighted: Counters }) => {
    const amount = convertAmounts(value.amount, loaded.rates);
    const weighted = convertAmounts(value.weighted, loaded.rates);
    return {
      count: value.count,
      amount: money(amount.amount, loaded.rates.baseCurrency),
      weightedAmount: money(weighted.amount, loaded.rates.baseCurrency),
    };
  };
  const stageName = new Map(loaded.pipeline.stages.map((stage) => [stage.key, stage]));
  const unconverted = Object.entries(open.total.amount)
    .filter(([currency]) => currency !== loaded.rates.baseCurrency && !loaded.rates.rates.has(currency))
    .map(([currency, amount]) => ({ currency, amount: money(amount, currency), weightedAmount: money(open.total.weighted[currency] ?? 0, currency) }));
  return {
    ...header(loaded, period, scope),
    ratesUsed: ratesUsedFor(loaded, Object.keys(open.total.amount)),
    stages: [...open.byStage].map(([stage, value]) => ({
      stage,
      name: stageName.get(stage)?.name ?? stage,
      forecastCategory: stageName.get(stage)?.forecastCategory ?? 'pipeline',
      ...line(value),
    })),
    byCategory: (['commit', 'best_case', 'pipeline', 'omitted'] as const).map((category) => ({
      category,
      ...line(open.byCategory.get(category) ?? { count: 0, amount: {}, weighted: {} }),
    })),
    totals: line(open.total),
    unconverted,
  };
}

// ---- funnel and stage durations (date ranges of day aggregates) ------------------------------------

interface Range {
  from: string;
  to: string;
}

function checkRange(input: Partial<Range>): Range {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  const issues = (['from', 'to'] as const)
    .filter((field) => input[field] === undefined || !date.test(input[field]!) || Number.isNaN(Date.parse(input[field]!)))
    .map((field) => ({ path: `query.${field}`, message: 'Required: a date, YYYY-MM-DD' }));
  if (issues.length > 0) throw new ValidationError('`from` and `to` are dates', issues);
  const range = input as Range;
  if (range.from > range.to) throw new ValidationError('`from` is after `to`', [{ path: 'query.from', message: 'Must be on or before `to`' }]);
  if (Date.parse(range.to) - Date.parse(range.from) > 731 * 86_400_000) {
    throw new ValidationError('A range spans at most two years', [{ path: 'query.to', message: 'Must be at most two years after `from`' }]);
  }
  return range;
}

async function sumOfDays(deps: Deps, tenantId: string, scope: string, family: Family, range: Range): Promise<Counters> {
  const { data } = await deps.db.entities.kpiAggregate.query
    .byScope({ tenantId, scope })
    .between({ family, kind: 'day', period: range.from }, { family, kind: 'day', period: range.to })
    .go({ pages: 'all' });
  const total: Counters = {};
  for (const item of data) addCounters(total, item.counters);
  return total;
}

export async function funnelReport(deps: Deps, actor: Actor, input: ScopeFilter & Partial<Range>) {
  const range = checkRange(input);
  const scope = reportScope(actor, input);
  const [loaded, counters] = await Promise.all([load(deps, actor.tenantId, []), sumOfDays(deps, actor.tenantId, scope, 'flow', range)]);
  const won = counters.cohortWon ?? 0;
  const lost = counters.cohortLost ?? 0;
  return {
    ...header(loaded, `${range.from}..${range.to}`, scope),
    ratesUsed: [],
    from: range.from,
    to: range.to,
    created: counters.created ?? 0,
    stages: funnel(counters, loaded.pipeline),
    won,
    lost,
    winRate: ratio(won, won + lost),
  };
}

export async function stageDurationsReport(deps: Deps, actor: Actor, input: ScopeFilter & Partial<Range>) {
  const range = checkRange(input);
  const scope = reportScope(actor, input);
  const [loaded, stays] = await Promise.all([load(deps, actor.tenantId, []), sumOfDays(deps, actor.tenantId, scope, 'stays', range)]);
  const durations = stageDurations(stays, loaded.pipeline);
  const slowest = durations.reduce<(typeof durations)[number] | null>(
    (worst, row) => (row.medianDays !== null && (worst === null || row.medianDays > (worst.medianDays ?? -1)) ? row : worst),
    null,
  );
  const name = new Map(loaded.pipeline.stages.map((stage) => [stage.key, stage.name]));
  return {
    ...header(loaded, `${range.from}..${range.to}`, scope),
    ratesUsed: [],
    from: range.from,
    to: range.to,
    stages: durations.map((row) => ({ ...row, name: name.get(row.stage) ?? row.stage, bottleneck: slowest !== null && row.stage === slowest.stage })),
  };
}

// ---- KPIs of a scope and period, against the previous period and target ----------------------------

export async function kpiReport(deps: Deps, actor: Actor, input: { scope?: 'rep' | 'team' | 'tenant'; id?: string; period: string }) {
  const filter: ScopeFilter = input.scope === 'rep' ? { owner: input.id ?? actor.userId } : input.scope === 'team' ? { team: requireId(input.id) } : {};
  const scope = reportScope(actor, filter);
  safePeriodForm(input.period);
  // Period ids are relative: the one before FY2027-Q1 is FY2026-Q4 whatever the calendar, so any calendar names it.
  const previous = previousPeriod(input.period, { timezone: 'UTC', fiscalYearStartMonth: 1 });
  const keys = [aggregateKey('flow', input.period, scope), aggregateKey('stays', input.period, scope), aggregateKey('flow', previous, scope), aggregateKey('stays', previous, scope)];
  const [loaded, targets] = await Promise.all([load(deps, actor.tenantId, keys), targetsOf(deps, actor.tenantId, input.period)]);
  parsePeriod(input.period, loaded.calendar);
  const current = kpiValues(loaded.aggregates.get(keys[0]!) ?? {}, loaded.rates);
  const before = kpiValues(loaded.aggregates.get(keys[2]!) ?? {}, loaded.rates);
  const { kind, id } = scopeOf(scope);
  const targetOf = (metric: string) =>
    targets.find((target) => target.metric === metric && target.scope === kind && (kind === 'tenant' || target.id === id))?.value ?? null;
  const rows = [
    kpiRow('revenue_won', current.revenueWon.amount, before.revenueWon.amount, 'money', targetOf('revenue_won')),
    kpiRow('deals_won', current.dealsWon, before.dealsWon, 'count', targetOf('deals_won')),
    kpiRow('deals_lost', current.dealsLost, before.dealsLost, 'count', null),
    kpiRow('win_rate', current.winRate, before.winRate, 'ratio', null),
    kpiRow('average_won_deal_size', current.averageWonDealSize?.amount ?? null, before.averageWonDealSize?.amount ?? null, 'money', null),
    kpiRow('sales_cycle_days', current.salesCycleDays, before.salesCycleDays, 'days', null),
    kpiRow('deals_created', current.dealsCreated, before.dealsCreated, 'count', null),
    kpiRow('pipeline_value', current.pipelineValue.amount, before.pipelineValue.amount, 'money', null),
    kpiRow('weighted_pipeline', current.weightedPipeline.amount, before.weightedPipeline.amount, 'money', null),
    kpiRow('push_rate', current.pushRate, before.pushRate, 'ratio', null),
    kpiRow('activities', current.activitiesTotal, before.activitiesTotal, 'count', targetOf('activities')),
    kpiRow('new_customers', current.newCustomers, before.newCustomers, 'count', targetOf('new_customers')),
  ];
  const open = openPipeline(loaded.aggregates.get(keys[0]!) ?? {}, loaded.pipeline);
  return {
    ...header(loaded, input.period, scope),
    previousPeriod: previous,
    ratesUsed: ratesUsedFor(loaded, Object.keys(open.total.amount)),
    kpis: rows,
    activitiesByType: current.activities,
    stageConversion: funnel(loaded.aggregates.get(keys[0]!) ?? {}, loaded.pipeline),
    timeInStage: stageDurations(loaded.aggregates.get(keys[1]!) ?? {}, loaded.pipeline),
    unconverted: { revenueWon: current.revenueUnconverted, pipeline: current.pipelineUnconverted },
  };
}

function requireId(id: string | undefined): string {
  if (id === undefined) throw new ValidationError('A team report names the team', [{ path: 'query.id', message: 'Required for scope team' }]);
  return id;
}

function safePeriodForm(period: string): string {
  try {
    periodKindOf(period);
    return period;
  } catch {
    throw new ValidationError(`"${period}" is not a period`, [
      { path: 'query.period', message: 'Must be a period id: 2027-03-14 (day), 2027-W11 (ISO week), 2027-03 (month), FY2027-Q1 (fiscal quarter) or FY2027 (fiscal year)' },
    ]);
  }
}

type Unit = 'money' | 'count' | 'ratio' | 'days';
function kpiRow(metric: string, value: number | null, previous: number | null, unit: Unit, target: number | { amount: number } | null) {
  const targetValue = target === null ? null : typeof target === 'number' ? target : target.amount;
  return {
    metric,
    unit,
    value,
    previous,
    delta: value === null || previous === null ? null : value - previous,
    target: targetValue,
    attainment: value === null || targetValue === null ? null : ratio(value, targetValue),
  };
}

// ---- forecast and leaderboard (every scope of a period: one query) ---------------------------------

async function scopesOfPeriod(deps: Deps, tenantId: string, period: string, prefix: string) {
  const { data } = await deps.db.entities.kpiAggregate.query
    .byPeriod({ tenantId, period })
    .begins({ family: 'flow', scope: prefix })
    .go({ pages: 'all' });
  return data;
}

export async function forecastReport(deps: Deps, actor: Actor, input: ScopeFilter & { period: string }) {
  safePeriodForm(input.period);
  const own = !seesAllFigures(actor);
  if (own) reportScope(actor, input);
  const [loaded, items, { targets, calls }] = await Promise.all([
    load(deps, actor.tenantId, []),
    scopesOfPeriod(deps, actor.tenantId, input.period, ''),
    periodPlanOf(deps, actor.tenantId, input.period),
  ]);
  parsePeriod(input.period, loaded.calendar);
  const currencies = new Set<string>();
  const row = (scope: string, counters: Counters) => {
    const open = openPipeline(counters, loaded.pipeline);
    for (const currency of Object.keys(open.total.amount)) currencies.add(currency);
    const category = (name: ForecastCategory) => convertAmounts(open.byCategory.get(name)?.amount ?? {}, loaded.rates).amount;
    const notOmitted: Counters = {};
    for (const [name, line] of open.byCategory) if (name !== 'omitted') addCounters(notOmitted, line.weighted);
    const { kind, id } = scopeOf(scope);
    const target = targets.find((candidate) => candidate.metric === 'revenue_won' && candidate.scope === kind && (kind === 'tenant' || candidate.id === id));
    const closedWon = counters.revenueWon ?? 0;
    const targetAmount = target && typeof target.value === 'object' && target.value !== null ? target.value.amount : null;
    const base = loaded.rates.baseCurrency;
    return {
      scope: { kind, id },
      closedWon: money(closedWon, base),
      commit: money(category('commit'), base),
      bestCase: money(category('best_case'), base),
      pipeline: money(category('pipeline'), base),
      weighted: money(convertAmounts(notOmitted, loaded.rates).amount, base),
      target: targetAmount === null ? null : money(targetAmount, base),
      attainment: targetAmount === null ? null : ratio(closedWon, targetAmount),
    };
  };
  const byScope = new Map(items.map((item) => [item.scope, item.counters]));
  const reps = items.filter((item) => item.scope.startsWith('rep:')).filter((item) => !own || item.scope === repScope(actor.userId));
  const callOf = new Map(calls.map((call) => [call.userId, call]));
  const repRows = reps.map((item) => {
    const userId = scopeOf(item.scope).id!;
    const call = callOf.get(userId);
    return { ...row(item.scope, item.counters), submission: call?.submission ?? null, adjustment: call?.adjustment ?? null };
  });
  for (const call of calls) {
    if (own && call.userId !== actor.userId) continue;
    if (!byScope.has(repScope(call.userId))) repRows.push({ ...row(repScope(call.userId), {}), submission: call.submission ?? null, adjustment: call.adjustment ?? null });
  }
  const teams = own ? [] : items.filter((item) => item.scope.startsWith('team:')).map((item) => row(item.scope, item.counters));
  const tenant = own ? null : row(TENANT_SCOPE, byScope.get(TENANT_SCOPE) ?? {});
  return {
    asOf: loaded.asOf,
    period: input.period,
    currency: loaded.settings.baseCurrency,
    ratesUsed: ratesUsedFor(loaded, currencies),
    reps: repRows.sort((a, b) => String(a.scope.id).localeCompare(String(b.scope.id))),
    teams,
    tenant,
  };
}

export const LEADERBOARD_METRICS = ['revenue_won', 'deals_won', 'win_rate', 'activities', 'new_customers', 'pipeline_value'] as const;
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];

export async function leaderboardReport(deps: Deps, actor: Actor, input: { period: string; metric: LeaderboardMetric }) {
  safePeriodForm(input.period);
  const [loaded, items] = await Promise.all([load(deps, actor.tenantId, []), scopesOfPeriod(deps, actor.tenantId, input.period, 'rep:')]);
  parsePeriod(input.period, loaded.calendar);
  const valueOf = (counters: Counters): number | null => {
    const kpis = kpiValues(counters, loaded.rates);
    switch (input.metric) {
      case 'revenue_won':
        return kpis.revenueWon.amount;
      case 'deals_won':
        return kpis.dealsWon;
      case 'win_rate':
        return kpis.winRate;
      case 'activities':
        return kpis.activitiesTotal;
      case 'new_customers':
        return kpis.newCustomers;
      case 'pipeline_value':
        return kpis.pipelineValue.amount;
    }
  };
  const rows = items
    .map((item) => ({ userId: scopeOf(item.scope).id!, value: valueOf(item.counters) }))
    .sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.userId.localeCompare(b.userId));
  // Competition ranking (1, 2, 2, 4): equal values share a rank.
  let rank = 0;
  const ranked = rows.map((row, index) => {
    if (index === 0 || row.value !== rows[index - 1]!.value) rank = index + 1;
    return { rank, ...row };
  });
  return { asOf: loaded.asOf, period: input.period, metric: input.metric, currency: loaded.settings.baseCurrency, ratesUsed: loaded.ratesUsed.map(rateView), items: ranked };
}

// ---- trend (daily snapshots) -------------------------------------------------------------------------

export const TREND_METRICS = ['pipeline_value', 'weighted_pipeline', 'open_deals', 'commit', 'best_case'] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];

export async function trendReport(deps: Deps, actor: Actor, input: ScopeFilter & Partial<Range> & { metric: TrendMetric; interval?: 'day' | 'week' | 'month' }) {
  const range = checkRange(input);
  const scope = reportScope(actor, input);
  const interval = input.interval ?? 'day';
  const [loaded, { data: snapshots }] = await Promise.all([
    load(deps, actor.tenantId, []),
    deps.db.entities.pipelineSnapshot.query.byDay({ tenantId: actor.tenantId }).between({ day: range.from }, { day: range.to }).go({ pages: 'all' }),
  ]);
  const valueOf = (counters: Counters): number => {
    const open = openPipeline(counters, loaded.pipeline);
    switch (input.metric) {
      case 'open_deals':
        return open.total.count;
      case 'pipeline_value':
        return convertAmounts(open.total.amount, loaded.rates).amount;
      case 'weighted_pipeline':
        return convertAmounts(open.total.weighted, loaded.rates).amount;
      case 'commit':
        return convertAmounts(open.byCategory.get('commit')?.amount ?? {}, loaded.rates).amount;
      case 'best_case':
        return convertAmounts(open.byCategory.get('best_case')?.amount ?? {}, loaded.rates).amount;
    }
  };
  // The value at the end of each interval: its last snapshot.
  const points = new Map<string, { period: string; day: string; value: number }>();
  for (const snapshot of snapshots) {
    const period = interval === 'day' ? snapshot.day : periodOfDay(snapshot.day, interval);
    points.set(period, { period, day: snapshot.day, value: valueOf(snapshot.scopes[scope] ?? {}) });
  }
  return {
    ...header(loaded, `${range.from}..${range.to}`, scope),
    metric: input.metric,
    interval,
    unit: input.metric === 'open_deals' ? 'count' : 'money',
    ratesUsed: loaded.ratesUsed.map(rateView),
    points: [...points.values()],
  };
}

/** The week or month a local date (a snapshot's day) is in; a date is already local, so cut it in UTC. */
function periodOfDay(day: string, interval: 'week' | 'month'): string {
  return periodsOf(`${day}T12:00:00Z`, { timezone: 'UTC', fiscalYearStartMonth: 1 })[interval];
}
