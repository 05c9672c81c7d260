/** The tasks context's public module. */
export * from './service';
export { nextReminder, type ReminderPolicy, type ReminderStep } from './rules';
