/** The audit context's public module. */
export * from './service';
