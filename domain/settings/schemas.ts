import * as z from 'zod';
import { CurrencyCode, IsoDate, Key, Percent } from '../shared/schemas';

/** An IANA time zone this runtime knows (`Europe/Berlin`, `America/New_York`, `UTC`). */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: 'Must be an IANA time zone such as Europe/Berlin or UTC' });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TaskReminders = z.strictObject({
  dueSoonHours: z.number().int().min(0).max(720).meta({ description: 'Tell the assignee this many hours before a task is due' }),
  escalateAfterHours: z.number().int().min(1).max(720).meta({ description: "Tell the assignee's manager when a task is overdue this long" }),
});

const CustomerCare = z.strictObject({
  reopenWindowDays: z.number().int().min(0).max(365).meta({ description: 'A resolved ticket may be reopened this many days after it was resolved; then it closes' }),
  renewalWindowDays: z.number().int().min(1).max(730).meta({ description: 'A signed contract ending within this many days gets its renewal opportunity' }),
  checkInAfterDays: z.number().int().min(1).max(730).meta({ description: "The owner's check-in task comes this many days after a deal is won" }),
  npsAfterDays: z.number().int().min(0).max(730).meta({ description: 'The NPS survey goes to the customer this many days after a deal is won' }),
  surveyValidDays: z.number().int().min(1).max(90).meta({ description: "A survey's public link works this many days" }),
});

export const SettingsBody = z
  .strictObject({
    companyName: z.string().trim().min(1).max(200).optional().meta({ description: 'Printed on quotes and contracts' }),
    baseCurrency: CurrencyCode.meta({ description: 'The currency reports and approval limits are stated in' }),
    lostReasons: z
      .array(Key)
      .min(1)
      .max(50)
      .refine((reasons) => new Set(reasons).size === reasons.length, { message: 'Each reason only once' })
      .meta({ description: 'Allowed `lostReason` values for lost opportunities' }),
    taxRates: z
      .record(Key, Percent)
      .refine((rates) => Object.keys(rates).length > 0 && Object.keys(rates).length <= 50, { message: 'Give 1 to 50 tax categories' })
      .optional()
      .meta({ description: 'Tax category → percent, e.g. { "standard": "19", "reduced": "7" }; default { "standard": "0" }' }),
    maxDiscountPercent: Percent.optional().meta({ description: 'Quotes discounted beyond this need approval; default "20"' }),
    taskReminders: TaskReminders.optional().meta({ description: 'Default { "dueSoonHours": 24, "escalateAfterHours": 24 }' }),
    reportingTimezone: TimeZone.optional().meta({
      description: 'Where report periods (day, week, month, quarter, year) are cut, whoever reads them; default `UTC`',
    }),
    fiscalYearStartMonth: z.number().int().min(1).max(12).optional().meta({
      description: 'The month the fiscal year starts (1 = January, the default). A fiscal year is named by the calendar year it ends in: with 4, FY2027 runs April 2026 – March 2027',
    }),
    customerCare: CustomerCare.optional().meta({
      description: 'Default { "reopenWindowDays": 7, "renewalWindowDays": 90, "checkInAfterDays": 30, "npsAfterDays": 14, "surveyValidDays": 30 }',
    }),
  })
  .meta({ id: 'SettingsInput' });

export const Settings = z
  .object({
    companyName: z.string().optional(),
    baseCurrency: z.string(),
    lostReasons: z.array(z.string()),
    taxRates: z.record(z.string(), z.string()),
    maxDiscountPercent: z.string(),
    taskReminders: z.object({ dueSoonHours: z.number().int(), escalateAfterHours: z.number().int() }),
    reportingTimezone: z.string(),
    fiscalYearStartMonth: z.number().int(),
    customerCare: z.object({
      reopenWindowDays: z.number().int(),
      renewalWindowDays: z.number().int(),
      checkInAfterDays: z.number().int(),
      npsAfterDays: z.number().int(),
      surveyValidDays: z.number().int(),
    }),
    version: z.number().int().meta({ description: '0 while the tenant runs on the defaults' }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'Settings' });

export type SettingsInput = z.infer<typeof SettingsBody>;
export type SettingsView = z.infer<typeof Settings>;

/** Base-currency units per unit of the currency: a positive decimal string, at most 10 decimals. */
export const Rate = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,10})?$/, 'Must be a positive decimal string such as "0.9130"')
  .refine((rate) => /[1-9]/.test(rate), { message: 'Must be more than 0' });

export const PutExchangeRatesBody = z
  .strictObject({
    rates: z
      .array(
        z.strictObject({
          currency: CurrencyCode,
          rate: Rate.meta({ description: 'Base-currency units per unit of `currency`, e.g. "0.9130" for USD in a EUR tenant' }),
          effectiveFrom: IsoDate.meta({ description: 'In effect from this date (in the reporting time zone) until a later rate of the currency' }),
        }),
      )
      .min(1)
      .max(50),
  })
  .meta({ id: 'PutExchangeRates' });

export const ExchangeRatesQuery = z.strictObject({
  on: IsoDate.optional().meta({ description: "The date the rates are in effect on; default today in the tenant's reporting time zone" }),
});

export const ExchangeRateView = z.object({ currency: z.string(), rate: z.string(), effectiveFrom: z.string(), updatedAt: z.string(), updatedBy: z.string() });

export const ExchangeRates = z
  .object({
    baseCurrency: z.string(),
    on: z.string().meta({ description: 'The date these rates are in effect on' }),
    rates: z.array(ExchangeRateView).meta({ description: 'Per currency, the rate in effect on `on` (currencies with no rate yet by then are absent)' }),
  })
  .meta({ id: 'ExchangeRates' });

export type PutExchangeRatesInput = z.infer<typeof PutExchangeRatesBody>;
export type ExchangeRatesView = z.infer<typeof ExchangeRates>;
