import * as z from 'zod';
import { Id, PageQuery, ShortText, Timestamp, UserId, pageOf } from '../shared/schemas';
import { LINK_TYPES, TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES } from './model';

export const TaskType = z.enum(TASK_TYPES);
export const TaskPriority = z.enum(TASK_PRIORITIES);
export const TaskStatus = z.enum(TASK_STATUSES);
export const LinkedTo = z.strictObject({ type: z.enum(LINK_TYPES), id: Id }).meta({ id: 'TaskLink' });

export const CreateTaskBody = z
  .strictObject({
    title: ShortText(200),
    type: TaskType.optional().meta({ description: 'Default `follow-up`' }),
    dueAt: Timestamp,
    priority: TaskPriority.optional().meta({ description: 'Default `normal`' }),
    assignee: UserId.optional().meta({ description: 'Default: the caller. Only managers and admins assign to others' }),
    linkedTo: LinkedTo.optional(),
    notes: z.string().trim().max(20_000).optional(),
  })
  .meta({ id: 'CreateTask' });

export const UpdateTaskBody = z
  .strictObject({
    title: ShortText(200).optional(),
    type: TaskType.optional(),
    dueAt: Timestamp.optional(),
    priority: TaskPriority.optional(),
    assignee: UserId.optional().meta({ description: 'Managers and admins reassign' }),
    linkedTo: LinkedTo.nullable().optional(),
    notes: z.string().trim().max(20_000).nullable().optional(),
    status: z.literal('cancelled').optional().meta({ description: 'Cancel an open task (complete it with POST /tasks/{id}/complete)' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateTask' });

export const CompleteTaskBody = z
  .strictObject({
    outcome: z.string().trim().min(1).max(20_000).optional().meta({ description: 'What came of it' }),
    logActivity: z
      .boolean()
      .optional()
      .meta({ description: "Also log it in the linked customer's (and opportunity's) communication history; needs a customer or opportunity link" }),
  })
  .meta({ id: 'CompleteTask' });

export const Task = z
  .object({
    id: z.string(),
    title: z.string(),
    type: TaskType,
    dueAt: z.string(),
    priority: TaskPriority,
    status: TaskStatus,
    assignee: z.string(),
    linkedTo: LinkedTo.optional(),
    notes: z.string().optional(),
    origin: z.string().optional().meta({ description: 'Set when the system made the task, e.g. `stale_deal`' }),
    overdue: z.boolean().meta({ description: 'Open and past its due time' }),
    completedAt: z.string().optional(),
    completedBy: z.string().optional(),
    outcome: z.string().optional(),
    activityId: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Task' });

export const TaskPage = pageOf(Task, 'TaskPage');
export const TaskIdParams = z.strictObject({ id: Id });

export const ListTasksQuery = z
  .strictObject({
    ...PageQuery,
    assignee: UserId.optional(),
    status: TaskStatus.optional().meta({ description: 'Default `open`' }),
    dueBefore: Timestamp.optional(),
    dueAfter: Timestamp.optional(),
    linkedType: z.enum(LINK_TYPES).optional(),
    linkedId: Id.optional(),
  })
  .refine((query) => (query.linkedType === undefined) === (query.linkedId === undefined), {
    message: 'Give linkedType and linkedId together',
    path: ['linkedId'],
  })
  .refine((query) => query.dueAfter === undefined || query.dueBefore === undefined || Date.parse(query.dueAfter) <= Date.parse(query.dueBefore), {
    message: 'Must not be after dueBefore',
    path: ['dueAfter'],
  });

export const MyTasksQuery = z.strictObject({
  ...PageQuery,
  status: TaskStatus.optional().meta({ description: 'Default `open`: overdue first, then by due time' }),
});

export type CreateTaskInput = z.infer<typeof CreateTaskBody>;
export type UpdateTaskInput = z.infer<typeof UpdateTaskBody>;
export type CompleteTaskInput = z.infer<typeof CompleteTaskBody>;
export type TaskView = z.infer<typeof Task>;
export type ListTasksInput = z.infer<typeof ListTasksQuery>;
