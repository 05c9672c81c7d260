/**
 * The reports as CSV tables (`?format=csv`, `Accept: text/csv`): one row per line of the report, a header row,
 * money as decimal amounts of its currency (1234.56) with the currency in its own column, ratios as decimals
 * (0.25). Written by csv-stringify (RFC 4180 quoting), never by hand.
 */
import { stringify } from 'csv-stringify/sync';
import { minorDigits, minorToDecimal } from './format';

type Money = { amount: number; currency: string };
type Cell = string | number | null | undefined;

const decimal = (value: Money | null | undefined): string => (value ? minorToDecimal(value.amount, minorDigits(value.currency)) : '');
const scopeCells = (scope: { kind: string; id: string | null }) => [scope.kind, scope.id ?? ''];

/** A report's table: the header and the rows, by report. */
export function reportCsv(kind: ReportKind, report: Record<string, unknown>): string {
  const [header, rows] = TABLES[kind](report as never);
  return stringify([header, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : cell)))], { bom: false });
}

export type ReportKind = 'pipeline' | 'funnel' | 'stage-durations' | 'forecast' | 'leaderboard' | 'kpis' | 'trend';

type Table<R> = (report: R) => [string[], Cell[][]];

interface Line {
  count: number;
  amount: Money;
  weightedAmount: Money;
}

const TABLES: Record<ReportKind, Table<never>> = {
  pipeline: ((report: { stages: Array<Line & { stage: string; name: string; forecastCategory: string }>; byCategory: Array<Line & { category: string }>; totals: Line; currency: string }) => [
    ['group', 'key', 'name', 'forecast_category', 'count', 'amount', 'weighted_amount', 'currency'],
    [
      ...report.stages.map((row) => ['stage', row.stage, row.name, row.forecastCategory, row.count, decimal(row.amount), decimal(row.weightedAmount), report.currency]),
      ...report.byCategory.map((row) => ['category', row.category, '', row.category, row.count, decimal(row.amount), decimal(row.weightedAmount), report.currency]),
      ['total', '', '', '', report.totals.count, decimal(report.totals.amount), decimal(report.totals.weightedAmount), report.currency],
    ],
  ]) as Table<never>,
  funnel: ((report: { stages: Array<{ stage: string; name: string; entered: number; conversionToNext: number | null }> }) => [
    ['stage', 'name', 'entered', 'conversion_to_next'],
    report.stages.map((row) => [row.stage, row.name, row.entered, row.conversionToNext]),
  ]) as Table<never>,
  'stage-durations': ((report: { stages: Array<{ stage: string; name: string; count: number; medianDays: number | null; p90Days: number | null; bottleneck: boolean }> }) => [
    ['stage', 'name', 'count', 'median_days', 'p90_days', 'bottleneck'],
    report.stages.map((row) => [row.stage, row.name, row.count, row.medianDays, row.p90Days, row.bottleneck ? 'yes' : 'no']),
  ]) as Table<never>,
  forecast: ((report: {
    currency: string;
    reps: Array<ForecastRow & { submission: { commit: Money; bestCase: Money } | null; adjustment: { commit: Money; bestCase: Money } | null }>;
    teams: ForecastRow[];
    tenant: ForecastRow | null;
  }) => {
    const cells = (row: ForecastRow) => [...scopeCells(row.scope), decimal(row.closedWon), decimal(row.commit), decimal(row.bestCase), decimal(row.pipeline), decimal(row.weighted), decimal(row.target), row.attainment];
    return [
      ['scope', 'id', 'closed_won', 'commit', 'best_case', 'pipeline', 'weighted', 'target', 'attainment', 'submitted_commit', 'submitted_best_case', 'adjusted_commit', 'adjusted_best_case', 'currency'],
      [
        ...report.reps.map((row) => [...cells(row), decimal(row.submission?.commit), decimal(row.submission?.bestCase), decimal(row.adjustment?.commit), decimal(row.adjustment?.bestCase), report.currency]),
        ...report.teams.map((row) => [...cells(row), '', '', '', '', report.currency]),
        ...(report.tenant ? [[...cells(report.tenant), '', '', '', '', report.currency]] : []),
      ],
    ];
  }) as Table<never>,
  leaderboard: ((report: { metric: string; items: Array<{ rank: number; userId: string; value: number | null }> }) => [
    ['rank', 'user_id', report.metric],
    report.items.map((row) => [row.rank, row.userId, row.value]),
  ]) as Table<never>,
  kpis: ((report: { currency: string; kpis: Array<{ metric: string; unit: string; value: number | null; previous: number | null; delta: number | null; target: number | null; attainment: number | null }> }) => [
    ['metric', 'unit', 'value', 'previous', 'delta', 'target', 'attainment', 'currency'],
    report.kpis.map((row) => {
      const money = (value: number | null) => (value === null ? null : row.unit === 'money' ? decimal({ amount: value, currency: report.currency }) : value);
      return [row.metric, row.unit, money(row.value), money(row.previous), money(row.delta), money(row.target), row.attainment, row.unit === 'money' ? report.currency : ''];
    }),
  ]) as Table<never>,
  trend: ((report: { metric: string; unit: string; currency: string; points: Array<{ period: string; day: string; value: number }> }) => [
    ['period', 'snapshot_day', report.metric, 'currency'],
    report.points.map((row) => [row.period, row.day, report.unit === 'money' ? decimal({ amount: row.value, currency: report.currency }) : row.value, report.unit === 'money' ? report.currency : '']),
  ]) as Table<never>,
};

interface ForecastRow {
  scope: { kind: string; id: string | null };
  closedWon: Money;
  commit: Money;
  bestCase: Money;
  pipeline: Money;
  weighted: Money;
  target: Money | null;
  attainment: number | null;
}
