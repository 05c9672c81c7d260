import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

export interface CustomerCareSettings {
  reopenWindowDays: number;
  renewalWindowDays: number;
  checkInAfterDays: number;
  npsAfterDays: number;
  surveyValidDays: number;
}

/** A tenant's settings: one item per tenant, absent until an admin first saves them (defaults apply). */
export const tenantSettingsSchema = createSchema({
  model: { entity: 'tenantSettings', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    companyName: { type: 'string' },
    baseCurrency: { type: 'string', required: true },
    lostReasons: { type: 'list', items: { type: 'string' }, required: true },
    /** Tax category → percent (decimal string). */
    taxRates: { type: CustomAttributeType<Record<string, string>>('any') },
    /** Quote discounts above this percent need approval (decimal string). */
    maxDiscountPercent: { type: 'string' },
    /** When the reminder job tells assignees of due tasks and escalates overdue ones (hours). */
    taskReminders: { type: CustomAttributeType<{ dueSoonHours: number; escalateAfterHours: number }>('any') },
    /** IANA time zone report periods are cut in. */
    reportingTimezone: { type: 'string' },
    /** 1–12: the month the fiscal year starts. */
    fiscalYearStartMonth: { type: 'number' },
    /** After-sales: reopen window, renewal window, check-in and survey timing (days). */
    customerCare: { type: CustomAttributeType<CustomerCareSettings>('any') },
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
 * A dated exchange rate: from `effectiveFrom` on (until a later one of the same currency), one unit of `currency`
 * is worth `rate` units of the tenant's base currency. One item per tenant, currency and date.
 */
export const exchangeRateSchema = createSchema({
  model: { entity: 'exchangeRate', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    currency: { type: 'string', required: true, readOnly: true },
    effectiveFrom: { type: 'string', required: true, readOnly: true },
    /** Base-currency units per unit, a decimal string (never a binary float). */
    rate: { type: 'string', required: true },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: ['currency', 'effectiveFrom'] },
    },
  },
});
