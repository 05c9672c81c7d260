import { createSchema, CustomAttributeType } from 'electrodb';
import type { StoredMoney } from '../shared/money';
import { SERVICE_NAME, TTL_ATTRIBUTE } from '../table';

export const TARGET_SCOPES = ['rep', 'team', 'tenant'] as const;
export const TARGET_METRICS = ['revenue_won', 'deals_won', 'activities', 'new_customers'] as const;
export const FORECAST_CALL_KINDS = ['submission', 'adjustment'] as const;

/**
 * One target of a period: for a rep, a team or the tenant, on one metric. `value` is minor units of `currency`
 * (the base currency when it was set) for revenue_won, a count otherwise. A period's targets share a partition,
 * so reading them is one Query.
 */
export const targetSchema = createSchema({
  model: { entity: 'target', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    periodId: { type: 'string', required: true, readOnly: true },
    scope: { type: TARGET_SCOPES, required: true, readOnly: true },
    /** The rep's user id, the team id, or the tenant id. */
    scopeId: { type: 'string', required: true, readOnly: true },
    metric: { type: TARGET_METRICS, required: true, readOnly: true },
    value: { type: 'number', required: true },
    /** revenue_won only. */
    currency: { type: 'string' },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
  },
  indexes: {
    byPeriod: {
      // With forecastCall (and target): a period's plan, targets and calls, is one query (collection periodPlan).
      collection: 'periodPlan',
      pk: { field: 'pk', composite: ['tenantId', 'periodId'] },
      sk: { field: 'sk', composite: ['scope', 'scopeId', 'metric'] },
    },
  },
});

/**
 * A forecast call of a period for one user: their own `submission`, or a manager's `adjustment` of it, each its
 * own item (an adjustment never overwrites the submission). A period's calls share a partition: one Query.
 */
export const forecastCallSchema = createSchema({
  model: { entity: 'forecastCall', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    periodId: { type: 'string', required: true, readOnly: true },
    /** Whose call it is (the rep's user id). */
    userId: { type: 'string', required: true, readOnly: true },
    kind: { type: FORECAST_CALL_KINDS, required: true, readOnly: true },
    commit: { type: CustomAttributeType<StoredMoney>('any'), required: true },
    bestCase: { type: CustomAttributeType<StoredMoney>('any'), required: true },
    note: { type: 'string' },
    /** When and by whom it was last submitted (kind submission) or adjusted (kind adjustment). */
    at: { type: 'string', required: true },
    by: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byPeriod: {
      // With forecastCall (and target): a period's plan, targets and calls, is one query (collection periodPlan).
      collection: 'periodPlan',
      pk: { field: 'pk', composite: ['tenantId', 'periodId'] },
      sk: { field: 'sk', composite: ['userId', 'kind'] },
    },
  },
});

/** Counter name → integer (./counters.ts); an aggregate key → counters. */
type Counters = Record<string, number>;
type Contribution = Record<string, Counters>;

/**
 * A tenant's KPI rollup state, and the registry of tenants the rollup serves (gsi1, one shard). The outbox relay
 * adds the number of events it relayed to `feedChanges` (an ADD: never fails, never conflicts); a run that saw
 * `feedChanges` = `changesSeen` has nothing to do and reads nothing more of that tenant. `watermark` is the id of
 * the last feed event the rollup went through.
 */
export const kpiTenantSchema = createSchema({
  model: { entity: 'kpiTenant', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    shard: { type: 'string', required: true, readOnly: true },
    feedChanges: { type: 'number' },
    changesSeen: { type: 'number' },
    watermark: { type: 'string' },
    /** The last local day whose closing pipeline snapshot was taken. */
    snapshotDay: { type: 'string' },
    /** The last ISO week whose weekly reviews were made for every team (./reviews.ts). */
    reviewWeek: { type: 'string' },
    /** A recompute holds the tenant until then; scheduled runs leave it alone meanwhile. */
    heldUntil: { type: 'string' },
    rolledUpAt: { type: 'string' },
    version: { type: 'number' },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: [] },
    },
    registry: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['shard'] },
      sk: { field: 'gsi1sk', composite: ['tenantId'] },
    },
  },
});

/**
 * One KPI aggregate: the counters of a scope (tenant, rep, team) in a period (or `open`) and family (./aggregate-
 * keys.ts). By scope, a period range is one query (day aggregates of a month); by period (gsi1), every scope of
 * a period is one query (the leaderboard, the forecast).
 */
export const kpiAggregateSchema = createSchema({
  model: { entity: 'kpiAggregate', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    scope: { type: 'string', required: true, readOnly: true },
    family: { type: 'string', required: true, readOnly: true },
    kind: { type: 'string', required: true, readOnly: true },
    period: { type: 'string', required: true, readOnly: true },
    counters: { type: CustomAttributeType<Counters>('any'), required: true },
    updatedAt: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byScope: {
      pk: { field: 'pk', composite: ['tenantId', 'scope'] },
      sk: { field: 'sk', composite: ['family', 'kind', 'period'] },
    },
    byPeriod: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'period'] },
      sk: { field: 'gsi1sk', composite: ['family', 'scope'] },
    },
  },
});

/**
 * What one record (an opportunity, activity or customer: the subject) has added to the aggregates, per aggregate
 * key. The rollup applies the difference to its new contribution; by user (gsi1), the subjects a rep's figures
 * come from, so a team change moves them.
 */
export const kpiContributionSchema = createSchema({
  model: { entity: 'kpiContribution', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    subject: { type: 'string', required: true, readOnly: true },
    user: { type: 'string', required: true },
    contribution: { type: CustomAttributeType<Contribution>('any'), required: true },
    updatedAt: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    bySubject: {
      pk: { field: 'pk', composite: ['tenantId', 'subject'] },
      sk: { field: 'sk', composite: [] },
    },
    byUser: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'user'] },
      sk: { field: 'gsi1sk', composite: ['subject'] },
    },
  },
});

/**
 * The open pipeline at the end of a local day, per scope (the `open` flow counters of every scope): trends are a
 * read of these, never a reconstruction. Kept two years and a month (TTL).
 */
export const pipelineSnapshotSchema = createSchema({
  model: { entity: 'pipelineSnapshot', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    day: { type: 'string', required: true, readOnly: true },
    scopes: { type: CustomAttributeType<Record<string, Counters>>('any'), required: true },
    takenAt: { type: 'string', required: true },
    expiresAt: { type: 'number', required: true, field: TTL_ATTRIBUTE },
  },
  indexes: {
    byDay: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: ['day'] },
    },
  },
});

/**
 * A team's weekly review (./reviews.ts): one per tenant × team × ISO week, made by the KPI rollup job once the
 * tenant's local Monday 07:00 has passed, by a conditional create (a repeated or overlapping run makes it once).
 * It keeps the document input it was made from, so it is a point-in-time record: later changes to deals, tasks
 * or targets never rewrite it. A team's reviews share a partition sorted by week (`2027-W11` ids sort in time
 * order), so "a team's reviews, newest first" is one Query; by id (gsi1) for `GET /reviews/{id}`.
 */
export const reviewSchema = createSchema({
  model: { entity: 'review', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    teamId: { type: 'string', required: true, readOnly: true },
    week: { type: 'string', required: true, readOnly: true },
    reviewId: { type: 'string', required: true, readOnly: true },
    /** The ReviewDocumentInput (./review-document.ts) it was made from, as made. */
    document: { type: CustomAttributeType<Record<string, unknown>>('any'), required: true, readOnly: true },
    /** How many stuck deals and overdue tasks there were (the document lists at most MAX_REVIEW_ROWS of each). */
    stuckDealsTotal: { type: 'number', required: true, readOnly: true },
    overdueTasksTotal: { type: 'number', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byTeam: {
      pk: { field: 'pk', composite: ['tenantId', 'teamId'] },
      sk: { field: 'sk', composite: ['week'] },
    },
    byId: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'reviewId'] },
      sk: { field: 'gsi1sk', composite: [] },
    },
  },
});
