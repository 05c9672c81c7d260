/**
 * The CloudWatch metrics Salesflow writes (Powertools Metrics, as Embedded Metric Format log lines: no
 * PutMetricData call, no permission), by name: the functions that emit them and the CDK dashboard
 * (infra/constructs/operations-dashboard.ts) read this one list. No Powertools import here, so the CDK app can
 * read it without loading the runtime.
 *
 * Every metric is in the `Salesflow` namespace with the dimensions `service` and `stage` (the cold-start count
 * also `function_name`). Never a tenant id, user id or record id as a dimension: each distinct combination of
 * dimension values is a metric of its own (billed per metric and month, and invisible to a dashboard that does
 * not name it), so a tenant dimension would multiply the cost by the number of tenants and still show no total.
 * Per-tenant figures are the reports' business (KPI rollups over the change feed), not CloudWatch's.
 */

export const METRICS_NAMESPACE = 'Salesflow';

/** POWERTOOLS_SERVICE_NAME of every function: the `service` dimension of every metric. */
export const SERVICE_NAME = 'salesflow';

/** Business events, counted by the outbox relay from the domain events it publishes (once per event). */
export const BUSINESS_METRICS = {
  opportunitiesWon: 'OpportunitiesWon',
  opportunitiesLost: 'OpportunitiesLost',
  contractsSubmitted: 'ContractsSubmitted',
  contractsApproved: 'ContractsApproved',
  /** Rejected by an approver. */
  contractsRejected: 'ContractsRejected',
  /** Rejected because nobody decided in time, escalation included (`approval_timed_out`). */
  contractsTimedOut: 'ContractsTimedOut',
  /** Rejected because the approval could not run (`approval_failed`: the workflow's last resort). */
  contractApprovalsFailed: 'ContractApprovalsFailed',
  /** Task due-soon, overdue and escalation reminders, and approvers' reminders. */
  remindersSent: 'RemindersSent',
  /** Follow-up tasks made for deals without activity. */
  staleDealFollowUps: 'StaleDealFollowUps',
} as const;

/** The outbox relay's own work. */
export const RELAY_METRICS = {
  /** Domain events delivered to the bus for good (not to be retried). */
  eventsRelayed: 'EventsRelayed',
  /** Stream records handed back to the event source mapping for a retry (the bus did not take them). */
  recordsRetried: 'OutboxRecordsRetried',
} as const;

/** The reminder job's work. */
export const JOB_METRICS = {
  /** Due timers a reminder run found (its work; the reminders themselves are counted by the relay). */
  reminderTimersDue: 'ReminderTimersDue',
  /** Feed events a KPI rollup run went through (its work: cost follows this, not the data). */
  kpiEventsRolledUp: 'KpiEventsRolledUp',
} as const;

/** Powertools' cold-start count (`captureColdStartMetric`), with the dimension `function_name`. */
export const COLD_START_METRIC = 'ColdStart';
