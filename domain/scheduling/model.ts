import { createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

export const TIMER_KINDS = ['task', 'deal', 'approval'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

/**
 * A timer: "at `dueAt`, look at this record again". The reminder job reads only timers that are due, through
 * `byDue` — so a run costs what is due, never what exists. A record has at most one timer per kind (its id is
 * `<kind>:<record id>`): scheduling again replaces it, and a record that needs nothing more deletes it.
 *
 * `byDue` is the one index whose partition key is not the tenant: the job is a system job across tenants, and
 * no request path reads it. It is spread over TIMER_SHARDS partitions by the timer id's hash.
 */
export const timerSchema = createSchema({
  model: { entity: 'timer', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    timerId: { type: 'string', required: true, readOnly: true },
    kind: { type: TIMER_KINDS, required: true, readOnly: true },
    subjectId: { type: 'string', required: true, readOnly: true },
    shard: { type: 'string', required: true, readOnly: true },
    dueAt: { type: 'string', required: true },
    /** What to do when due, e.g. a task's `due_soon` → `overdue` → `escalate`. */
    step: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'timerId'] },
      sk: { field: 'sk', composite: [] },
    },
    byDue: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['shard'] },
      sk: { field: 'gsi1sk', composite: ['dueAt', 'tenantId', 'timerId'] },
    },
  },
});
