/**
 * KPI math: what the reports show, derived from aggregate counters (./contributions.ts names them). Pure.
 *
 * - win rate = won ÷ (won + lost), null when nothing closed;
 * - average won deal size = revenue won ÷ the won deals whose revenue converted (half up);
 * - sales cycle = median of the won deals' local days from creation to close;
 * - time in stage = median and p90 (nearest rank) of the stays that ended, in days (one decimal under 10 days);
 * - stage conversion = entered the next stage ÷ entered this one, in the pipeline's order (won after the last);
 * - push rate = deals moved out of the period to a later one ÷ deals due in it (months, quarters, years);
 * - open amounts convert at the latest rate of their currency; a currency without a rate is reported apart
 *   (`unconverted`), never added.
 */
import type { ExchangeRate } from '../settings';
import type { StoredMoney } from '../shared/money';
import { convert } from './contributions';
import type { Counters } from './counters';

export type ForecastCategory = 'pipeline' | 'best_case' | 'commit' | 'closed' | 'omitted';

export interface StageInfo {
  key: string;
  name: string;
  /** The stage's forecast category (a deal's override wins). */
  forecastCategory: ForecastCategory;
}

export interface ReportPipeline {
  /** Open stages in order. */
  stages: readonly StageInfo[];
  /** A retired stage → the stage its deals moved to. */
  effectiveStage: (stage: string) => string;
}

export interface Rates {
  baseCurrency: string;
  /** Currency → the rate used (base units per unit, decimal string) and since when. */
  rates: ReadonlyMap<string, ExchangeRate>;
}

export interface Converted {
  amount: number;
  unconverted: Record<string, number>;
}

/** Sums amounts per currency into the base currency where a rate is known. */
export function convertAmounts(perCurrency: Counters, rates: Rates): Converted {
  let amount = 0;
  const unconverted: Record<string, number> = {};
  for (const [currency, value] of Object.entries(perCurrency)) {
    if (currency === rates.baseCurrency) amount += value;
    else if (rates.rates.has(currency)) amount += convert(value, rates.rates.get(currency)!.rate);
    else unconverted[currency] = (unconverted[currency] ?? 0) + value;
  }
  return { amount, unconverted };
}

export interface PipelineLine {
  count: number;
  amount: Counters;
  weighted: Counters;
}

export interface OpenPipeline {
  byStage: Map<string, PipelineLine>;
  byCategory: Map<ForecastCategory, PipelineLine>;
  total: PipelineLine;
}

const emptyLine = (): PipelineLine => ({ count: 0, amount: {}, weighted: {} });

function addToLine(line: PipelineLine, measure: string, currency: string | undefined, value: number): void {
  if (measure === 'count') line.count += value;
  else if (currency && (measure === 'amount' || measure === 'weighted')) line[measure][currency] = (line[measure][currency] ?? 0) + value;
}

/** The open deals of a flow aggregate (`open|<stage>|<override>|<measure>[|<currency>]`), by stage and category. */
export function openPipeline(counters: Counters, pipeline: ReportPipeline): OpenPipeline {
  const byStage = new Map<string, PipelineLine>(pipeline.stages.map((stage) => [stage.key, emptyLine()]));
  const byCategory = new Map<ForecastCategory, PipelineLine>();
  const total = emptyLine();
  const categoryOfStage = new Map(pipeline.stages.map((stage) => [stage.key, stage.forecastCategory]));
  for (const [name, value] of Object.entries(counters)) {
    if (!name.startsWith('open|')) continue;
    const [, storedStage = '', override = '-', measure = '', currency] = name.split('|');
    const stage = pipeline.effectiveStage(storedStage);
    const category = (override !== '-' ? override : (categoryOfStage.get(stage) ?? 'pipeline')) as ForecastCategory;
    const stageLine = byStage.get(stage) ?? byStage.set(stage, emptyLine()).get(stage)!;
    const categoryLine = byCategory.get(category) ?? byCategory.set(category, emptyLine()).get(category)!;
    for (const line of [stageLine, categoryLine, total]) addToLine(line, measure, currency, value);
  }
  return { byStage, byCategory, total };
}

/** A histogram (bucket → count) of numbers: the value at a nearest-rank percentile, or null when empty. */
export function percentile(histogram: Counters, p: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count] as const)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [value, count] of buckets) {
    seen += count;
    if (seen >= rank) return value;
  }
  return buckets.at(-1)![0];
}

export const median = (histogram: Counters) => percentile(histogram, 50);

/** `prefix|<key>|<bucket>` counters → key → histogram. */
export function histograms(counters: Counters, prefix: string): Map<string, Counters> {
  const result = new Map<string, Counters>();
  for (const [name, value] of Object.entries(counters)) {
    if (!name.startsWith(`${prefix}|`)) continue;
    const [, key = '', bucket = ''] = name.split('|');
    const histogram = result.get(key) ?? result.set(key, {}).get(key)!;
    histogram[bucket] = (histogram[bucket] ?? 0) + value;
  }
  return result;
}

/** `prefix|<name>` counters → name → value. */
export function named(counters: Counters, prefix: string): Counters {
  const result: Counters = {};
  for (const [name, value] of Object.entries(counters)) if (name.startsWith(`${prefix}|`)) result[name.slice(prefix.length + 1)] = value;
  return result;
}

export const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);

export interface StageDuration {
  stage: string;
  count: number;
  medianDays: number | null;
  p90Days: number | null;
}

/** Per open stage (in order, retired stages folded into theirs): completed stays, median and p90 days. */
export function stageDurations(stays: Counters, pipeline: ReportPipeline): StageDuration[] {
  const byStage = new Map<string, Counters>();
  for (const [stored, histogram] of histograms(stays, 'stay')) {
    const stage = pipeline.effectiveStage(stored);
    const into = byStage.get(stage) ?? byStage.set(stage, {}).get(stage)!;
    for (const [bucket, count] of Object.entries(histogram)) into[bucket] = (into[bucket] ?? 0) + count;
  }
  return pipeline.stages.map((stage) => {
    const histogram = byStage.get(stage.key) ?? {};
    return {
      stage: stage.key,
      count: Object.values(histogram).reduce((sum, count) => sum + count, 0),
      medianDays: median(histogram),
      p90Days: percentile(histogram, 90),
    };
  });
}

export interface FunnelStage {
  stage: string;
  name: string;
  entered: number;
  conversionToNext: number | null;
}

/** The cohort's funnel: entered per stage in order, won last; conversion to the next stage. */
export function funnel(counters: Counters, pipeline: ReportPipeline): FunnelStage[] {
  const entered = new Map<string, number>();
  for (const [stored, count] of Object.entries(named(counters, 'entered'))) {
    const stage = stored === 'won' || stored === 'lost' ? stored : pipeline.effectiveStage(stored);
    entered.set(stage, (entered.get(stage) ?? 0) + count);
  }
  const steps = [...pipeline.stages.map((stage) => ({ stage: stage.key, name: stage.name })), { stage: 'won', name: 'Won' }];
  return steps.map((step, index) => {
    const count = entered.get(step.stage) ?? 0;
    const next = steps[index + 1];
    return { ...step, entered: count, conversionToNext: next ? ratio(entered.get(next.stage) ?? 0, count) : null };
  });
}

/** Whole minor units ÷ count, half up; null for none. */
export function average(total: number, count: number): number | null {
  if (count === 0) return null;
  return Math.floor((2 * total + count) / (2 * count));
}

export interface KpiValues {
  revenueWon: StoredMoney;
  revenueUnconverted: Record<string, number>;
  dealsWon: number;
  dealsLost: number;
  winRate: number | null;
  averageWonDealSize: StoredMoney | null;
  salesCycleDays: number | null;
  dealsCreated: number;
  pipelineValue: StoredMoney;
  weightedPipeline: StoredMoney;
  pipelineUnconverted: Record<string, number>;
  pushRate: number | null;
  activities: Record<string, number>;
  activitiesTotal: number;
  newCustomers: number;
}

/** The headline KPIs of one aggregate (a scope in a period); open pipeline = deals expected to close in it. */
export function kpiValues(flow: Counters, rates: Rates): KpiValues {
  const base = rates.baseCurrency;
  const won = flow.won ?? 0;
  const lost = flow.lost ?? 0;
  const unconvertedWins = Object.values(named(flow, 'wonUnconverted')).reduce((sum, count) => sum + count, 0);
  const revenue = flow.revenueWon ?? 0;
  const open = openPipeline(flow, { stages: [], effectiveStage: (stage) => stage });
  const amount = convertAmounts(open.total.amount, rates);
  const weighted = convertAmounts(open.total.weighted, rates);
  const activities = named(flow, 'activities');
  const averageWon = average(revenue, won - unconvertedWins);
  return {
    revenueWon: { amount: revenue, currency: base },
    revenueUnconverted: named(flow, 'revenueUnconverted'),
    dealsWon: won,
    dealsLost: lost,
    winRate: ratio(won, won + lost),
    averageWonDealSize: averageWon === null ? null : { amount: averageWon, currency: base },
    salesCycleDays: median(named(flow, 'cycleDays')),
    dealsCreated: flow.created ?? 0,
    pipelineValue: { amount: amount.amount, currency: base },
    weightedPipeline: { amount: weighted.amount, currency: base },
    pipelineUnconverted: amount.unconverted,
    pushRate: ratio(flow.pushed ?? 0, flow.due ?? 0),
    activities,
    activitiesTotal: Object.values(activities).reduce((sum, count) => sum + count, 0),
    newCustomers: flow.newCustomers ?? 0,
  };
}
