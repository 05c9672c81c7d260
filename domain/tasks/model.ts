import { createSchema } from 'electrodb';
import { RECORD_STAMPS } from '../shared/record-attributes';
import { SERVICE_NAME } from '../table';

export const TASK_TYPES = ['call', 'email', 'meeting', 'follow-up', 'other'] as const;
export const TASK_PRIORITIES = ['low', 'normal', 'high'] as const;
export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export const LINK_TYPES = ['customer', 'opportunity', 'contract', 'ticket'] as const;
/** `linkedType`/`linkedId` of a task linked to nothing: keeps the link index total without a conditional index. */
export const UNLINKED = 'none';

/**
 * A task for one assignee. Lists go by assignee + status, by status, or by linked record, each sorted by due
 * time (so "overdue first" is the natural order of open tasks). Reminders are timers (domain/scheduling).
 */
export const taskSchema = createSchema({
  model: { entity: 'task', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    taskId: { type: 'string', required: true, readOnly: true },
    title: { type: 'string', required: true },
    type: { type: TASK_TYPES, required: true },
    dueAt: { type: 'string', required: true },
    priority: { type: TASK_PRIORITIES, required: true },
    status: { type: TASK_STATUSES, required: true },
    assignee: { type: 'string', required: true },
    linkedType: { type: 'string', required: true },
    linkedId: { type: 'string', required: true },
    notes: { type: 'string' },
    /** Why the task exists when the system made it, e.g. `stale_deal`. */
    origin: { type: 'string' },
    completedAt: { type: 'string' },
    completedBy: { type: 'string' },
    outcome: { type: 'string' },
    /** The activity logged when it was completed, if any. */
    activityId: { type: 'string' },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'taskId'] },
      sk: { field: 'sk', composite: [] },
    },
    byAssignee: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'assignee', 'status'] },
      sk: { field: 'gsi1sk', composite: ['dueAt', 'taskId'] },
    },
    byStatus: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'status'] },
      sk: { field: 'gsi2sk', composite: ['dueAt', 'taskId'] },
    },
    byLink: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'linkedType', 'linkedId'] },
      sk: { field: 'gsi3sk', composite: ['dueAt', 'taskId'] },
    },
  },
});
