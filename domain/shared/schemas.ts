import * as z from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';

/** Building blocks shared by every bounded context's API contract. */

export const Id = z.string().min(1).max(64).regex(/^[0-9A-Za-z_-]+$/, 'Must be an id');
export const UserId = z.string().trim().min(1).max(128);
export const Timestamp = z.iso.datetime({ offset: true });
export const ShortText = (max = 200) => z.string().trim().min(1).max(max);

export const Email = z.email().max(254);
export const Phone = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^\+?[0-9 ().\-/]+$/, 'Must be a phone number: digits, spaces, + ( ) - . /');
export const DomainName = z
  .string()
  .trim()
  .max(253)
  .regex(/^(?=.{1,253}$)(?!-)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}\.?$/, 'Must be a domain name such as example.com');

export const PageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .optional()
    .meta({ description: `Page size, default ${DEFAULT_PAGE_SIZE}, max ${MAX_PAGE_SIZE}` }),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .meta({ description: "The `nextCursor` of the previous page, as given: it is signed, and one changed, made up or taken from another list is a 400" }),
};

/**
 * One page of a list. A page may hold fewer than `limit` items, even none, and still be followed by more: a list
 * request reads at most MAX_ITEMS_READ records (./pagination.ts), so a filter that matches little of a long list
 * answers part of a page with a `nextCursor` where it stopped.
 */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item).meta({ description: 'At most `limit` items; fewer (even none) does not mean the list has ended' }),
      nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` to continue; `null` when the list has ended' }),
    })
    .meta({
      id,
      description:
        'One page. A request reads a bounded number of records, so a page of a filtered list may hold fewer than `limit` items, even none, while more follow: continue while `nextCursor` is not null.',
    });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const BooleanFlag = z.enum(['true', 'false']);

export const IsoDate = z.iso.date().meta({ description: 'A date, YYYY-MM-DD' });

export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 currency code such as EUR');

/** Money: integer minor units (cents) and an ISO 4217 currency. Never binary floating point. */
export const Money = z
  .strictObject({
    amount: z.number().int('Must be whole minor units (cents)').min(0).max(Number.MAX_SAFE_INTEGER),
    currency: CurrencyCode,
  })
  .meta({ id: 'Money', example: { amount: 1250000, currency: 'EUR' } });

/** A lower-case key: stage keys, reason keys. */
export const Key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'Must be a lower-case key such as needs_analysis');

/** A percentage as a decimal string, 0–100 with up to 4 decimals ("19", "12.5"): exact, never a float. */
export const Percent = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,4})?$/, 'Must be a percentage as a decimal string, such as "19" or "12.5"')
  .refine((value) => Number(value) <= 100, { message: 'Must be at most 100' });
