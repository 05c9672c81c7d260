/** The analytics context's public module: the reporting calendar, the KPI rollup and recompute, and reports. */
export * from './periods';
export { runKpiRollup, rollUpTenant, type RollupRun, type TenantRollup } from './rollup';
export { recomputePeriod, type RecomputeRun } from './recompute';
