/**
 * The weekly review's rules (./reviews.ts makes the reviews with them). Pure.
 *
 * - When: a tenant's review of an ISO week is due once its local Monday 07:00 after that week has passed (the
 *   manager reads it on Monday morning). One schedule serves every tenant: each rollup run asks, per tenant, which
 *   week is due now in its reporting time zone; the tenant's `reviewWeek` says which week was made last.
 * - Headline figures: the team's KPIs of the week (kpis.ts `kpiValues`) against the week before and against the
 *   week's team targets; a figure without a value (a win rate when nothing closed) is left out. Push rate is a
 *   figure of months, quarters and years (contributions.ts), not of weeks, so a review has none.
 * - Stuck deals: an open deal in its stage longer than that stage's p90 stay (`over_p90`), or without a stage
 *   move for the stage's `staleAfterDays` (`stale`); both: `over_p90`, the stronger signal.
 */
import { DateTime } from 'luxon';
import type { KpiValues } from './kpis';
import { ratio } from './kpis';
import type { ReviewKpiRow, ReviewStuckDeal } from './review-document';

const DAY_MS = 86_400_000;
/** The most stuck deals and overdue tasks a review lists (the most pressing first); the totals are kept. */
export const MAX_REVIEW_ROWS = 100;
/** The local hour of the Monday after the week at which its review is due. */
export const REVIEW_HOUR = 7;

export interface ReviewDue {
  /** The ISO week reviewed, e.g. `2027-W11`. */
  week: string;
  /** When it became due: the local Monday 07:00 after it. */
  dueAt: Date;
}

/**
 * The week whose review is due at `now` in `timezone` (the last week whose following Monday 07:00 has passed), or
 * null when that week's reviews were made already (`lastWeek` is it or later).
 */
export function reviewDue(now: Date, timezone: string, lastWeek: string | undefined): ReviewDue | null {
  const local = DateTime.fromJSDate(now).setZone(timezone);
  if (!local.isValid) throw new RangeError(`Cannot place ${now.toISOString()} in ${timezone}: ${local.invalidExplanation ?? 'invalid'}`);
  let monday = local.startOf('week').set({ hour: REVIEW_HOUR });
  if (local < monday) monday = monday.minus({ weeks: 1 });
  const sunday = monday.minus({ days: 1 });
  const week = `${sunday.weekYear}-W${String(sunday.weekNumber).padStart(2, '0')}`;
  // Week ids of this form sort in time order.
  if (lastWeek !== undefined && lastWeek >= week) return null;
  return { week, dueAt: monday.toJSDate() };
}

/** Why an open deal counts as stuck, or null: in its stage since `enteredAt`, looked at `at`. */
export function stuckReason(enteredAt: string, at: Date, p90Days: number | null, staleAfterDays: number): ReviewStuckDeal['reason'] | null {
  // Exact days (a p90 under 10 days has a decimal: durationBucket), not the whole days a review shows.
  const days = (at.getTime() - Date.parse(enteredAt)) / DAY_MS;
  if (p90Days !== null && days > p90Days) return 'over_p90';
  if (days >= staleAfterDays) return 'stale';
  return null;
}

/** Whole days from an instant to another (rounded down; never negative). */
export function daysBetween(from: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(from)) / DAY_MS));
}

/** A team's targets of a period by metric (money targets as minor units of the base currency). */
export type TargetsByMetric = Partial<Record<'revenue_won' | 'deals_won' | 'activities' | 'new_customers', number>>;

/** The headline figures of a week against the week before and its targets; rows without a value are left out. */
export function reviewKpiRows(current: KpiValues, previous: KpiValues, targets: TargetsByMetric): ReviewKpiRow[] {
  const rows: Array<[metric: string, label: string, unit: ReviewKpiRow['unit'], (values: KpiValues) => number | null, target?: number]> = [
    ['revenue_won', 'Revenue won', 'money', (values) => values.revenueWon.amount, targets.revenue_won],
    ['deals_won', 'Deals won', 'count', (values) => values.dealsWon, targets.deals_won],
    ['deals_lost', 'Deals lost', 'count', (values) => values.dealsLost],
    ['win_rate', 'Win rate', 'ratio', (values) => values.winRate],
    ['average_won_deal_size', 'Average won deal', 'money', (values) => values.averageWonDealSize?.amount ?? null],
    ['sales_cycle_days', 'Sales cycle (median)', 'days', (values) => values.salesCycleDays],
    ['deals_created', 'Deals created', 'count', (values) => values.dealsCreated],
    ['pipeline_value', 'Pipeline due this week', 'money', (values) => values.pipelineValue.amount],
    ['weighted_pipeline', 'Weighted pipeline due this week', 'money', (values) => values.weightedPipeline.amount],
    ['activities', 'Activities', 'count', (values) => values.activitiesTotal, targets.activities],
    ['new_customers', 'New customers', 'count', (values) => values.newCustomers, targets.new_customers],
  ];
  return rows.flatMap(([metric, label, unit, valueOf, target]) => {
    const value = valueOf(current);
    if (value === null) return [];
    const before = valueOf(previous);
    return [
      {
        metric,
        label,
        unit,
        value,
        previous: before,
        delta: before === null ? null : value - before,
        target: target ?? null,
        attainment: target === undefined ? null : ratio(value, target),
      },
    ];
  });
}
