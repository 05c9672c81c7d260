import { createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

export const UNIQUE_KINDS = ['customer-domain', 'customer-email', 'contact-email', 'product-sku'] as const;

/**
 * Guard item for a value that must be unique within a tenant (a customer's domain or email, a contact's
 * email, a product's SKU). Claimed with a conditional put in the same transaction as the record that holds it; released by a
 * conditional delete when the record lets go of the value. `value` is stored normalised (lower case).
 */
export const uniqueValueSchema = createSchema({
  model: { entity: 'uniqueValue', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    kind: { type: UNIQUE_KINDS, required: true, readOnly: true },
    value: { type: 'string', required: true, readOnly: true },
    holderType: { type: ['customer', 'contact', 'product'] as const, required: true },
    holderId: { type: 'string', required: true },
    /** The customer a contact belongs to (for a link to it); absent for products. */
    customerId: { type: 'string' },
  },
  indexes: {
    byValue: {
      pk: { field: 'pk', composite: ['tenantId', 'kind', 'value'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});

export type UniqueKind = (typeof UNIQUE_KINDS)[number];

/** One value a record claims: its kind and its normalised form. */
export interface UniqueClaim {
  kind: UniqueKind;
  value: string;
}
