import * as z from 'zod';
import { BooleanFlag, Id, Key, Money, PageQuery, ShortText, pageOf } from '../shared/schemas';

export const Sku = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/, 'Must be a SKU: letters, digits, . _ - /, at most 64');

const UnitPrices = z
  .array(Money)
  .min(1)
  .max(20)
  .refine((prices) => new Set(prices.map((price) => price.currency)).size === prices.length, { message: 'One price per currency' });

export const CreateProductBody = z
  .strictObject({
    sku: Sku,
    name: ShortText(200),
    description: z.string().trim().max(5000).optional(),
    unitPrices: UnitPrices.meta({ description: 'The unit price in each currency the product is sold in' }),
    unit: ShortText(40).optional().meta({ description: 'Default `each`' }),
    taxCategory: Key.optional().meta({ description: "A key of the tenant's `taxRates`; default `standard`" }),
    active: z.boolean().optional(),
  })
  .meta({ id: 'CreateProduct' });

export const UpdateProductBody = z
  .strictObject({
    sku: Sku.optional(),
    name: ShortText(200).optional(),
    description: z.string().trim().max(5000).nullable().optional(),
    unitPrices: UnitPrices.optional(),
    unit: ShortText(40).optional(),
    taxCategory: Key.optional(),
    active: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateProduct' });

export const Product = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string().optional(),
    unitPrices: z.array(Money),
    unit: z.string(),
    taxCategory: z.string(),
    active: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Product' });

export const ProductIdParams = z.strictObject({ id: Id });
export const ListProductsQuery = z.strictObject({
  ...PageQuery,
  q: z.string().trim().min(1).max(64).optional().meta({ description: 'SKU prefix, case-insensitive' }),
  active: BooleanFlag.optional(),
});
export const ProductPage = pageOf(Product, 'ProductPage');

export type CreateProductInput = z.infer<typeof CreateProductBody>;
export type UpdateProductInput = z.infer<typeof UpdateProductBody>;
export type ProductView = z.infer<typeof Product>;
export type ListProductsInput = z.infer<typeof ListProductsQuery>;
