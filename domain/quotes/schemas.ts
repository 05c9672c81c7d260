import * as z from 'zod';
import { CurrencyCode, Id, IsoDate, Key, Money, PageQuery, Percent, ShortText, pageOf } from '../shared/schemas';
import { QUOTE_STATUSES } from './model';

/** A positive quantity as a number or a decimal string ("2", "1.5"), at most 6 decimals. */
export const Quantity = z.union([
  z.number().positive().max(1e9).refine((value) => /^\d{1,9}(\.\d{1,6})?$/.test(String(value)), { message: 'At most 6 decimals' }),
  z
    .string()
    .regex(/^\d{1,9}(\.\d{1,6})?$/, 'Must be a positive decimal such as "1.5"')
    .refine((value) => Number(value) > 0, { message: 'Must be more than 0' }),
]);

const LineInput = z
  .strictObject({
    productId: Id.optional().meta({ description: 'A catalog product: description, unit price and tax category default from it' }),
    description: ShortText(500).optional().meta({ description: 'Required for a line without a product' }),
    quantity: Quantity,
    unitPrice: Money.optional().meta({
      description: "Defaults to the product's price in the quote's currency. On a product line, only managers and admins set another (403 for reps); charging less than the catalog counts as discount",
    }),
    discountPercent: Percent.optional(),
    discountAmount: Money.optional(),
    taxCategory: Key.optional().meta({ description: "Defaults to the product's, or `standard`; only managers and admins set another (403 for reps)" }),
  })
  .refine((line) => line.productId !== undefined || line.description !== undefined, {
    message: 'A line needs a productId or a description',
    path: ['description'],
  })
  .refine((line) => line.discountPercent === undefined || line.discountAmount === undefined, {
    message: 'Give discountPercent or discountAmount, not both',
    path: ['discountAmount'],
  });

export const CreateQuoteBody = z
  .strictObject({
    currency: CurrencyCode.optional().meta({ description: "Default: the opportunity's amount currency, else the tenant's base currency" }),
    lines: z.array(LineInput).min(1).max(200),
    discountPercent: Percent.optional().meta({ description: 'Quote-level discount, applied to every line after its own' }),
    validUntil: IsoDate.optional().meta({ description: 'Default: 30 days from today' }),
    terms: z.string().trim().max(20_000).optional(),
    notes: z.string().trim().max(20_000).optional(),
  })
  .meta({ id: 'CreateQuote' });

export const UpdateQuoteBody = z
  .strictObject({
    lines: z.array(LineInput).min(1).max(200).optional(),
    discountPercent: Percent.nullable().optional(),
    validUntil: IsoDate.optional(),
    terms: z.string().trim().max(20_000).nullable().optional(),
    notes: z.string().trim().max(20_000).nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateQuote' });

/** Optional: a bare POST records the decision without a note. */
export const QuoteDecisionBody = z
  .strictObject({ note: z.string().trim().min(1).max(2000).optional() })
  .meta({ id: 'QuoteDecision' })
  .optional();

const LineTotals = z.object({
  list: Money.optional().meta({ description: "The line at the catalog's price (quantity × listPrice, or gross); absent on lines priced before list prices were kept" }),
  gross: Money,
  discount: Money,
  net: Money,
  tax: Money,
  total: Money,
});

export const QuoteLine = z
  .object({
    lineId: z.string(),
    productId: z.string().optional(),
    sku: z.string().optional(),
    description: z.string(),
    quantity: z.string(),
    unit: z.string(),
    unitPrice: Money,
    listPrice: Money.optional().meta({ description: "The catalog's unit price, when the line is charged at another price (set by a manager or an admin)" }),
    discountPercent: z.string().optional(),
    discountAmount: Money.optional(),
    taxCategory: z.string(),
    taxPercent: z.string(),
    totals: LineTotals,
  })
  .meta({ id: 'QuoteLine' });

export const QuoteStatus = z.enum(QUOTE_STATUSES);

export const Quote = z
  .object({
    id: z.string(),
    quoteNumber: z.string(),
    revision: z.number().int(),
    opportunityId: z.string(),
    customerId: z.string(),
    owner: z.string(),
    currency: z.string(),
    lines: z.array(QuoteLine),
    discountPercent: z.string().optional(),
    totals: z.object({
      list: Money.optional().meta({ description: 'The quote at catalog prices; absent on quotes priced before list prices were kept (then: subtotal)' }),
      subtotal: Money,
      discount: Money,
      tax: Money,
      total: Money,
    }),
    effectiveDiscountPercent: z.string().meta({ description: '1 − net ÷ list as a percent (2 decimals): discounts and prices below the catalog\'s alike' }),
    needsApproval: z.boolean().meta({ description: "The discount exceeds the tenant's maxDiscountPercent" }),
    primary: z.boolean().meta({ description: "The newest version of the opportunity's newest quote: it sets the opportunity's amount" }),
    validUntil: z.string(),
    terms: z.string().optional(),
    notes: z.string().optional(),
    status: QuoteStatus,
    sentAt: z.string().optional(),
    sentBy: z.string().optional(),
    decidedAt: z.string().optional(),
    decisionNote: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Quote' });

export const QuoteIdParams = z.strictObject({ id: Id });
export const QuoteList = pageOf(Quote, 'QuotePage');
export const ListQuotesQuery = z.strictObject({ ...PageQuery });

export type CreateQuoteInput = z.infer<typeof CreateQuoteBody>;
export type UpdateQuoteInput = z.infer<typeof UpdateQuoteBody>;
export type QuoteLineView = z.infer<typeof QuoteLine>;
export type QuoteView = z.infer<typeof Quote>;
