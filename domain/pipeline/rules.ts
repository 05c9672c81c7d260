/**
 * Pure rules of the funnel: the default pipeline, what a valid pipeline is, which stage moves are allowed and
 * which gates they pass, and how long an opportunity spent in each stage. No I/O.
 */
import { ConflictError, ForbiddenError, UnprocessableError, type FieldIssue } from '../errors';
import { seesWholeTenant, type Actor } from '../shared/actor';
import { isCriterionKey, type RequiredCriterion } from './gates';
import { OPEN_FORECAST_CATEGORIES } from './model';

export interface StageDefinition {
  key: string;
  name: string;
  probability: number;
  exitCriteria: string[];
  /** Days without activity before the owner gets a follow-up task (DEFAULT_STALE_AFTER_DAYS when unset). */
  staleAfterDays?: number;
  /** The forecast category of a deal in this stage (a stage saved without one: `defaultForecastCategory`). */
  forecastCategory?: OpenForecastCategory;
}

// ---- forecast categories -------------------------------------------------------------------------------

/** Forecast categories, as Salesforce and HubSpot have them; `closed` is the won stage's alone. */
export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];
export { OPEN_FORECAST_CATEGORIES };
export type OpenForecastCategory = (typeof OPEN_FORECAST_CATEGORIES)[number];

/** The defaults by stage key (the default pipeline's quote and negotiation stages); any other stage: `pipeline`. */
const DEFAULT_CATEGORY_BY_KEY: Readonly<Record<string, OpenForecastCategory>> = { quote: 'best_case', negotiation: 'commit' };

export function defaultForecastCategory(stageKey: string): OpenForecastCategory {
  return Object.hasOwn(DEFAULT_CATEGORY_BY_KEY, stageKey) ? (DEFAULT_CATEGORY_BY_KEY[stageKey] as OpenForecastCategory) : 'pipeline';
}

/** Stages with their category filled in: a pipeline saved before categories existed reads as the defaults. */
export function withForecastCategories<S extends StageDefinition>(stages: readonly S[]): Array<S & { forecastCategory: OpenForecastCategory }> {
  return stages.map((stage) => ({ ...stage, forecastCategory: stage.forecastCategory ?? defaultForecastCategory(stage.key) }));
}

/** What an opportunity needs for its forecast category: its stage, and the per-deal override (if any). */
export interface ForecastFacts {
  stage: string;
  forecastCategoryOverride?: OpenForecastCategory;
}

/**
 * A deal's effective forecast category: won → `closed`, lost → `omitted` (whatever the override said); an open
 * deal's override, else its stage's category (a retired stage counts as the stage it maps to; a stage the
 * pipeline does not know, `pipeline`). Works on the stored opportunity and on its view alike.
 */
export function forecastCategoryOf(opportunity: ForecastFacts, pipeline: PipelineDefinition): ForecastCategory {
  if (opportunity.stage === WON) return 'closed';
  if (opportunity.stage === LOST) return 'omitted';
  if (opportunity.forecastCategoryOverride !== undefined) return opportunity.forecastCategoryOverride;
  const stage = effectiveStage(pipeline, opportunity.stage);
  const definition = pipeline.stages.find((candidate) => candidate.key === stage);
  return definition ? (definition.forecastCategory ?? defaultForecastCategory(definition.key)) : 'pipeline';
}

// ---- the exchange rate a closed deal keeps -------------------------------------------------------------

export interface CloseRate {
  currency: string;
  /** Base-currency units per unit of `currency`, a decimal string, as the tenant keeps it. */
  rate: string;
  /** The date of the rate that was in effect on the close date. */
  effectiveFrom: string;
}

/**
 * The rate a won or lost deal is frozen at: of its amount's currency, in effect on its close date (a local date
 * in the reporting time zone). None when the deal has no amount, is in the base currency (rate 1), or that
 * currency had no rate by then (the rollup reports such a deal as unconverted).
 */
export function closeRateFor(
  amount: { currency: string } | undefined,
  baseCurrency: string,
  ratesInEffect: ReadonlyArray<{ currency: string; rate: string; effectiveFrom: string }>,
): CloseRate | undefined {
  if (!amount || amount.currency === baseCurrency) return undefined;
  const rate = ratesInEffect.find((candidate) => candidate.currency === amount.currency);
  return rate && { currency: rate.currency, rate: rate.rate, effectiveFrom: rate.effectiveFrom };
}

export const DEFAULT_STALE_AFTER_DAYS = 14;

/** How long an opportunity in `stage` may go without activity (a retired stage counts as its target). */
export function staleAfterDaysOf(pipeline: { stages: ReadonlyArray<Pick<StageDefinition, 'key' | 'staleAfterDays'>> }, stage: string): number {
  return pipeline.stages.find((candidate) => candidate.key === stage)?.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
}

export interface PipelineDefinition {
  stages: StageDefinition[];
  /** Removed stages that had opportunities → the stage they moved to. */
  retiredStages: Record<string, string>;
}

export const WON = 'won';
export const LOST = 'lost';
export const TERMINAL_STAGES = [
  { key: WON, probability: 100, forecastCategory: 'closed' },
  { key: LOST, probability: 0, forecastCategory: 'omitted' },
] as const;

export const DEFAULT_PIPELINE: PipelineDefinition = {
  stages: [
    { key: 'lead', name: 'Lead identified', probability: 10, exitCriteria: ['customer_contact'], forecastCategory: 'pipeline' },
    { key: 'contacted', name: 'Contacted', probability: 20, exitCriteria: ['activity_logged'], forecastCategory: 'pipeline' },
    { key: 'needs_analysis', name: 'Needs analysis', probability: 40, exitCriteria: ['interest_points', 'decision_budget', 'decision_need'], forecastCategory: 'pipeline' },
    { key: 'quote', name: 'Quote', probability: 60, exitCriteria: ['quote_sent'], forecastCategory: 'best_case' },
    // Won means a signed contract: approved by the tenant's approval policy, then signed by the customer.
    { key: 'negotiation', name: 'Contract / negotiation', probability: 80, exitCriteria: ['contract_signed'], forecastCategory: 'commit' },
  ],
  retiredStages: {},
};

export type OpportunityStatus = 'open' | 'won' | 'lost';

export function statusOfStage(stage: string): OpportunityStatus {
  return stage === WON ? 'won' : stage === LOST ? 'lost' : 'open';
}

export function defaultProbability(pipeline: PipelineDefinition, stage: string): number {
  const terminal = TERMINAL_STAGES.find((candidate) => candidate.key === stage);
  if (terminal) return terminal.probability;
  return pipeline.stages.find((candidate) => candidate.key === effectiveStage(pipeline, stage))?.probability ?? 0;
}

/** The stage an opportunity is in for the current pipeline: a retired stage counts as the one it maps to. */
export function effectiveStage(pipeline: PipelineDefinition, stage: string): string {
  let current = stage;
  for (let hops = 0; hops < 20 && pipeline.retiredStages[current] !== undefined; hops++) {
    current = pipeline.retiredStages[current] as string;
  }
  return current;
}

// ---- configuration -----------------------------------------------------------------------------------

/**
 * Checks a new pipeline against the current one: keys unique and not reserved, criteria known, and every
 * removed stage that still has opportunities mapped to a stage of the new pipeline.
 */
export function validatePipelineChange(
  current: PipelineDefinition,
  next: { stages: StageDefinition[]; stageMapping?: Record<string, string> },
  stagesInUse: ReadonlySet<string>,
): { retiredStages: Record<string, string>; moves: Record<string, string> } {
  const issues: FieldIssue[] = [];
  const keys = next.stages.map((stage) => stage.key);
  next.stages.forEach((stage, index) => {
    if (stage.key === WON || stage.key === LOST) {
      issues.push({ path: `body.stages.${index}.key`, message: `"${stage.key}" is a fixed terminal stage; list only open stages` });
    }
    if (keys.indexOf(stage.key) !== index) issues.push({ path: `body.stages.${index}.key`, message: `Stage "${stage.key}" appears twice` });
    stage.exitCriteria.forEach((criterion, criterionIndex) => {
      if (!isCriterionKey(criterion)) {
        issues.push({ path: `body.stages.${index}.exitCriteria.${criterionIndex}`, message: `Unknown exit criterion "${criterion}"` });
      }
    });
  });

  const newKeys = new Set(keys);
  const removed = current.stages.map((stage) => stage.key).filter((key) => !newKeys.has(key));
  const mapping = next.stageMapping ?? {};
  const moves: Record<string, string> = {};
  for (const [from, to] of Object.entries(mapping)) {
    if (!removed.includes(from) && !Object.hasOwn(current.retiredStages, from)) {
      issues.push({ path: `body.stageMapping.${from}`, message: `"${from}" is not a stage being removed` });
    } else if (!newKeys.has(to)) {
      issues.push({ path: `body.stageMapping.${from}`, message: `"${to}" is not an open stage of the new pipeline` });
    }
  }
  for (const key of removed) {
    const target = mapping[key];
    if (stagesInUse.has(key) && target === undefined) {
      issues.push({ path: `body.stageMapping.${key}`, message: `Stage "${key}" has opportunities: name the stage they move to` });
    }
    if (target !== undefined) moves[key] = target;
  }
  // Stages retired earlier whose target is now removed follow along, so no opportunity is ever orphaned.
  const retiredStages: Record<string, string> = {};
  for (const [retired, target] of Object.entries({ ...current.retiredStages, ...moves })) {
    const resolved = newKeys.has(target) ? target : (moves[target] ?? mapping[target]);
    if (resolved !== undefined && newKeys.has(resolved)) retiredStages[retired] = resolved;
    else if (stagesInUse.has(retired)) {
      issues.push({ path: `body.stageMapping.${retired}`, message: `Stage "${retired}" still has opportunities: name the stage they move to` });
    }
  }
  if (issues.length > 0) throw new UnprocessableError('The pipeline cannot be changed like this', issues);
  return { retiredStages, moves };
}

// ---- stage moves ---------------------------------------------------------------------------------------

export type MoveKind = 'forward' | 'backward' | 'won' | 'lost' | 'reopen';

export interface MovePlan {
  kind: MoveKind;
  from: string;
  to: string;
  /** Exit criteria of every stage the move passes forward, in order. */
  gates: RequiredCriterion[];
}

/**
 * Decides whether an opportunity may move from its stage to `target`, and which gates it must pass.
 * Forward: every gate on the way. Backward: with a note. Lost: from any open stage, with a listed reason. Won:
 * only from the last open stage, through its gate. Won and lost are final, unless a manager reopens with a note.
 */
export function planStageMove(input: {
  pipeline: PipelineDefinition;
  currentStage: string;
  target: string;
  actor: Actor;
  note?: string;
  lostReason?: string;
  lostReasons: readonly string[];
}): MovePlan {
  const { pipeline, target, actor } = input;
  const from = effectiveStage(pipeline, input.currentStage);
  const open = pipeline.stages.map((stage) => stage.key);
  const isKnown = open.includes(target) || target === WON || target === LOST;
  if (!isKnown) {
    throw new UnprocessableError(`"${target}" is not a stage of this pipeline`, [
      { path: 'body.stage', message: `Must be one of ${[...open, WON, LOST].join(', ')}` },
    ]);
  }
  if (target === from) throw new ConflictError(`The opportunity is already in stage ${target}`, { stage: target });
  if (input.lostReason !== undefined && target !== LOST) {
    throw new UnprocessableError(`A lost reason goes only with a move to lost, not to ${target}`, [
      { path: 'body.lostReason', message: 'Only with stage lost: leave it out' },
    ]);
  }

  const closed = from === WON || from === LOST;
  if (closed) {
    if (target === WON || target === LOST) {
      throw new ConflictError(`The opportunity is ${from}; reopen it to an open stage first`, { stage: from });
    }
    if (!seesWholeTenant(actor)) throw new ForbiddenError(`The opportunity is ${from}; only a manager or admin may reopen it`);
    requireNote(input.note, 'Reopening');
    return { kind: 'reopen', from, to: target, gates: [] };
  }

  const fromIndex = open.indexOf(from);
  if (target === LOST) {
    const reasons = input.lostReasons.join(', ');
    if (input.lostReason === undefined) {
      throw new UnprocessableError(`A move to lost needs a lost reason: one of ${reasons}`, [
        { path: 'body.lostReason', message: `Required: one of ${reasons}` },
      ]);
    }
    if (!input.lostReasons.includes(input.lostReason)) {
      throw new UnprocessableError(`"${input.lostReason}" is not one of the tenant's lost reasons (GET /settings)`, [
        { path: 'body.lostReason', message: `Must be one of ${reasons}` },
      ]);
    }
    return { kind: 'lost', from, to: LOST, gates: [] };
  }
  if (target === WON) {
    const last = open[open.length - 1] as string;
    if (from !== last) throw new ConflictError(`An opportunity is won only from the last open stage, ${last}`, { stage: from });
    return { kind: 'won', from, to: WON, gates: gatesOf(pipeline.stages.slice(fromIndex, fromIndex + 1)) };
  }
  const toIndex = open.indexOf(target);
  if (toIndex < fromIndex) {
    requireNote(input.note, 'Moving back');
    return { kind: 'backward', from, to: target, gates: [] };
  }
  return { kind: 'forward', from, to: target, gates: gatesOf(pipeline.stages.slice(fromIndex, toIndex)) };
}

function gatesOf(stages: StageDefinition[]): RequiredCriterion[] {
  return stages.flatMap((stage) => stage.exitCriteria.map((criterion) => ({ stage: stage.key, criterion })));
}

function requireNote(note: string | undefined, what: string): void {
  if (note === undefined || note.trim() === '') {
    throw new UnprocessableError(`${what} needs a note saying why`, [{ path: 'body.note', message: 'Required for this move' }]);
  }
}

// ---- history -------------------------------------------------------------------------------------------

export interface StageChangeRecord {
  from?: string;
  to: string;
  at: string;
}

export interface StageInterval {
  stage: string;
  enteredAt: string;
  exitedAt: string | null;
  durationMs: number;
}

/**
 * Time spent per visit of each stage, from the ordered changes (the first is the creation), up to `now`.
 * Sitting in won or lost is not time spent in the funnel: a closed opportunity's final stage counts 0.
 */
export function stageIntervals(changes: readonly StageChangeRecord[], now: Date): StageInterval[] {
  return changes.map((change, index) => {
    const exitedAt = changes[index + 1]?.at ?? null;
    const closed = exitedAt === null && statusOfStage(change.to) !== 'open';
    const end = exitedAt === null ? now.getTime() : Date.parse(exitedAt);
    return { stage: change.to, enteredAt: change.at, exitedAt, durationMs: closed ? 0 : Math.max(0, end - Date.parse(change.at)) };
  });
}

/** Visits and total time per stage, in order of first entry. */
export function stageTotals(intervals: readonly StageInterval[]): Array<{ stage: string; visits: number; durationMs: number }> {
  const totals = new Map<string, { stage: string; visits: number; durationMs: number }>();
  for (const interval of intervals) {
    const total = totals.get(interval.stage) ?? { stage: interval.stage, visits: 0, durationMs: 0 };
    total.visits += 1;
    total.durationMs += interval.durationMs;
    totals.set(interval.stage, total);
  }
  return [...totals.values()];
}
