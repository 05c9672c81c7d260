/** The settings context's public module. */
export * from './service';
