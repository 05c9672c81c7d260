import { createSchema } from 'electrodb';
import { RECORD_STAMPS } from '../shared/record-attributes';
import { SERVICE_NAME } from '../table';
import { nameSortKey } from '../shared/sort-keys';

export const LIFECYCLES = ['lead', 'prospect', 'customer', 'churned'] as const;
export const RECORD_STATES = ['active', 'archived'] as const;
export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note'] as const;
export const BUYING_ROLES = ['decision_maker', 'economic_buyer', 'champion', 'influencer', 'user', 'gatekeeper', 'other'] as const;

/**
 * A customer (or lead). One partition per customer holds the customer, its contacts and its activities.
 * Lists go through gsi1–gsi3, each keyed by tenant (+ owner or lifecycle) and the record state, sorted by
 * name (`sortName`), so `q` (name prefix) works on every list and archived records stay out of the default lists.
 */
export const customerSchema = createSchema({
  model: { entity: 'customer', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    /**
     * The name as the list indexes sort and prefix-match it; derived, left out of API views. Not `hidden`:
     * ElectroDB builds `count` cursors from returned items, so key attributes must come back.
     */
    sortName: {
      type: 'string',
      watch: ['name'],
      set: (_, item) => nameSortKey(String(item.name ?? '')),
    },
    lifecycle: { type: LIFECYCLES, required: true },
    segment: { type: 'string' },
    territory: { type: 'string' },
    industry: { type: 'string' },
    source: { type: 'string' },
    tags: { type: 'list', items: { type: 'string' } },
    address: {
      type: 'map',
      properties: {
        line1: { type: 'string' },
        line2: { type: 'string' },
        city: { type: 'string' },
        region: { type: 'string' },
        postalCode: { type: 'string' },
        country: { type: 'string' },
      },
    },
    domain: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    owner: { type: 'string', required: true },
    lastContactedAt: { type: 'string' },
    /** When the record first became a customer (lifecycle `customer`): what "new customers" counts. */
    customerSince: { type: 'string' },
    state: { type: RECORD_STATES, required: true },
    archivedAt: { type: 'string' },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'] },
      sk: { field: 'sk', composite: [] },
    },
    byName: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'state'] },
      sk: { field: 'gsi1sk', composite: ['sortName', 'customerId'] },
    },
    byOwner: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'owner', 'state'] },
      sk: { field: 'gsi2sk', composite: ['sortName', 'customerId'] },
    },
    byLifecycle: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'lifecycle', 'state'] },
      sk: { field: 'gsi3sk', composite: ['sortName', 'customerId'] },
    },
  },
});

export const contactSchema = createSchema({
  model: { entity: 'contact', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    contactId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    title: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    buyingRole: { type: BUYING_ROLES },
    ...RECORD_STAMPS,
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'] },
      sk: { field: 'sk', composite: ['contactId'] },
    },
  },
});

/** The communication history. Sorted by `occurredAt` inside the customer's partition: the timeline. */
export const activitySchema = createSchema({
  model: { entity: 'activity', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    activityId: { type: 'string', required: true, readOnly: true },
    type: { type: ACTIVITY_TYPES, required: true },
    subject: { type: 'string', required: true },
    body: { type: 'string' },
    occurredAt: { type: 'string', required: true },
    contactId: { type: 'string' },
    opportunityId: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    timeline: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'] },
      sk: { field: 'sk', composite: ['occurredAt', 'activityId'] },
    },
  },
});

/**
 * An activity linked to an opportunity, copied into the opportunity's partition in the same transaction as
 * the activity itself: the opportunity's follow-up history is one query, and unlinked activities cost nothing.
 */
export const opportunityActivitySchema = createSchema({
  model: { entity: 'opportunityActivity', version: '1', service: SERVICE_NAME },
  attributes: { ...activitySchema.attributes, opportunityId: { type: 'string', required: true, readOnly: true } },
  indexes: {
    byOpportunity: {
      pk: { field: 'pk', composite: ['tenantId', 'opportunityId'] },
      sk: { field: 'sk', composite: ['occurredAt', 'activityId'] },
    },
  },
});
