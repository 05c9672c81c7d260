import { createSchema } from 'electrodb';
import { RECORD_STAMPS } from '../shared/record-attributes';
import { SERVICE_NAME } from '../table';

/** A product of the tenant's catalog. SKUs are unique per tenant (a guard item, like customer domains). */
export const productSchema = createSchema({
  model: { entity: 'product', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    productId: { type: 'string', required: true, readOnly: true },
    sku: { type: 'string', required: true },
    name: { type: 'string', required: true },
    description: { type: 'string' },
    unitPrices: {
      type: 'list',
      required: true,
      items: { type: 'map', properties: { amount: { type: 'number', required: true }, currency: { type: 'string', required: true } } },
    },
    unit: { type: 'string', required: true },
    taxCategory: { type: 'string', required: true },
    active: { type: 'boolean', required: true },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'productId'] },
      sk: { field: 'sk', composite: [] },
    },
    /** The catalog in SKU order; `q` is a SKU prefix. */
    bySku: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['sku', 'productId'] },
    },
  },
});
