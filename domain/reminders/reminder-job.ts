/**
 * The reminder job (EventBridge schedule on AWS, the local scheduler in `npm start`, `npm run job -- reminders`).
 * It reads only the timers that are due (domain/scheduling/timers.ts) and handles each in one transaction that
 * also moves the timer on, conditional on the timer's version: a second run — or a repeated delivery, or two
 * runs at once — finds nothing left to do, so no notification or task is ever made twice.
 *
 * - task: `due_soon` and `overdue` tell the assignee; `escalate` tells the assignee's manager (their rep
 *   profile's, else every manager).
 * - deal: an open opportunity without activity for its stage's `staleAfterDays` gets one follow-up task for its
 *   owner (none while an earlier one is still open); the timer then waits another period. Activity is looked up
 *   when the timer fires (the newest follow-up logged on the deal, or its last stage move): logging a call never
 *   has to touch the deal's timer, and a deal worked meanwhile is looked at again that many days after it.
 * - approval: approvers of a pending request are reminded before it times out.
 */
import { describeApprovers, readRequest } from '../approvals';
import { lastOpportunityActivityAt } from '../customers';
import { NotFoundError } from '../errors';
import { notificationItems, type Audience } from '../notifications';
import { getPipeline, readOpportunity, staleAfterDaysOf } from '../pipeline';
import { findRepProfile } from '../reps';
import { dueTimers, timerItem, type TimerItem } from '../scheduling';
import { getSettings } from '../settings';
import type { SettingsView } from '../settings/schemas';
import type { Actor } from '../shared/actor';
import { logChange, type ChangeLog } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { versionedWrite, type WriteSet } from '../shared/versioned-write';
import { nextReminder, systemTaskItem, type ReminderStep, type TaskItem } from '../tasks';

export interface ReminderRun {
  dueTimers: number;
  tasksDueSoon: number;
  tasksOverdue: number;
  tasksEscalated: number;
  staleDeals: number;
  approvalReminders: number;
  /** Timers whose record needed nothing (closed, already handled by a concurrent run). */
  skipped: number;
}

const JOB_USER = 'system:reminders';
const DAY = 86_400_000;

type Outcome = keyof Omit<ReminderRun, 'dueTimers'>;

export async function runReminders(deps: Deps, now = deps.clock.now()): Promise<ReminderRun> {
  const run: ReminderRun = { dueTimers: 0, tasksDueSoon: 0, tasksOverdue: 0, tasksEscalated: 0, staleDeals: 0, approvalReminders: 0, skipped: 0 };
  // A tenant's reminder windows, read once per run however many of its tasks are due.
  const settings = new Map<string, Promise<SettingsView>>();
  const settingsOf = (tenantId: string) => {
    if (!settings.has(tenantId)) settings.set(tenantId, getSettings(deps, system(tenantId)));
    return settings.get(tenantId)!;
  };
  for (;;) {
    const timers = await dueTimers(deps, now);
    if (timers.length === 0) return run;
    run.dueTimers += timers.length;
    for (const timer of timers) run[await handle(deps, timer, now, settingsOf)] += 1;
  }
}

type SettingsOf = (tenantId: string) => Promise<SettingsView>;

async function handle(deps: Deps, timer: TimerItem, now: Date, settingsOf: SettingsOf): Promise<Outcome> {
  try {
    if (timer.kind === 'task') return await remindTask(deps, timer, now, settingsOf);
    if (timer.kind === 'deal') return await followUpStaleDeal(deps, timer, now);
    return await remindApprovers(deps, timer);
  } catch (error) {
    // The record is gone: so is the reason for the timer.
    if (error instanceof NotFoundError) {
      await finish(deps, timer);
      return 'skipped';
    }
    throw error;
  }
}


/**
 * Applies the timer's effects and moves it on (or deletes it) in one transaction, at the timer's version: false
 * if another run did it first (the timer moved), which is then nothing more to do.
 */
async function finish(deps: Deps, timer: TimerItem, effects?: (tx: WriteSet) => void, next?: { dueAt: string; step: string }): Promise<boolean> {
  // The first attempt trusts the timer as the due query returned it (its version condition guards the write);
  // only a stale one is read again, consistently, to see whether another run moved it on.
  let attempt = 0;
  return versionedWrite(deps, {}, {
    read: async () => (attempt++ === 0 ? timer : readTimer(deps, timer)),
    build: (current) => {
      // Moved on by another run, or scheduled anew by a change of its record (which writes it afresh): not ours.
      if (!current || current.version !== timer.version || current.dueAt !== timer.dueAt || current.step !== timer.step) return { result: false };
      return {
        result: true,
        write: (tx) => {
          tx.record(
            'timer',
            next
              ? tx.entities.timer
                  .put(timerItem(timer.tenantId, timer.kind, timer.subjectId, next.dueAt, next.step, timer.version + 1))
                  .where((attr, op) => `${op.eq(attr.version, timer.version)} AND ${op.eq(attr.dueAt, timer.dueAt)} AND ${op.eq(attr.step, timer.step)}`)
                  .commit()
              : tx.entities.timer
                  .delete({ tenantId: timer.tenantId, timerId: timer.timerId })
                  .where((attr, op) => `${op.eq(attr.version, timer.version)} AND ${op.eq(attr.dueAt, timer.dueAt)} AND ${op.eq(attr.step, timer.step)}`)
                  .commit(),
          );
          if (effects) effects(tx);
          else tx.unlogged('a timer moved on or removed: the record it looked at needed nothing');
        },
      };
    },
  });
}

async function readTimer(deps: Deps, timer: TimerItem): Promise<TimerItem | null> {
  const { data } = await deps.db.entities.timer.get({ tenantId: timer.tenantId, timerId: timer.timerId }).go({ consistent: true });
  return data;
}

/** What a handled timer leaves: the notifications it sent and the change log of what it did. */
const effectsOf = (notifications: Parameters<WriteSet['notify']>[0], log: ChangeLog, more?: (tx: WriteSet) => void) => (tx: WriteSet) => {
  more?.(tx);
  tx.notify(notifications).log(log);
};

const system = (tenantId: string): Actor => ({ tenantId, userId: JOB_USER, roles: [] });

// ---- tasks -----------------------------------------------------------------------------------------

async function remindTask(deps: Deps, timer: TimerItem, now: Date, settingsOf: SettingsOf): Promise<Outcome> {
  const actor = system(timer.tenantId);
  const { data: task } = await deps.db.entities.task.get({ tenantId: timer.tenantId, taskId: timer.subjectId }).go({ consistent: true });
  if (!task || task.status !== 'open') {
    await finish(deps, timer);
    return 'skipped';
  }
  const step = timer.step as ReminderStep;
  const settings = await settingsOf(timer.tenantId);
  const audience: Audience = step === 'escalate' ? await managerOf(deps, timer.tenantId, task.assignee) : { users: [task.assignee] };
  const at = now.toISOString();
  const hoursLate = Math.max(0, Math.round((now.getTime() - Date.parse(task.dueAt)) / 3_600_000));
  const title =
    step === 'due_soon'
      ? `Due soon: ${task.title} (due ${task.dueAt})`
      : step === 'overdue'
        ? `Overdue: ${task.title} (was due ${task.dueAt})`
        : `Escalated: ${task.assignee}'s task "${task.title}" is ${hoursLate} h overdue`;
  const type = step === 'due_soon' ? 'task.due_soon' : step === 'overdue' ? 'task.overdue' : 'task.escalated';
  const data = { taskId: task.taskId, assignee: task.assignee, dueAt: task.dueAt, step };
  const notifications = notificationItems(deps, timer.tenantId, at, audience, { type, title, subject: { type: 'task', id: task.taskId }, data });
  const log = logChange(deps, actor, at, { entityType: 'task', entityId: task.taskId, action: type, changes: {}, events: [{ type, data }] });
  const next = nextReminder(step, task.dueAt, settings.taskReminders);
  const done = await finish(deps, timer, effectsOf(notifications, log), next && { dueAt: next.at, step: next.step });
  if (!done) return 'skipped';
  return step === 'due_soon' ? 'tasksDueSoon' : step === 'overdue' ? 'tasksOverdue' : 'tasksEscalated';
}

/** Who hears of an escalation: the assignee's manager from their rep profile, else every manager. */
async function managerOf(deps: Deps, tenantId: string, userId: string): Promise<Audience> {
  const profile = await findRepProfile(deps, tenantId, userId);
  return profile?.manager ? { users: [profile.manager] } : { role: 'manager' };
}

// ---- stale deals -----------------------------------------------------------------------------------

async function followUpStaleDeal(deps: Deps, timer: TimerItem, now: Date): Promise<Outcome> {
  const actor = system(timer.tenantId);
  const opportunity = await readOpportunity(deps, actor, timer.subjectId);
  if (opportunity.status !== 'open') {
    await finish(deps, timer);
    return 'skipped';
  }
  const pipeline = await getPipeline(deps, actor);
  const days = staleAfterDaysOf(pipeline, opportunity.stage);
  const lastActivity = await lastOpportunityActivityAt(deps, timer.tenantId, opportunity.opportunityId);
  const lastTouch = Math.max(Date.parse(opportunity.stageEnteredAt), lastActivity === undefined ? 0 : Date.parse(lastActivity));
  if (now.getTime() - lastTouch < days * DAY) {
    // Worked meanwhile: looked at again when it has been quiet for its days since that activity.
    await finish(deps, timer, undefined, { dueAt: new Date(lastTouch + days * DAY).toISOString(), step: 'stale' });
    return 'skipped';
  }
  const again = { dueAt: new Date(now.getTime() + days * DAY).toISOString(), step: 'stale' };
  const { data: open } = await deps.db.entities.task.query
    .byLink({ tenantId: timer.tenantId, linkedType: 'opportunity', linkedId: opportunity.opportunityId })
    .where((attr, op) => `${op.eq(attr.status, 'open')} AND ${op.eq(attr.origin, 'stale_deal')}`)
    .go({ pages: 'all' });
  if (open.length > 0) {
    await finish(deps, timer, undefined, again);
    return 'skipped';
  }
  const task: TaskItem = systemTaskItem(deps, timer.tenantId, {
    title: `Follow up: "${opportunity.name}" has had no activity for ${days} days`,
    type: 'follow-up',
    dueAt: new Date(now.getTime() + DAY).toISOString(),
    assignee: opportunity.owner,
    linkedType: 'opportunity',
    linkedId: opportunity.opportunityId,
    origin: 'stale_deal',
    notes: `Stage ${opportunity.stage}; no follow-up on it since ${new Date(lastTouch).toISOString().slice(0, 10)}.`,
  });
  const at = now.toISOString();
  const data = { taskId: task.taskId, opportunityId: opportunity.opportunityId, owner: opportunity.owner, stage: opportunity.stage, staleAfterDays: days };
  const notifications = notificationItems(deps, timer.tenantId, at, { users: [opportunity.owner] }, {
    type: 'deal.stale',
    title: task.title,
    subject: { type: 'task', id: task.taskId },
    data,
  });
  const log = logChange(deps, actor, at, {
    entityType: 'task',
    entityId: task.taskId,
    parentId: opportunity.opportunityId,
    action: 'create',
    changes: { origin: { to: 'stale_deal' }, assignee: { to: task.assignee } },
    events: [{ type: 'deal.stale', data }],
  });
  const done = await finish(deps, timer, effectsOf(notifications, log, (tx) => tx.put('task', tx.entities.task.create(task).commit())), again);
  return done ? 'staleDeals' : 'skipped';
}

// ---- approvals -------------------------------------------------------------------------------------

async function remindApprovers(deps: Deps, timer: TimerItem): Promise<Outcome> {
  const request = await readRequest(deps, timer.tenantId, timer.subjectId);
  if (request.status !== 'pending') {
    await finish(deps, timer);
    return 'skipped';
  }
  const approvers = { role: request.approverRole, users: request.approverUsers };
  const at = deps.clock.now().toISOString();
  const notifications = notificationItems(deps, timer.tenantId, at, approvers, {
    type: 'approval.reminder',
    title: `Reminder: approve contract "${request.contractTitle}" (${request.levelName}) before ${request.dueAt}`,
    subject: { type: 'approvalRequest', id: request.requestId },
    data: { requestId: request.requestId, contractId: request.contractId, dueAt: request.dueAt, approvers: describeApprovers(approvers) },
  });
  const log = logChange(deps, system(timer.tenantId), at, {
    entityType: 'approvalRequest',
    entityId: request.requestId,
    parentId: request.contractId,
    action: 'remind',
    changes: {},
    events: [{ type: 'approval.reminder', data: { requestId: request.requestId, contractId: request.contractId, dueAt: request.dueAt } }],
  });
  const done = await finish(deps, timer, effectsOf(notifications, log));
  return done ? 'approvalReminders' : 'skipped';
}
