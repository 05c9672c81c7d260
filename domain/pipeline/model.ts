import { CustomAttributeType, createSchema } from 'electrodb';
import { RECORD_STAMPS } from '../shared/record-attributes';
import { SERVICE_NAME } from '../table';

export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
export const DECISION_FACTORS = ['budget', 'authority', 'need', 'timeline', 'criteria'] as const;
/** The forecast categories an open stage, or a deal's override, may name (`closed` is the won stage's alone). */
export const OPEN_FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'omitted'] as const;

/**
 * An opportunity's partition holds the opportunity, its stage changes and its close-date changes: the
 * `opportunityHistory` collection reads them in one query. The sort keys are written as templates that spell
 * exactly the keys ElectroDB made before the collection existed (`$opportunity_1`, `$stagechange_1#changeid_…`),
 * so stored items need no migration (an untemplated collection would prefix every sort key with its name).
 */
const HISTORY = 'opportunityHistory';

/**
 * A tenant's pipeline: its ordered open stages (won and lost are fixed terminal stages). Absent until an admin
 * first saves one: the default pipeline applies. Stages that were removed while in use stay in
 * `retiredStages`, mapped to the stage their opportunities moved to.
 */
export const pipelineSchema = createSchema({
  model: { entity: 'pipeline', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    stages: {
      type: 'list',
      required: true,
      items: {
        type: 'map',
        properties: {
          key: { type: 'string', required: true },
          name: { type: 'string', required: true },
          probability: { type: 'number', required: true },
          exitCriteria: { type: 'list', items: { type: 'string' }, required: true },
          staleAfterDays: { type: 'number' },
          /** Absent on stages saved before forecast categories: read as the default of the stage's key. */
          forecastCategory: { type: OPEN_FORECAST_CATEGORIES },
        },
      },
    },
    /** A removed stage that had opportunities → the stage they moved to. */
    retiredStages: { type: CustomAttributeType<Record<string, string>>('any') },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});

/**
 * An opportunity (deal). Its partition also holds its stage and close-date history. Lists go through gsi1–gsi4, each sorted
 * by expected close date, so a close-date range is a key condition on every list.
 */
export const opportunitySchema = createSchema({
  model: { entity: 'opportunity', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    opportunityId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    owner: { type: 'string', required: true },
    amount: {
      type: 'map',
      properties: { amount: { type: 'number', required: true }, currency: { type: 'string', required: true } },
    },
    expectedCloseDate: { type: 'string', required: true },
    stage: { type: 'string', required: true },
    status: { type: OPPORTUNITY_STATUSES, required: true },
    probability: { type: 'number', required: true },
    interestPoints: { type: 'list', items: { type: 'string' } },
    decisionFactors: {
      type: 'map',
      properties: {
        budget: { type: 'string' },
        authority: { type: 'string' },
        need: { type: 'string' },
        timeline: { type: 'string' },
        criteria: { type: 'string' },
      },
    },
    competitors: { type: 'list', items: { type: 'string' } },
    nextStep: { type: 'string' },
    nextStepDate: { type: 'string' },
    source: { type: 'string' },
    lostReason: { type: 'string' },
    closedAt: { type: 'string' },
    stageEnteredAt: { type: 'string', required: true },
    /** The owner's or a manager's call for this deal, instead of its stage's category (open deals only). */
    forecastCategoryOverride: { type: OPEN_FORECAST_CATEGORIES },
    /** Won or lost in a currency other than the base one: the rate in effect on the close date, kept. */
    closeRate: {
      type: 'map',
      properties: {
        currency: { type: 'string', required: true },
        rate: { type: 'string', required: true },
        effectiveFrom: { type: 'string', required: true },
      },
    },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      collection: HISTORY,
      pk: { field: 'pk', composite: ['tenantId', 'opportunityId'] },
      sk: { field: 'sk', composite: [], template: '$opportunity_1' },
    },
    byCloseDate: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['expectedCloseDate', 'opportunityId'] },
    },
    byOwner: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'owner'] },
      sk: { field: 'gsi2sk', composite: ['expectedCloseDate', 'opportunityId'] },
    },
    byStage: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'stage'] },
      sk: { field: 'gsi3sk', composite: ['expectedCloseDate', 'opportunityId'] },
    },
    byCustomer: {
      index: 'gsi4',
      pk: { field: 'gsi4pk', composite: ['tenantId', 'customerId'] },
      sk: { field: 'gsi4sk', composite: ['expectedCloseDate', 'opportunityId'] },
    },
  },
});

/** One stage move (or the opportunity's creation, `from` absent), in order of `changeId` (a ULID). */
export const stageChangeSchema = createSchema({
  model: { entity: 'stageChange', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    opportunityId: { type: 'string', required: true, readOnly: true },
    changeId: { type: 'string', required: true, readOnly: true },
    from: { type: 'string' },
    to: { type: 'string', required: true },
    actor: { type: 'string', required: true },
    at: { type: 'string', required: true },
    note: { type: 'string' },
    lostReason: { type: 'string' },
  },
  indexes: {
    byOpportunity: {
      collection: HISTORY,
      pk: { field: 'pk', composite: ['tenantId', 'opportunityId'] },
      sk: { field: 'sk', composite: ['changeId'], template: '$stagechange_1#changeid_${changeId}', casing: 'lower' },
    },
  },
});

/**
 * One change of the expected close date (or its first value, at creation: `from` absent), in order of
 * `changeId` (a ULID), written in the same transaction as the change. Push rate and close-date slippage read it.
 */
export const closeDateChangeSchema = createSchema({
  model: { entity: 'closeDateChange', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    opportunityId: { type: 'string', required: true, readOnly: true },
    changeId: { type: 'string', required: true, readOnly: true },
    from: { type: 'string' },
    to: { type: 'string', required: true },
    actor: { type: 'string', required: true },
    at: { type: 'string', required: true },
  },
  indexes: {
    byOpportunity: {
      collection: HISTORY,
      pk: { field: 'pk', composite: ['tenantId', 'opportunityId'] },
      sk: { field: 'sk', composite: ['changeId'], template: '$closedatechange_1#changeid_${changeId}', casing: 'lower' },
    },
  },
});
