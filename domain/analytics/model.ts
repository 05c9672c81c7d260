import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME, TTL_ATTRIBUTE } from '../table';

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
