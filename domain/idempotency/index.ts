/** The idempotency context's public module. */
export * from './service';
