/**
 * Pure rules of tasks: who may do what, and when the reminder job looks at a task again. No I/O.
 *
 * Reminders go in steps: `due_soon` (the assignee, `dueSoonHours` before the due time), `overdue` (the
 * assignee, at the due time), `escalate` (the assignee's manager, `escalateAfterHours` past the due time).
 * Each step happens once. A task scheduled late (created or moved close to or past its due time) starts at the
 * step its due time calls for, at once.
 */
import { ForbiddenError } from '../errors';
import { seesWholeTenant, type Actor } from '../shared/actor';

export type ReminderStep = 'due_soon' | 'overdue' | 'escalate';

/** The tenant's reminder windows (its settings' `taskReminders`). */
export interface ReminderPolicy {
  dueSoonHours: number;
  escalateAfterHours: number;
}

const HOUR = 3_600_000;

/** The first reminder of an open task due at `dueAt`, seen at `now`. */
export function firstReminder(dueAt: string, now: Date, policy: ReminderPolicy): { step: ReminderStep; at: string } {
  const due = Date.parse(dueAt);
  const soon = due - policy.dueSoonHours * HOUR;
  const escalate = due + policy.escalateAfterHours * HOUR;
  const at = (time: number) => new Date(Math.max(time, now.getTime())).toISOString();
  if (now.getTime() < due) return { step: 'due_soon', at: at(soon) };
  if (now.getTime() < escalate) return { step: 'overdue', at: at(due) };
  return { step: 'escalate', at: at(escalate) };
}

/** The step after `step` (none after the escalation). */
export function nextReminder(step: ReminderStep, dueAt: string, policy: ReminderPolicy): { step: ReminderStep; at: string } | undefined {
  const due = Date.parse(dueAt);
  if (step === 'due_soon') return { step: 'overdue', at: new Date(due).toISOString() };
  if (step === 'overdue') return { step: 'escalate', at: new Date(due + policy.escalateAfterHours * HOUR).toISOString() };
  return undefined;
}

/** Reps, finance and service assign tasks to themselves; managers and admins to anyone. */
export function assertMayAssign(actor: Actor, assignee: string): void {
  if (assignee === actor.userId || seesWholeTenant(actor)) return;
  throw new ForbiddenError('Only managers and admins assign tasks to others');
}

/** The assignee works their task; its creator may change it; managers and admins any. */
export function assertMayWork(actor: Actor, task: { assignee: string; createdBy: string }): void {
  if (seesWholeTenant(actor) || task.assignee === actor.userId || task.createdBy === actor.userId) return;
  throw new ForbiddenError('Only the assignee, the creator, a manager or an admin may change this task');
}

/** Overdue: open and past its due time. */
export function isOverdue(task: { status: string; dueAt: string }, now: Date): boolean {
  return task.status === 'open' && Date.parse(task.dueAt) < now.getTime();
}

/** The activity a completed task leaves in the communication history. */
export function activityTypeOf(taskType: string): 'call' | 'email' | 'meeting' | 'note' {
  return taskType === 'call' || taskType === 'email' || taskType === 'meeting' ? taskType : 'note';
}
