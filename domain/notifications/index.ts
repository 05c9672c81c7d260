/** The notifications context's public module. */
export * from './service';
