/**
 * Scheduled jobs at both tenant sizes with the same amount of changed data: the reminder job after `changes`
 * tasks fell due in the small tenant, then the same in the large one, then twice as many in the large one. Its
 * time and DynamoDB requests must follow the changes (the due timers), not the tenant's size.
 */
import { createTask } from '../domain/tasks';
import { runReminders } from '../domain/reminders';
import type { Deps } from '../domain/shared/ports';
import { actor } from '../test/support/actors';
import type { Recorder } from './lib/dynamo-recorder';
import { OWNERS } from './seed';

export interface JobRow {
  job: string;
  tenant: 'small' | 'large';
  /** Records that changed since the last run (here: tasks that fell due). */
  changes: number;
  ms: number;
  requests: number;
  /** Due timers the run handled. */
  handled: number;
}

export async function measureJobs(options: {
  deps: Deps;
  recorder: Recorder;
  tenants: { small: string; large: string };
  changes: number;
  log: (line: string) => void;
}): Promise<JobRow[]> {
  const { deps, recorder } = options;
  const rows: JobRow[] = [];
  const measure = async (size: 'small' | 'large', changes: number) => {
    await runReminders(deps); // whatever was due before: not this measurement's work
    const manager = actor(options.tenants[size], 'alice', 'manager');
    const dueAt = new Date(deps.clock.now().getTime() - 3_600_000).toISOString();
    for (let index = 0; index < changes; index += 1) {
      await createTask(deps, manager, { title: `Call back ${index}`, dueAt, assignee: OWNERS[index % OWNERS.length] });
    }
    recorder.reset();
    const start = performance.now();
    const run = await runReminders(deps);
    const row: JobRow = { job: 'reminders', tenant: size, changes, ms: performance.now() - start, requests: recorder.calls.length, handled: run.dueTimers };
    rows.push(row);
    options.log(`  reminders · ${size} tenant · ${changes} tasks fell due: ${row.ms.toFixed(0)} ms, ${row.requests} requests, ${row.handled} timers`);
  };
  await measure('small', 0);
  await measure('large', 0);
  await measure('small', options.changes);
  await measure('large', options.changes);
  await measure('large', options.changes * 2);
  return rows;
}
