/**
 * Use cases of tasks: create, list (by assignee, status, due range, linked record), change, cancel, complete
 * (optionally logging the activity in the customer's history, in the same transaction). Every write also puts
 * or removes the task's reminder timer in its transaction, so the reminder job never sees a stale schedule.
 */
import type { EntityItem } from 'electrodb';
import { readContract } from '../contracts';
import { activityWrites, readCustomer } from '../customers';
import type { SalesDb } from '../db';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { notificationItems } from '../notifications';
import { readOpportunity } from '../pipeline';
import { timerId, timerItem } from '../scheduling';
import { getSettings } from '../settings';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, createdFields, diffFields } from '../shared/records';
import { createWrite, versionedWrite, type WriteOptions, type WriteSet } from '../shared/versioned-write';
import { UNLINKED } from './model';
import { activityTypeOf, assertMayAssign, assertMayWork, firstReminder, isOverdue, type ReminderPolicy } from './rules';
import type { CompleteTaskInput, CreateTaskInput, ListTasksInput, TaskView, UpdateTaskInput } from './schemas';

export type TaskItem = EntityItem<SalesDb['entities']['task']>;
type Link = NonNullable<CreateTaskInput['linkedTo']>;

export async function createTask(deps: Deps, actor: Actor, input: CreateTaskInput): Promise<TaskView> {
  const assignee = input.assignee ?? actor.userId;
  assertMayAssign(actor, assignee);
  const [settings] = await Promise.all([getSettings(deps, actor), input.linkedTo && assertLinkExists(deps, actor, input.linkedTo)]);
  return createWrite(deps, () => {
    const now = deps.clock.now().toISOString();
    const task: TaskItem = {
      tenantId: actor.tenantId,
      taskId: deps.ids.next(),
      title: input.title,
      type: input.type ?? 'follow-up',
      dueAt: new Date(input.dueAt).toISOString(),
      priority: input.priority ?? 'normal',
      status: 'open',
      assignee,
      linkedType: input.linkedTo?.type ?? UNLINKED,
      linkedId: input.linkedTo?.id ?? UNLINKED,
      notes: input.notes,
      createdAt: now,
      createdBy: actor.userId,
      updatedAt: now,
      updatedBy: actor.userId,
      version: 1,
    };
    return { result: toTaskView(task, deps.clock.now()), write: (tx) => taskWrites(tx, deps, actor, undefined, task, 'create', 'task.created', settings.taskReminders) };
  });
}

/** A task the system makes (stale deals), as items for the caller's transaction. */
export function systemTaskItem(
  deps: Deps,
  tenantId: string,
  fields: Pick<TaskItem, 'title' | 'type' | 'dueAt' | 'assignee' | 'linkedType' | 'linkedId' | 'origin' | 'notes'>,
): TaskItem {
  const now = deps.clock.now().toISOString();
  return { tenantId, taskId: deps.ids.next(), priority: 'normal', status: 'open', createdAt: now, createdBy: 'system', updatedAt: now, updatedBy: 'system', version: 1, ...fields };
}

export async function getTask(deps: Deps, actor: Actor, taskId: string): Promise<TaskView> {
  return toTaskView(await readTask(deps, actor, taskId), deps.clock.now());
}

export async function listTasks(deps: Deps, actor: Actor, input: ListTasksInput): Promise<Page<TaskView>> {
  const { tenantId } = actor;
  const status = input.status ?? 'open';
  const { task } = deps.db.entities;
  const scope = [tenantId, 'tasks', status, input.assignee, input.linkedType, input.linkedId, input.dueAfter, input.dueBefore].join('|');
  const from = input.dueAfter ? new Date(input.dueAfter).toISOString() : undefined;
  const to = input.dueBefore ? new Date(input.dueBefore).toISOString() : undefined;
  const query = input.linkedType
    ? task.query.byLink({ tenantId, linkedType: input.linkedType, linkedId: input.linkedId! })
    : input.assignee
      ? task.query.byAssignee({ tenantId, assignee: input.assignee, status })
      : task.query.byStatus({ tenantId, status });
  const ranged = from && to ? query.between({ dueAt: from }, { dueAt: `${to}~` }) : from ? query.gte({ dueAt: from }) : to ? query.lte({ dueAt: `${to}~` }) : query;
  // Only the list of a linked record filters (by status, and assignee): the others are keyed by them.
  const filtered = ranged.where((attr, op) =>
    [input.linkedType ? op.eq(attr.status, status) : '', input.linkedType && input.assignee ? op.eq(attr.assignee, input.assignee) : '']
      .filter(Boolean)
      .join(' AND '),
  );
  const page = await readPage(deps, scope, input, filtered, { filtered: input.linkedType !== undefined });
  const now = deps.clock.now();
  return { ...page, items: page.items.map((item) => toTaskView(item, now)) };
}

/** The caller's tasks; open ones come overdue first (the index is sorted by due time). */
export async function myTasks(deps: Deps, actor: Actor, input: { status?: TaskItem['status']; limit?: number; cursor?: string }): Promise<Page<TaskView>> {
  return listTasks(deps, actor, { ...input, assignee: actor.userId });
}

export async function updateTask(deps: Deps, actor: Actor, taskId: string, patch: UpdateTaskInput, options: WriteOptions = {}): Promise<TaskView> {
  return versionedWrite(deps, options, {
    read: () => readTask(deps, actor, taskId),
    version: (current) => current.version,
    build: async (current) => {
      assertMayWork(actor, current);
      if (current.status !== 'open') throw new ConflictError(`The task is ${current.status}; only an open task changes`, { taskStatus: current.status });
      if (patch.assignee !== undefined && patch.assignee !== current.assignee) assertMayAssign(actor, patch.assignee);
      const [settings] = await Promise.all([getSettings(deps, actor), patch.linkedTo && assertLinkExists(deps, actor, patch.linkedTo)]);
      const next: TaskItem = compact({
        ...current,
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.type !== undefined && { type: patch.type }),
        ...(patch.dueAt !== undefined && { dueAt: new Date(patch.dueAt).toISOString() }),
        ...(patch.priority !== undefined && { priority: patch.priority }),
        ...(patch.assignee !== undefined && { assignee: patch.assignee }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.linkedTo !== undefined && { linkedType: patch.linkedTo?.type ?? UNLINKED, linkedId: patch.linkedTo?.id ?? UNLINKED }),
        notes: patch.notes === null ? undefined : (patch.notes ?? current.notes),
      });
      if (Object.keys(diffFields(current, next)).length === 0) return { result: toTaskView(current, deps.clock.now()) };
      const saved = { ...next, updatedAt: deps.clock.now().toISOString(), updatedBy: actor.userId, version: current.version + 1 };
      const cancelled = next.status === 'cancelled';
      return {
        result: toTaskView(saved, deps.clock.now()),
        write: (tx) => taskWrites(tx, deps, actor, current, saved, cancelled ? 'cancel' : 'update', cancelled ? 'task.cancelled' : 'task.updated', settings.taskReminders),
      };
    },
  });
}

/** Done, with an outcome; optionally logged in the linked customer's history in the same transaction. */
export async function completeTask(deps: Deps, actor: Actor, taskId: string, input: CompleteTaskInput, options: WriteOptions = {}): Promise<TaskView> {
  return versionedWrite(deps, options, {
    read: () => readTask(deps, actor, taskId),
    version: (current) => current.version,
    build: async (current) => {
      assertMayWork(actor, current);
      if (current.status !== 'open') throw new ConflictError(`The task is ${current.status}; only an open task is completed`, { taskStatus: current.status });
      const now = deps.clock.now().toISOString();
      const done: TaskItem = compact({
        ...current,
        status: 'done',
        completedAt: now,
        completedBy: actor.userId,
        outcome: input.outcome,
        updatedAt: now,
        updatedBy: actor.userId,
        version: current.version + 1,
      });
      if (!input.logActivity) {
        return { result: toTaskView(done, deps.clock.now()), write: (tx) => taskWrites(tx, deps, actor, current, done, 'complete', 'task.completed') };
      }
      const customerId = await customerOfLink(deps, actor, current);
      const activity = await activityWrites(deps, actor, customerId, {
        type: activityTypeOf(current.type),
        subject: current.title,
        ...(input.outcome !== undefined && { body: input.outcome }),
        ...(current.linkedType === 'opportunity' && { opportunityId: current.linkedId }),
      });
      const logged: TaskItem = { ...done, activityId: activity.activity.id };
      return {
        result: toTaskView(logged, deps.clock.now()),
        write: (tx) => {
          activity.write(tx);
          taskWrites(tx, deps, actor, current, logged, 'complete', 'task.completed');
        },
      };
    },
  });
}

async function customerOfLink(deps: Deps, actor: Actor, task: TaskItem): Promise<string> {
  if (task.linkedType === 'customer') return task.linkedId;
  if (task.linkedType === 'opportunity') return (await readOpportunity(deps, actor, task.linkedId)).customerId;
  throw new UnprocessableError('Only a task linked to a customer or an opportunity can log an activity', [
    { path: 'body.logActivity', message: `The task is linked to ${task.linkedType === UNLINKED ? 'nothing' : `a ${task.linkedType}`}` },
  ]);
}

/** The task (at the version read), its reminder timer, audit entry, event and (for someone else's new task) a notification. */
function taskWrites(
  tx: WriteSet,
  deps: Deps,
  actor: Actor,
  current: TaskItem | undefined,
  next: TaskItem,
  action: string,
  eventType: string,
  policy?: ReminderPolicy,
): void {
  const view = toTaskView(next, deps.clock.now());
  const log = logChange(deps, actor, next.updatedAt, {
    entityType: 'task',
    entityId: next.taskId,
    parentId: next.linkedType === UNLINKED ? undefined : next.linkedId,
    action,
    changes: current ? diffFields(current, next) : createdFields(view, ['overdue']),
    events: [{ type: eventType, data: { taskId: next.taskId, assignee: next.assignee, dueAt: next.dueAt, status: next.status } }],
  });
  const newlyAssigned = next.assignee !== actor.userId && next.status === 'open' && current?.assignee !== next.assignee;
  const notifications = newlyAssigned
    ? notificationItems(deps, next.tenantId, next.updatedAt, { users: [next.assignee] }, {
        type: 'task.assigned',
        title: `New task: ${next.title} (due ${next.dueAt})`,
        subject: { type: 'task', id: next.taskId },
        data: { assignedBy: actor.userId, priority: next.priority },
      })
    : [];
  if (current) {
    tx.record(
      'task',
      tx.entities.task
        .put(next)
        .where((attr, op) => op.eq(attr.version, current.version))
        .commit(),
    );
  } else {
    tx.put('task', tx.entities.task.create(next).commit());
  }
  reminderWrite(tx, deps, next, policy);
  tx.notify(notifications).log(log);
}

/** An open task gets its first reminder (re)scheduled; a closed one loses its timer. */
function reminderWrite(tx: WriteSet, deps: Deps, task: TaskItem, policy: ReminderPolicy | undefined): void {
  if (task.status !== 'open' || !policy) {
    tx.put('timer', tx.entities.timer.delete({ tenantId: task.tenantId, timerId: timerId('task', task.taskId) }).commit());
    return;
  }
  const first = firstReminder(task.dueAt, deps.clock.now(), policy);
  tx.put('timer', tx.entities.timer.put(timerItem(task.tenantId, 'task', task.taskId, first.at, first.step)).commit());
}

async function assertLinkExists(deps: Deps, actor: Actor, link: Link): Promise<void> {
  try {
    if (link.type === 'customer') await readCustomer(deps, actor, link.id);
    else if (link.type === 'opportunity') await readOpportunity(deps, actor, link.id);
    else if (link.type === 'contract') await readContract(deps, actor, link.id);
    else throw new NotFoundError('There are no tickets yet');
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new UnprocessableError('The task links to a record that does not exist', [{ path: 'body.linkedTo.id', message: `No ${link.type} ${link.id}` }]);
    }
    throw error;
  }
}

async function readTask(deps: Deps, actor: Actor, taskId: string): Promise<TaskItem> {
  const { data } = await deps.db.entities.task.get({ tenantId: actor.tenantId, taskId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Task ${taskId} not found`);
  return data;
}

export function toTaskView(item: TaskItem, now: Date): TaskView {
  return compact({
    id: item.taskId,
    title: item.title,
    type: item.type,
    dueAt: item.dueAt,
    priority: item.priority,
    status: item.status,
    assignee: item.assignee,
    linkedTo: item.linkedType === UNLINKED ? undefined : { type: item.linkedType as NonNullable<TaskView['linkedTo']>['type'], id: item.linkedId },
    notes: item.notes,
    origin: item.origin,
    overdue: isOverdue(item, now),
    completedAt: item.completedAt,
    completedBy: item.completedBy,
    outcome: item.outcome,
    activityId: item.activityId,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}
