/**
 * What one record adds to the KPI aggregates: a pure function of the record (with its history) and the tenant's
 * calendar, base currency and teams. The rollup stores each record's contribution beside the aggregates; when the
 * record changes it computes the new one and applies the difference. A recompute sums the same function over the
 * records, so incremental and recomputed figures are equal by construction — the property test checks the
 * bookkeeping that makes them so.
 *
 * Counter names (all integers; money in minor units):
 * - flow, in the periods of an opportunity's creation (the cohort): `created`, `entered|<stage>` once per stage
 *   it ever entered (won and lost included), `cohortWon`, `cohortLost`;
 * - flow, in the periods of its close (won or lost): `won`, `lost`, `revenueWon` (base currency: the deal's own
 *   when it is the base, else converted at its frozen close rate), `wonUnconverted|<CUR>` and
 *   `revenueUnconverted|<CUR>` when no rate was in effect on its close date, `cycleDays|<n>` (won deals: local
 *   days from creation to close);
 * - flow, push rate, in months, fiscal quarters and years: `due` once per period any of its expected close dates
 *   fell in, `pushed` once per period its close date was moved out of to a later one;
 * - flow, open deals, in the periods of their expected close date and in `open`:
 *   `open|<stage>|<override or ->|count`, `…|amount|<CUR>`, `…|weighted|<CUR>` (amount × probability ÷ 100,
 *   rounded half up per deal); categories are resolved when reading (a remapped stage needs no rework);
 * - stays, in the periods of a stay's end: `stay|<stage>|<days>` (days to one decimal under 10, whole days after);
 * - flow, activities in the periods they occurred: `activities|<type>` for the rep who logged them;
 * - flow, customers in the periods they first became customers: `newCustomers` for their owner.
 * Every counter lands in the record's rep scope, the rep's team (when in one) and the tenant.
 */
import Big from 'big.js';
import type { StoredMoney } from '../shared/money';
import { aggregateKey, OPEN_PERIOD, repScope, TENANT_SCOPE, teamScope, type Family } from './aggregate-keys';
import { bump, type Contribution } from './counters';
import { localDate, periodsOf, PERIOD_KINDS, type PeriodKind, type ReportingCalendar } from './periods';

export interface OpportunityFacts {
  kind: 'opportunity';
  opportunityId: string;
  owner: string;
  status: 'open' | 'won' | 'lost';
  stage: string;
  amount?: StoredMoney;
  probability: number;
  createdAt: string;
  closedAt?: string;
  expectedCloseDate: string;
  forecastCategoryOverride?: string;
  closeRate?: { currency: string; rate: string; effectiveFrom: string };
  /** Every stage move, the creation first (`from` absent), in order. */
  stageChanges: ReadonlyArray<{ from?: string; to: string; at: string }>;
  /** Every expected-close-date change, the creation first, in order (absent for deals older than the history). */
  closeDateChanges: ReadonlyArray<{ from?: string; to: string; at: string }>;
}

export interface ActivityFacts {
  kind: 'activity';
  activityId: string;
  type: string;
  occurredAt: string;
  createdBy: string;
}

export interface CustomerFacts {
  kind: 'customer';
  customerId: string;
  owner: string;
  customerSince?: string;
}

export type SubjectFacts = OpportunityFacts | ActivityFacts | CustomerFacts;

export interface ContributionContext {
  calendar: ReportingCalendar;
  baseCurrency: string;
  /** The team a user belongs to now, if any. */
  teamOf: (userId: string) => string | null;
}

/** The periods (of the kinds given) a local date falls in. */
type PeriodIds = Record<PeriodKind, string>;
const PUSH_KINDS: readonly PeriodKind[] = ['month', 'quarter', 'year'];

export function contributionOf(facts: SubjectFacts, context: ContributionContext): Contribution {
  const out = new ContributionBuilder(context, facts.kind === 'activity' ? facts.createdBy : facts.owner);
  if (facts.kind === 'activity') {
    out.atInstant('flow', facts.occurredAt, `activities|${facts.type}`);
  } else if (facts.kind === 'customer') {
    if (facts.customerSince) out.atInstant('flow', facts.customerSince, 'newCustomers');
  } else {
    opportunityContribution(facts, context, out);
  }
  return out.contribution;
}

function opportunityContribution(deal: OpportunityFacts, context: ContributionContext, out: ContributionBuilder): void {
  const { calendar } = context;
  // The cohort: created in these periods.
  const cohort = periodsOf(deal.createdAt, calendar);
  out.inPeriods('flow', cohort, 'created');
  const entered = new Set(deal.stageChanges.map((change) => change.to));
  if (entered.size === 0) entered.add(deal.stage);
  for (const stage of entered) out.inPeriods('flow', cohort, `entered|${stage}`);
  if (deal.status === 'won') out.inPeriods('flow', cohort, 'cohortWon');
  if (deal.status === 'lost') out.inPeriods('flow', cohort, 'cohortLost');

  // The close.
  if (deal.status !== 'open' && deal.closedAt) {
    const closed = periodsOf(deal.closedAt, calendar);
    out.inPeriods('flow', closed, deal.status);
    if (deal.status === 'won') {
      const revenue = wonRevenue(deal, context.baseCurrency);
      if (revenue.converted !== null) out.inPeriods('flow', closed, 'revenueWon', revenue.converted);
      else if (deal.amount) {
        out.inPeriods('flow', closed, `wonUnconverted|${deal.amount.currency}`);
        out.inPeriods('flow', closed, `revenueUnconverted|${deal.amount.currency}`, deal.amount.amount);
      }
      out.inPeriods('flow', closed, `cycleDays|${localDaysBetween(deal.createdAt, deal.closedAt, calendar)}`);
    }
  }

  // Push rate: every period an expected close date fell in, and those it was moved out of to a later one.
  const closeDates = deal.closeDateChanges.length > 0 ? deal.closeDateChanges.map((change) => change.to) : [deal.expectedCloseDate];
  const due = new Map<PeriodKind, Set<string>>(PUSH_KINDS.map((kind) => [kind, new Set()]));
  const pushed = new Map<PeriodKind, Set<string>>(PUSH_KINDS.map((kind) => [kind, new Set()]));
  for (const [index, date] of closeDates.entries()) {
    const periods = datePeriods(date, calendar);
    const next = closeDates[index + 1];
    const nextPeriods = next === undefined ? undefined : datePeriods(next, calendar);
    for (const kind of PUSH_KINDS) {
      due.get(kind)!.add(periods[kind]);
      // Ids of a kind sort in time order (FY2027-Q1 < FY2027-Q2 < FY2028-Q1; 2027-03 < 2027-04).
      if (nextPeriods && nextPeriods[kind] > periods[kind]) pushed.get(kind)!.add(periods[kind]);
    }
  }
  for (const kind of PUSH_KINDS) {
    for (const period of due.get(kind)!) out.inPeriod('flow', period, 'due');
    for (const period of pushed.get(kind)!) out.inPeriod('flow', period, 'pushed');
  }

  // The open pipeline: now, and in the periods it is expected to close in.
  if (deal.status === 'open') {
    const prefix = `open|${deal.stage}|${deal.forecastCategoryOverride ?? '-'}|`;
    const closing = datePeriods(deal.expectedCloseDate, calendar);
    const add = (name: string, by = 1) => {
      out.inPeriods('flow', closing, prefix + name, by);
      out.inPeriod('flow', OPEN_PERIOD, prefix + name, by);
    };
    add('count');
    if (deal.amount) {
      add(`amount|${deal.amount.currency}`, deal.amount.amount);
      add(`weighted|${deal.amount.currency}`, weightedAmount(deal.amount.amount, deal.probability));
    }
  }

  // Stays in a stage, counted when they end (the stay the deal is in now has not ended).
  for (const [index, change] of deal.stageChanges.entries()) {
    const next = deal.stageChanges[index + 1];
    if (!next) break;
    const days = durationBucket(Date.parse(next.at) - Date.parse(change.at));
    out.atInstant('stays', next.at, `stay|${change.to}|${days}`);
  }
}

/** Revenue in the base currency, or null when it cannot be converted (no frozen rate). */
export function wonRevenue(deal: Pick<OpportunityFacts, 'amount' | 'closeRate'>, baseCurrency: string): { converted: number | null } {
  if (!deal.amount) return { converted: 0 };
  if (deal.amount.currency === baseCurrency) return { converted: deal.amount.amount };
  if (deal.closeRate && deal.closeRate.currency === deal.amount.currency) return { converted: convert(deal.amount.amount, deal.closeRate.rate) };
  return { converted: null };
}

/** Minor units × a decimal rate, rounded half up to whole minor units (big.js: no binary floating point). */
export function convert(amount: number, rate: string): number {
  return Number(new Big(amount).times(rate).round(0, Big.roundHalfUp).toString());
}

/** amount × probability ÷ 100, rounded half up to whole minor units. */
export function weightedAmount(amount: number, probability: number): number {
  return Number(new Big(amount).times(probability).div(100).round(0, Big.roundHalfUp).toString());
}

/**
 * A stay's length as a histogram bucket: days to one decimal under 10 days, whole days from 10 to 999, and 999
 * for anything longer — fine enough for a median, few enough buckets to keep an aggregate small. Rounded half up,
 * and decided on the rounded length: 9.96 days is 10 days, bucket `10` (not a second bucket `10.0` beside it).
 */
export function durationBucket(milliseconds: number): string {
  const length = Math.max(0, milliseconds);
  const tenths = Math.round(length / 8_640_000);
  if (tenths < 100) return (tenths / 10).toFixed(1);
  return String(Math.min(999, Math.round(length / 86_400_000)));
}

/** Calendar days between the local dates of two instants. */
export function localDaysBetween(from: string, to: string, calendar: ReportingCalendar): number {
  const start = Date.parse(`${localDate(from, calendar)}T00:00:00Z`);
  const end = Date.parse(`${localDate(to, calendar)}T00:00:00Z`);
  return Math.max(0, Math.round((end - start) / 86_400_000));
}

/** The periods of a local date (`YYYY-MM-DD`): noon of that day in the tenant's zone lies in all of them. */
/** The periods of a date that is already local (`YYYY-MM-DD`): cut in UTC, where it means itself. */
function datePeriods(date: string, calendar: ReportingCalendar): PeriodIds {
  return periodsOf(`${date}T12:00:00Z`, { timezone: 'UTC', fiscalYearStartMonth: calendar.fiscalYearStartMonth });
}

class ContributionBuilder {
  readonly contribution: Contribution = {};
  private readonly scopes: string[];
  private readonly calendar: ReportingCalendar;

  constructor(context: ContributionContext, user: string) {
    const team = context.teamOf(user);
    this.scopes = [repScope(user), ...(team ? [teamScope(team)] : []), TENANT_SCOPE];
    this.calendar = context.calendar;
  }

  atInstant(family: Family, instant: string, name: string, by = 1): void {
    this.inPeriods(family, periodsOf(instant, this.calendar), name, by);
  }

  inPeriods(family: Family, periods: PeriodIds, name: string, by = 1): void {
    for (const kind of PERIOD_KINDS) this.inPeriod(family, periods[kind], name, by);
  }

  inPeriod(family: Family, period: string, name: string, by = 1): void {
    if (by === 0) return;
    for (const scope of this.scopes) {
      const key = aggregateKey(family, period, scope);
      bump((this.contribution[key] ??= {}), name, by);
      if (Object.keys(this.contribution[key]).length === 0) delete this.contribution[key];
    }
  }
}
