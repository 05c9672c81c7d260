import { createSchema, CustomAttributeType } from 'electrodb';
import type { StoredMoney } from '../shared/money';
import { SERVICE_NAME } from '../table';

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
      pk: { field: 'pk', composite: ['tenantId', 'periodId'] },
      sk: { field: 'sk', composite: ['userId', 'kind'] },
    },
  },
});
