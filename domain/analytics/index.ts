/** The analytics context's public module: the reporting calendar (periods), the weekly review document and its charts, and later the KPI rollups and reports. */
export * from './periods';
export { renderAttainmentChart, renderFunnelChart, type AttainmentChartRow, type ChartOptions, type FunnelChartStage } from './charts';
export * from './review-document';
