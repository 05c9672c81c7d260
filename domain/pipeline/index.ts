/** The pipeline context's public module: the tenant's pipeline and the opportunities moving through it. */
export * from './pipeline-config';
export * from './pipeline-changes';
export * from './opportunities';
export * from './opportunity-changes';
export * from './stage-moves';
export * from './stage-history';
export * from './follow-ups';
export { effectiveStage, staleAfterDaysOf } from './rules';
export {
  FORECAST_CATEGORIES,
  OPEN_FORECAST_CATEGORIES,
  defaultForecastCategory,
  forecastCategoryOf,
  type CloseRate,
  type ForecastCategory,
  type ForecastFacts,
  type OpenForecastCategory,
  type PipelineDefinition,
} from './rules';
