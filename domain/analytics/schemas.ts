/** The analytics context's API contract: targets and forecast calls (reports come with a later part of issue 16). */
import * as z from 'zod';
import { USER_ID_PATTERN, USER_ID_RULE } from '../shared/actor';
import { Money, ShortText } from '../shared/schemas';
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
