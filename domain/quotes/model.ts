import { CustomAttributeType, createSchema } from 'electrodb';
import { RECORD_STAMPS } from '../shared/record-attributes';
import type { StoredQuoteLine, StoredQuoteTotals } from '../shared/money';
import { SERVICE_NAME } from '../table';

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'rejected', 'expired'] as const;

/**
 * One version of a quote. Versions of the same quote share `quoteNumber` (the first version's id) and count
 * up in `revision`; a sent version is locked and revising it makes a new draft version. Totals are computed
 * on the server (domain/quotes/pricing.ts) and stored with the lines they came from.
 */
export const quoteSchema = createSchema({
  model: { entity: 'quote', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    quoteId: { type: 'string', required: true, readOnly: true },
    quoteNumber: { type: 'string', required: true, readOnly: true },
    revision: { type: 'number', required: true, readOnly: true, padding: { length: 4, char: '0' } },
    opportunityId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    owner: { type: 'string', required: true },
    currency: { type: 'string', required: true },
    lines: { type: CustomAttributeType<StoredQuoteLine[]>('any'), required: true },
    discountPercent: { type: 'string' },
    totals: { type: CustomAttributeType<StoredQuoteTotals>('any'), required: true },
    effectiveDiscountPercent: { type: 'string', required: true },
    needsApproval: { type: 'boolean', required: true },
    validUntil: { type: 'string', required: true },
    terms: { type: 'string' },
    notes: { type: 'string' },
    status: { type: QUOTE_STATUSES, required: true },
    sentAt: { type: 'string' },
    sentBy: { type: 'string' },
    decidedAt: { type: 'string' },
    decisionNote: { type: 'string' },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'quoteId'] },
      sk: { field: 'sk', composite: [] },
    },
    /** All quotes and versions of an opportunity, grouped by quote, by revision. */
    byOpportunity: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'opportunityId'] },
      sk: { field: 'gsi1sk', composite: ['quoteNumber', 'revision'] },
    },
  },
});
