/**
 * The reminder job's Lambda, invoked by an EventBridge Scheduler schedule (infra/constructs/scheduled-job.ts);
 * locally by the scheduler of `npm start` and by `npm run job -- reminders`. The work is domain/scheduling.
 */
import { runReminders, type ReminderRun } from '../../domain/reminders';
import type { Deps } from '../../domain/shared/ports';
import { logger, runtimeDeps } from '../shared/runtime';

export function createRemindersHandler(deps: () => Deps = runtimeDeps) {
  return async (): Promise<ReminderRun> => {
    const run = await runReminders(deps());
    logger.info('reminders run', { ...run });
    return run;
  };
}

export const handler = createRemindersHandler();
