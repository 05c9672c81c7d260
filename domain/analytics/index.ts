/**
 * The analytics context's public module: the reporting calendar (periods), targets and forecast calls, the KPI
 * rollup and recompute, the reports, and the weekly review document with its charts.
 */
export * from './periods';
export { getTargets, putTargets, targetsOf } from './targets';
export { adjustForecast, forecastCallsOf, getForecastCalls, submitForecast, type ForecastCall } from './forecasts';
export { MAX_TARGETS_PER_REQUEST, type TargetMetric, type TargetScope } from './plan-rules';
export { runKpiRollup, rollUpTenant, type RollupRun, type TenantRollup } from './rollup';
export { recomputePeriod, type RecomputeRun } from './recompute';
export { renderAttainmentChart, renderFunnelChart, type AttainmentChartRow, type ChartOptions, type FunnelChartStage } from './charts';
export * from './review-document';
export { getReview, getReviewDocument, listReviews, makeDueReviews, makeReview, makeWeeklyReviews } from './reviews';
export { MAX_REVIEW_ROWS, REVIEW_HOUR, reviewDue, type ReviewDue } from './review-rules';
export {
  forecastReport,
  funnelReport,
  kpiReport,
  leaderboardReport,
  pipelineReport,
  stageDurationsReport,
  trendReport,
  LEADERBOARD_METRICS,
  TREND_METRICS,
} from './reports';
export { reportCsv } from './report-csv';
