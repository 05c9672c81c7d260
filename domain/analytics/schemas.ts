/** The analytics context's API contract: targets and forecast calls (reports come with a later part of issue 16). */
import * as z from 'zod';
import { USER_ID_PATTERN, USER_ID_RULE } from '../shared/actor';
import { TeamId } from '../directory/schemas';
import { Id, Money, PageQuery, pageOf, ShortText } from '../shared/schemas';
import { MAX_REVIEW_ROWS } from './review-rules';
import { MAX_TARGETS_PER_REQUEST } from './plan-rules';
import { TARGET_SCOPES } from './model';

export const COUNT_METRICS = ['deals_won', 'activities', 'new_customers'] as const;

const PeriodId = z.string().min(1).max(16).meta({ description: 'A period id: 2027-03-14, 2027-W11, 2027-03, FY2027-Q1 or FY2027', example: 'FY2027-Q1' });

export const PeriodParams = z.strictObject({ periodId: PeriodId });
export const AdjustmentParams = z.strictObject({
  periodId: PeriodId,
  userId: z.string().regex(USER_ID_PATTERN, `Must be a user id: ${USER_ID_RULE}`).meta({ description: 'Whose call is adjusted' }),
});
export const PeriodQuery = z.strictObject({ period: PeriodId });

const Scope = z.enum(TARGET_SCOPES).meta({ description: 'Whose target: a rep, a team, or the whole tenant' });
const ScopeId = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .meta({ description: "The rep's user id or the team id; for `tenant` leave it out (or give the tenant's own id)" });
const Count = z.number().int('Must be a whole number').min(0).max(1_000_000_000);

const TargetInput = z.discriminatedUnion('metric', [
  z.strictObject({
    scope: Scope,
    id: ScopeId,
    metric: z.literal('revenue_won'),
    value: Money.nullable().meta({ description: 'Money in the base currency; `null` removes the target' }),
  }),
  z.strictObject({
    scope: Scope,
    id: ScopeId,
    metric: z.enum(COUNT_METRICS),
    value: Count.nullable().meta({ description: 'A count; `null` removes the target' }),
  }),
]);

export const PutTargetsBody = z
  .strictObject({
    targets: z
      .array(TargetInput)
      .min(1)
      .max(MAX_TARGETS_PER_REQUEST)
      .meta({ description: `The targets to set (or, with \`"value": null\`, remove); the period's other targets stay as they are. At most ${MAX_TARGETS_PER_REQUEST}` }),
  })
  .meta({ id: 'PutTargets' });

export const Target = z
  .object({
    scope: Scope,
    id: z.string().meta({ description: "The rep's user id, the team id, or the tenant id" }),
    metric: z.enum(['revenue_won', ...COUNT_METRICS]),
    value: z.union([Money, z.number().int()]).meta({ description: 'Money for revenue_won, a count otherwise' }),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Target' });

export const Targets = z
  .object({
    period: z.string(),
    baseCurrency: z.string(),
    targets: z.array(Target).meta({ description: 'Ordered by scope, id, metric. A rep sees their own, their team\'s and the tenant\'s' }),
  })
  .meta({ id: 'Targets' });

export const ForecastCallBody = z
  .strictObject({
    commit: Money.meta({ description: 'What will close in the period, in the base currency' }),
    bestCase: Money.meta({ description: 'What could close if things go well: at least `commit`' }),
    note: ShortText(2000).optional(),
  })
  .meta({ id: 'ForecastCallInput' });

const CallFields = { commit: Money, bestCase: Money, note: z.string().optional(), version: z.number().int() };

export const ForecastSubmission = z
  .object({ period: z.string(), userId: z.string(), ...CallFields, submittedAt: z.string(), submittedBy: z.string() })
  .meta({ id: 'ForecastSubmission' });

export const ForecastAdjustment = z
  .object({ period: z.string(), userId: z.string(), ...CallFields, adjustedAt: z.string(), adjustedBy: z.string() })
  .meta({ id: 'ForecastAdjustment' });

export const ForecastCalls = z
  .object({
    period: z.string(),
    baseCurrency: z.string(),
    calls: z
      .array(
        z.object({
          userId: z.string(),
          submission: ForecastSubmission.nullable().meta({ description: "The user's own call (null: not submitted)" }),
          adjustment: ForecastAdjustment.nullable().meta({ description: "A manager's adjustment beside it (null: none)" }),
        }),
      )
      .meta({ description: 'One entry per user with a submission or an adjustment, by user id. A rep sees their own' }),
  })
  .meta({ id: 'ForecastCalls' });

export type PutTargetsInput = z.infer<typeof PutTargetsBody>;
export type TargetInputItem = z.infer<typeof TargetInput>;
export type TargetView = z.infer<typeof Target>;
export type TargetsView = z.infer<typeof Targets>;
export type ForecastCallInput = z.infer<typeof ForecastCallBody>;
export type ForecastSubmissionView = z.infer<typeof ForecastSubmission>;
export type ForecastAdjustmentView = z.infer<typeof ForecastAdjustment>;
export type ForecastCallsView = z.infer<typeof ForecastCalls>;

// ---- reports ---------------------------------------------------------------------------------------

const ReportFormat = z.enum(['json', 'csv']).optional().meta({ description: '`csv` answers text/csv with a header row (as `Accept: text/csv` does)' });
const TeamFilter = z.string().min(1).max(40).optional().meta({ description: "A team's figures (managers, admins, finance)" });
const OwnerFilter = z
  .string()
  .regex(USER_ID_PATTERN, `Must be a user id: ${USER_ID_RULE}`)
  .optional()
  .meta({ description: "One rep's figures (a rep: only their own)" });
const DateParam = z.string().meta({ description: 'A date, YYYY-MM-DD (local to the reporting timezone)', example: '2027-01-01' });
const OptionalPeriod = PeriodId.optional();

export const PipelineReportQuery = z.strictObject({
  period: OptionalPeriod.meta({ description: 'Deals expected to close in this period; absent: every open deal' }),
  team: TeamFilter,
  owner: OwnerFilter,
  format: ReportFormat,
});
export const RangeReportQuery = z.strictObject({ from: DateParam.optional(), to: DateParam.optional(), team: TeamFilter, owner: OwnerFilter, format: ReportFormat });
export const ForecastReportQuery = z.strictObject({ period: PeriodId, team: TeamFilter, owner: OwnerFilter, format: ReportFormat });
export const LeaderboardQuery = z.strictObject({
  period: PeriodId,
  metric: z.enum(['revenue_won', 'deals_won', 'win_rate', 'activities', 'new_customers', 'pipeline_value']).default('revenue_won'),
  format: ReportFormat,
});
export const KpiReportQuery = z.strictObject({
  scope: z.enum(['rep', 'team', 'tenant']).default('tenant'),
  id: z.string().min(1).max(128).optional().meta({ description: 'The rep (default: the caller) or the team' }),
  period: PeriodId,
  format: ReportFormat,
});
export const TrendQuery = z.strictObject({
  metric: z.enum(['pipeline_value', 'weighted_pipeline', 'open_deals', 'commit', 'best_case']).default('pipeline_value'),
  from: DateParam.optional(),
  to: DateParam.optional(),
  interval: z.enum(['day', 'week', 'month']).default('day'),
  team: TeamFilter,
  owner: OwnerFilter,
  format: ReportFormat,
});

const Rate = z.object({ currency: z.string(), rate: z.string(), effectiveFrom: z.string() });
const ReportHeader = {
  asOf: z.string().nullable().meta({ description: 'When the figures were last rolled up (null: not yet)' }),
  period: z.string(),
  scope: z.object({ kind: z.enum(['tenant', 'rep', 'team']), id: z.string().nullable() }),
  currency: z.string().meta({ description: 'The base currency every amount is stated in' }),
  ratesUsed: z.array(Rate).meta({ description: "The latest rates the open amounts were converted at (won deals: each at its own close date's rate, frozen)" }),
};
const Line = { count: z.number().int(), amount: Money, weightedAmount: Money };

export const PipelineReport = z
  .object({
    ...ReportHeader,
    stages: z.array(z.object({ stage: z.string(), name: z.string(), forecastCategory: z.string(), ...Line })),
    byCategory: z.array(z.object({ category: z.string(), ...Line })),
    totals: z.object(Line),
    unconverted: z.array(z.object({ currency: z.string(), amount: Money, weightedAmount: Money })).meta({ description: 'Open amounts in currencies without a rate: apart, never added' }),
  })
  .meta({ id: 'PipelineReport' });

const Ratio = z.number().nullable().meta({ description: 'A ratio 0–1; null when undefined (nothing to divide by)' });

export const FunnelReport = z
  .object({
    ...ReportHeader,
    from: z.string(),
    to: z.string(),
    created: z.number().int(),
    stages: z.array(z.object({ stage: z.string(), name: z.string(), entered: z.number().int(), conversionToNext: Ratio })),
    won: z.number().int(),
    lost: z.number().int(),
    winRate: Ratio,
  })
  .meta({ id: 'FunnelReport' });

export const StageDurationsReport = z
  .object({
    ...ReportHeader,
    from: z.string(),
    to: z.string(),
    stages: z.array(
      z.object({
        stage: z.string(),
        name: z.string(),
        count: z.number().int(),
        medianDays: z.number().nullable(),
        p90Days: z.number().nullable(),
        bottleneck: z.boolean().meta({ description: 'The stage with the longest median stay' }),
      }),
    ),
  })
  .meta({ id: 'StageDurationsReport' });

const KpiRow = z.object({
  metric: z.string(),
  unit: z.enum(['money', 'count', 'ratio', 'days']),
  value: z.number().nullable(),
  previous: z.number().nullable(),
  delta: z.number().nullable(),
  target: z.number().nullable(),
  attainment: Ratio,
});

export const KpiReport = z
  .object({
    ...ReportHeader,
    previousPeriod: z.string(),
    kpis: z.array(KpiRow).meta({ description: 'Money in minor units of the base currency' }),
    activitiesByType: z.record(z.string(), z.number().int()),
    stageConversion: FunnelReport.shape.stages,
    timeInStage: z.array(z.object({ stage: z.string(), count: z.number().int(), medianDays: z.number().nullable(), p90Days: z.number().nullable() })),
    unconverted: z.object({ revenueWon: z.record(z.string(), z.number().int()), pipeline: z.record(z.string(), z.number().int()) }),
  })
  .meta({ id: 'KpiReport' });

// `Money.nullable()` of a registered schema becomes `allOf` in the document (refusing null): a union says it.
const MoneyOrNull = z.union([Money, z.null()]);

const ForecastRow = z.object({
  scope: ReportHeader.scope,
  closedWon: Money,
  commit: Money,
  bestCase: Money,
  pipeline: Money,
  weighted: Money,
  target: MoneyOrNull,
  attainment: Ratio,
});

export const ForecastReport = z
  .object({
    asOf: ReportHeader.asOf,
    period: z.string(),
    currency: z.string(),
    ratesUsed: ReportHeader.ratesUsed,
    reps: z.array(ForecastRow.extend({ submission: z.union([ForecastSubmission, z.null()]), adjustment: z.union([ForecastAdjustment, z.null()]) })),
    teams: z.array(ForecastRow),
    tenant: ForecastRow.nullable(),
  })
  .meta({ id: 'ForecastReport' });

export const LeaderboardReport = z
  .object({
    asOf: ReportHeader.asOf,
    period: z.string(),
    metric: z.string(),
    currency: z.string(),
    ratesUsed: ReportHeader.ratesUsed,
    items: z.array(z.object({ rank: z.number().int(), userId: z.string(), value: z.number().nullable() })),
  })
  .meta({ id: 'LeaderboardReport' });

export const TrendReport = z
  .object({
    ...ReportHeader,
    metric: z.string(),
    interval: z.enum(['day', 'week', 'month']),
    unit: z.enum(['money', 'count']),
    points: z.array(z.object({ period: z.string(), day: z.string().meta({ description: 'The snapshot the point is (the last of its interval)' }), value: z.number() })),
  })
  .meta({ id: 'TrendReport' });

// ---- weekly reviews ----------------------------------------------------------------------------------

export const ListReviewsQuery = z.strictObject({
  team: TeamId.meta({ description: "The team whose reviews are listed (newest week first)" }),
  ...PageQuery,
});
export const ReviewIdParams = z.strictObject({ id: Id });

const ReviewTeam = z.object({ id: z.string(), name: z.string(), manager: z.string().meta({ description: 'The manager notified of the review (user id)' }) });
const ReviewWeek = z.object({
  id: z.string().meta({ description: 'The ISO week reviewed', example: '2027-W11' }),
  start: z.string().meta({ description: 'Its first local date (Monday)' }),
  end: z.string().meta({ description: 'Its last local date (Sunday)' }),
});
const ReviewLinks = z.object({ self: z.string(), document: z.string().meta({ description: 'The review as an HTML page, ready to mail' }) });

const ReviewKpi = z.object({
  metric: z.string(),
  label: z.string(),
  unit: z.enum(['money', 'count', 'ratio', 'days']),
  value: z.number(),
  previous: z.number().nullable().meta({ description: "Last week's value" }),
  delta: z.number().nullable(),
  target: z.number().nullable().meta({ description: "The week's team target, where set" }),
  attainment: Ratio,
});
const ReviewForecast = z.object({
  period: z.string().optional().meta({ description: 'The fiscal quarter that holds the week\'s last day' }),
  commit: z.number().int(),
  bestCase: z.number().int(),
  closedWon: z.number().int().meta({ description: 'Revenue won from the quarter\'s first day to the week\'s last' }),
  target: z.number().int().nullable(),
  attainment: Ratio,
});

export const Review = z
  .object({
    id: z.string(),
    team: ReviewTeam,
    week: ReviewWeek,
    generatedAt: z.string().meta({ description: 'When the review was made (its figures are as of then, and never change)' }),
    currency: z.string().meta({ description: 'The base currency: every money figure (minor units) but a deal\'s own amount is in it' }),
    kpis: z.array(ReviewKpi).meta({ description: "The week's figures against last week and the week's team targets (figures without a value left out)" }),
    funnel: z
      .array(z.object({ stage: z.string(), name: z.string(), entered: z.number().int(), conversionToNext: Ratio }))
      .meta({ description: "The funnel of the week's cohort (the opportunities created in it); empty when there were none" }),
    attainment: z
      .array(
        z.object({
          label: z.string(),
          actual: z.number().int(),
          target: z.number().int().nullable(),
          unit: z.enum(['money', 'count']),
          currency: z.string().optional(),
        }),
      )
      .meta({ description: "The quarter to the week's end against the quarter's team targets" }),
    stuckDeals: z
      .array(
        z.object({
          opportunityId: z.string(),
          name: z.string(),
          owner: z.string(),
          stage: z.string(),
          daysInStage: z.number().int(),
          reason: z.enum(['over_p90', 'stale']).meta({ description: "`over_p90`: in its stage longer than the stage's p90 stay over the last fiscal year; `stale`: no stage move for the stage's staleAfterDays" }),
          amount: Money,
        }),
      )
      .meta({ description: `The members' open deals that are stuck, longest in their stage first (at most ${MAX_REVIEW_ROWS})` }),
    stuckDealsTotal: z.number().int(),
    overdueTasks: z
      .array(z.object({ taskId: z.string(), title: z.string(), assignee: z.string(), dueDate: z.string() }))
      .meta({ description: `The members' open tasks due before the review was made, oldest first (at most ${MAX_REVIEW_ROWS})` }),
    overdueTasksTotal: z.number().int(),
    forecast: z.union([ReviewForecast, z.null()]).meta({ description: "The team's forecast of the quarter against its target (null: none)" }),
    createdAt: z.string(),
    links: ReviewLinks,
  })
  .meta({ id: 'Review' });

export const ReviewSummary = z
  .object({
    id: z.string(),
    team: ReviewTeam,
    week: ReviewWeek,
    generatedAt: z.string(),
    stuckDeals: z.number().int().meta({ description: 'How many stuck deals it lists' }),
    overdueTasks: z.number().int().meta({ description: 'How many overdue tasks it lists' }),
    createdAt: z.string(),
    links: ReviewLinks,
  })
  .meta({ id: 'ReviewSummary' });

export const ReviewPage = pageOf(ReviewSummary, 'ReviewPage');

export type ReviewView = z.infer<typeof Review>;
export type ReviewSummaryView = z.infer<typeof ReviewSummary>;

/** A CSV document (text/csv, UTF-8, a header row). */
export const CSV_DOCUMENT = { type: 'string', description: 'CSV (RFC 4180, UTF-8) with a header row' } as const;
