/** The reps context's public module. */
export * from './service';
