/** The scheduling context's public module: timers, scheduled looks at records, and finding the due ones. */
export * from './timers';
