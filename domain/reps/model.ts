import { createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

export const EXPERIENCE_LEVELS = ['junior', 'mid', 'senior'] as const;

/**
 * What assignment needs to know about a rep: skills, territory, experience, capacity, availability, and who
 * their manager is (overdue tasks escalate there). Kept by admins and managers; users themselves live in
 * Cognito, this is the sales side of them.
 */
export const repProfileSchema = createSchema({
  model: { entity: 'repProfile', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    userId: { type: 'string', required: true, readOnly: true },
    displayName: { type: 'string' },
    manager: { type: 'string' },
    industries: { type: 'list', items: { type: 'string' }, required: true },
    products: { type: 'list', items: { type: 'string' }, required: true },
    languages: { type: 'list', items: { type: 'string' }, required: true },
    territory: { type: 'string' },
    experience: { type: EXPERIENCE_LEVELS, required: true },
    maxOpenOpportunities: { type: 'number', required: true },
    maxOpenLeads: { type: 'number', required: true },
    pausedUntil: { type: 'string' },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byUser: {
      pk: { field: 'pk', composite: ['tenantId', 'userId'] },
      sk: { field: 'sk', composite: [] },
    },
    byTenant: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['userId'] },
    },
  },
});
