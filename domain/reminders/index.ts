/** The reminders context's public module: the reminder job (reads the others; read by nobody). */
export * from './reminder-job';
