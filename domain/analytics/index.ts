/** The analytics context's public module: the reporting calendar (periods), and later the KPI rollups and reports. */
export * from './periods';
