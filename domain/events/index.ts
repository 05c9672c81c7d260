/** The events context's public module. */
export * from './service';
