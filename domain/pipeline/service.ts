/** Use cases of the sales pipeline: its configuration and the opportunities that move through it. */
export * from './pipeline-config';
export * from './opportunities';
