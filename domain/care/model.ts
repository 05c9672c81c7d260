import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Local opening hours per weekday (`"HH:MM"` pairs), holidays as local dates, in one IANA time zone. */
export interface StoredCalendar {
  timezone: string;
  hours: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>>;
  holidays: string[];
}

export interface StoredSlaTarget {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  businessHours: boolean;
}

/**
 * The tenant's SLA policy: one item per tenant, absent until an admin first saves one (the default applies).
 */
export const slaPolicySchema = createSchema({
  model: { entity: 'slaPolicy', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    calendar: { type: CustomAttributeType<StoredCalendar>('any'), required: true },
    targets: { type: CustomAttributeType<Record<TicketPriority, StoredSlaTarget>>('any'), required: true },
    atRiskPercent: { type: 'number', required: true },
    escalateTo: { type: CustomAttributeType<{ role: string }>('any'), required: true },
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
