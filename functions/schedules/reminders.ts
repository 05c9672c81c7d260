/**
 * The reminder job's Lambda, invoked by an EventBridge Scheduler schedule (infra/constructs/scheduled-job.ts);
 * locally by the scheduler of `npm start` and by `npm run job -- reminders`. The work is domain/reminders.
 *
 * Traced and counted like every background function (../shared/background-handler.ts): its DynamoDB calls are
 * X-Ray subsegments, and each run writes `ReminderTimersDue` (what it found to do). The reminders themselves
 * are counted once, by the outbox relay, from the events the run commits (`RemindersSent`).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { runReminders, type ReminderRun } from '../../domain/reminders';
import type { Deps } from '../../domain/shared/ports';
import { backgroundHandler } from '../shared/background-handler';
import { JOB_METRICS } from '../shared/metric-names';
import { metrics as processMetrics, MetricUnit } from '../shared/metrics';
import { logger, runtimeDeps } from '../shared/runtime';
import { tracedRuntimeDeps } from '../shared/tracer';

export function createRemindersHandler(deps: () => Deps = runtimeDeps, metrics?: Metrics) {
  return async (): Promise<ReminderRun> => {
    const run = await runReminders(deps());
    logger.info('reminders run', { ...run });
    metrics?.addMetric(JOB_METRICS.reminderTimersDue, MetricUnit.Count, run.dueTimers);
    return run;
  };
}

export const handler = backgroundHandler<void, ReminderRun>(createRemindersHandler(tracedRuntimeDeps, processMetrics));
