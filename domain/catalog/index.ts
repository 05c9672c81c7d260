/** The catalog context's public module. */
export * from './service';
