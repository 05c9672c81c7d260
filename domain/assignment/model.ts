import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

/** One assignment rule as stored: conditions on the record → a strategy among the matching reps. */
export interface RuleConditions {
  segments?: string[];
  industries?: string[];
  territories?: string[];
  sources?: string[];
  /** Deal size in minor units, opportunities only; a record in another currency never matches an amount. */
  minAmount?: { amount: number; currency: string };
  maxAmount?: { amount: number; currency: string };
}

export interface AssignmentRule {
  name: string;
  appliesTo?: Array<'customer' | 'opportunity'>;
  when?: RuleConditions;
  /** The rule's pool; default: every rep with a profile. */
  reps?: string[];
  strategy: 'round_robin' | 'least_loaded' | 'best_match';
  /** best_match: deals at least this large go to the most experienced reps first. */
  largeDealAmount?: { amount: number; currency: string };
}

/** A tenant's assignment rules (evaluated in order) and fallback owner; absent until an admin saves them. */
export const assignmentRulesSchema = createSchema({
  model: { entity: 'assignmentRules', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    rules: { type: CustomAttributeType<AssignmentRule[]>('any'), required: true },
    fallbackOwner: { type: 'string' },
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
 * A rule's turn counters. Each assignment takes the next `ticket` with an atomic ADD, so parallel assignments
 * get distinct turns without retrying each other; once its record is written (or not), it adds one to
 * `settled`. `ticket − settled` is how many assignments are in flight.
 */
export const assignmentCursorSchema = createSchema({
  model: { entity: 'assignmentCursor', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    ruleKey: { type: 'string', required: true, readOnly: true },
    ticket: { type: 'number' },
    settled: { type: 'number' },
  },
  indexes: {
    byRule: {
      pk: { field: 'pk', composite: ['tenantId', 'ruleKey'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});
