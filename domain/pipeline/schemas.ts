import * as z from 'zod';
import { Id, IsoDate, Key, Money, PageQuery, ShortText, UserId, pageOf } from '../shared/schemas';
import { DECISION_FACTORS, OPEN_FORECAST_CATEGORIES, OPPORTUNITY_STATUSES } from './model';
import { DEFAULT_STALE_AFTER_DAYS, FORECAST_CATEGORIES } from './rules';

const Probability = z.number().int().min(0).max(100);
const Note = z.string().trim().min(1).max(2000);

export const OpenForecastCategory = z
  .enum(OPEN_FORECAST_CATEGORIES)
  .meta({ id: 'OpenForecastCategory', description: 'A forecast category an open stage or a per-deal override may name' });
export const ForecastCategory = z
  .enum(FORECAST_CATEGORIES)
  .meta({ id: 'ForecastCategory', description: '`closed` for won deals, `omitted` for lost ones; an open deal: its override, else its stage\'s' });

// ---- pipeline configuration ----------------------------------------------------------------------

export const StageConfig = z
  .strictObject({
    key: Key,
    name: ShortText(80),
    probability: Probability.meta({ description: 'Default win probability in this stage, 0–100' }),
    exitCriteria: z.array(Key).max(20).meta({ description: 'What an opportunity needs before it may leave this stage forward' }),
    staleAfterDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .optional()
      .meta({ description: `Days without activity after which the owner gets a follow-up task; default ${DEFAULT_STALE_AFTER_DAYS}` }),
    forecastCategory: OpenForecastCategory.optional().meta({
      description: 'Forecast category of deals in this stage; default `best_case` for a stage keyed `quote`, `commit` for `negotiation`, else `pipeline`',
    }),
  })
  .meta({ id: 'StageConfig' });

/** A stage as the pipeline shows it: its forecast category always present (defaults filled in). */
export const Stage = StageConfig.extend({ forecastCategory: OpenForecastCategory }).meta({ id: 'Stage' });

export const PutPipelineBody = z
  .strictObject({
    stages: z.array(StageConfig).min(1).max(20).meta({ description: 'The open stages in funnel order; `won` and `lost` follow' }),
    stageMapping: z
      .record(Key, Key)
      .optional()
      .meta({ description: 'For each removed stage that has opportunities: the stage they move to' }),
  })
  .meta({ id: 'PutPipeline' });

export const Pipeline = z
  .object({
    stages: z.array(Stage),
    terminalStages: z.array(z.object({ key: z.enum(['won', 'lost']), probability: Probability, forecastCategory: z.enum(['closed', 'omitted']) })),
    criteria: z.array(z.object({ key: z.string(), description: z.string() })).meta({ description: 'The exit criteria a stage may name' }),
    version: z.number().int().meta({ description: '0 while the tenant runs on the default pipeline' }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
    remapped: z.record(z.string(), z.number().int()).optional().meta({ description: 'Opportunities moved, per removed stage' }),
  })
  .meta({ id: 'Pipeline' });

// ---- opportunities -------------------------------------------------------------------------------

const DecisionFactorsShape = Object.fromEntries(DECISION_FACTORS.map((factor) => [factor, ShortText(500).optional()])) as Record<
  (typeof DECISION_FACTORS)[number],
  z.ZodOptional<z.ZodString>
>;
export const DecisionFactors = z.strictObject(DecisionFactorsShape).meta({ id: 'DecisionFactors' });
const InterestPoints = z.array(ShortText(200)).max(50);
const Competitors = z.array(ShortText(100)).max(20);

export const CreateOpportunityBody = z
  .strictObject({
    customerId: Id,
    name: ShortText(200),
    owner: UserId.optional().meta({ description: 'Defaults to the caller; managers may name anyone' }),
    amount: Money.optional(),
    expectedCloseDate: IsoDate,
    probability: Probability.optional().meta({ description: "Managers only; default: the stage's probability" }),
    interestPoints: InterestPoints.optional(),
    decisionFactors: DecisionFactors.optional(),
    competitors: Competitors.optional(),
    nextStep: ShortText(500).optional(),
    nextStepDate: IsoDate.optional(),
    source: ShortText(80).optional(),
  })
  .meta({ id: 'CreateOpportunity' });

export const UpdateOpportunityBody = z
  .strictObject({
    name: ShortText(200).optional(),
    owner: UserId.optional().meta({ description: 'Managers and admins reassign' }),
    amount: Money.nullable().optional(),
    expectedCloseDate: IsoDate.optional(),
    probability: Probability.nullable().optional().meta({ description: "Managers only; null returns to the stage's default" }),
    interestPoints: InterestPoints.nullable().optional(),
    decisionFactors: DecisionFactors.nullable().optional(),
    competitors: Competitors.nullable().optional(),
    nextStep: ShortText(500).nullable().optional(),
    nextStepDate: IsoDate.nullable().optional(),
    source: ShortText(80).nullable().optional(),
    forecastCategory: OpenForecastCategory.nullable()
      .optional()
      .meta({ description: "The owner's or a manager's forecast call for this deal instead of its stage's category; null returns to the stage's" }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateOpportunity' });

export const MoveStageBody = z
  .strictObject({
    stage: Key,
    note: Note.optional().meta({ description: 'Required when moving backward or reopening' }),
    lostReason: Key.optional().meta({ description: "Required for `lost`: one of the tenant's lost reasons" }),
  })
  .meta({ id: 'MoveStage' });

export const OpportunityStatus = z.enum(OPPORTUNITY_STATUSES);

export const Opportunity = z
  .object({
    id: z.string(),
    customerId: z.string(),
    name: z.string(),
    owner: z.string(),
    amount: Money.optional(),
    expectedCloseDate: z.string(),
    stage: z.string(),
    status: OpportunityStatus,
    probability: z.number().int(),
    interestPoints: z.array(z.string()),
    decisionFactors: DecisionFactors,
    competitors: z.array(z.string()),
    nextStep: z.string().optional(),
    nextStepDate: z.string().optional(),
    source: z.string().optional(),
    lostReason: z.string().optional(),
    closedAt: z.string().optional(),
    stageEnteredAt: z.string(),
    forecastCategory: ForecastCategory.meta({ description: "Effective: won `closed`, lost `omitted`; open: the override, else the stage's category" }),
    forecastCategoryOverride: OpenForecastCategory.optional().meta({ description: 'The per-deal override, when one is set' }),
    closeRate: z
      .object({ currency: z.string(), rate: z.string(), effectiveFrom: z.string() })
      .optional()
      .meta({
        id: 'CloseRate',
        description: "A deal won or lost in a currency other than the base one: the rate in effect on its close date (base-currency units per unit), frozen; absent when no rate was in effect",
      }),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Opportunity' });

export const OpportunityIdParams = z.strictObject({ id: Id });

export const ListOpportunitiesQuery = z
  .strictObject({
    ...PageQuery,
    stage: Key.optional(),
    owner: UserId.optional(),
    customer: Id.optional(),
    status: OpportunityStatus.optional(),
    closeFrom: IsoDate.optional().meta({ description: 'Expected close date on or after' }),
    closeTo: IsoDate.optional().meta({ description: 'Expected close date on or before' }),
  })
  .refine((query) => !query.closeFrom || !query.closeTo || query.closeFrom <= query.closeTo, {
    message: 'closeFrom must not be after closeTo',
    path: ['closeTo'],
  });

export const OpportunityPage = pageOf(Opportunity, 'OpportunityPage');

export const StageChange = z
  .object({
    id: z.string(),
    from: z.string().optional(),
    to: z.string(),
    actor: z.string(),
    at: z.string(),
    note: z.string().optional(),
    lostReason: z.string().optional(),
  })
  .meta({ id: 'StageChange' });

export const StageHistory = z
  .object({
    opportunityId: z.string(),
    intervals: z.array(
      z.object({ stage: z.string(), enteredAt: z.string(), exitedAt: z.string().nullable(), durationMs: z.number().int() }),
    ),
    totals: z.array(z.object({ stage: z.string(), visits: z.number().int(), durationMs: z.number().int() })),
    changes: z.array(StageChange),
  })
  .meta({ id: 'StageHistory' });

export const CloseDateChange = z
  .object({ id: z.string(), from: z.string().optional(), to: z.string(), actor: z.string(), at: z.string() })
  .meta({ id: 'CloseDateChange' });

export const CloseDateHistory = z
  .object({
    opportunityId: z.string(),
    changes: z.array(CloseDateChange).meta({ description: 'Every expected close date the deal had, oldest first; the first is set at creation (no `from`)' }),
  })
  .meta({ id: 'CloseDateHistory' });

export type PutPipelineInput = z.infer<typeof PutPipelineBody>;
export type StageConfigView = z.infer<typeof StageConfig>;
export type PipelineView = z.infer<typeof Pipeline>;
export type CreateOpportunityInput = z.infer<typeof CreateOpportunityBody>;
export type UpdateOpportunityInput = z.infer<typeof UpdateOpportunityBody>;
export type MoveStageInput = z.infer<typeof MoveStageBody>;
export type OpportunityView = z.infer<typeof Opportunity>;
export type ListOpportunitiesInput = z.infer<typeof ListOpportunitiesQuery>;
export type StageHistoryView = z.infer<typeof StageHistory>;
export type StageChangeView = z.infer<typeof StageChange>;
export type StageView = z.infer<typeof Stage>;
export type CloseDateHistoryView = z.infer<typeof CloseDateHistory>;
