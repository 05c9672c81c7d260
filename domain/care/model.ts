import { CustomAttributeType, createSchema } from 'electrodb';
import { RECORD_STAMPS } from '../shared/record-attributes';
import { SERVICE_NAME } from '../table';

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const TICKET_CHANNELS = ['email', 'phone', 'web', 'chat', 'in_person', 'other'] as const;
export const COMMENT_VISIBILITIES = ['public', 'internal'] as const;
/** The two clocks of a ticket's SLA. */
export const SLA_TARGET_KINDS = ['firstResponse', 'resolution'] as const;
/** `assignee` of a ticket nobody works yet: keeps the assignee index total without a conditional index. */
export const UNASSIGNED = 'unassigned';
/** `linkedType`/`linkedId` of a ticket linked to no contract or opportunity. */
export const NOT_LINKED = 'none';

export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type SlaTargetKind = (typeof SLA_TARGET_KINDS)[number];

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
 * The SLA terms a ticket runs on: its priority's targets, the calendar and the warning threshold, copied from the
 * tenant's policy when the ticket was opened (and again when its priority changes). A later policy change thus
 * never moves the due times of tickets already promised.
 */
export interface SlaTerms extends StoredSlaTarget {
  atRiskPercent: number;
  calendar: StoredCalendar;
  escalateTo: { role: string };
}

/** A stretch of `pending` (waiting on the customer): the SLA clocks stop; who paused and resumed it, and why. */
export interface SlaPause {
  from: string;
  by: string;
  reason: string;
  to?: string;
  resumedBy?: string;
  resumeReason?: string;
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

/**
 * An after-sales ticket. Its partition holds the ticket and its comments (collection `ticketThread`: one query).
 * Lists: by status (gsi1), by assignee and status (gsi2), by customer (gsi3), all of the tenant (gsi4), each newest
 * first by `createdAt`.
 */
export const ticketSchema = createSchema({
  model: { entity: 'ticket', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    ticketId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    contactId: { type: 'string' },
    subject: { type: 'string', required: true },
    description: { type: 'string' },
    category: { type: 'string' },
    priority: { type: TICKET_PRIORITIES, required: true },
    status: { type: TICKET_STATUSES, required: true },
    assignee: { type: 'string', required: true },
    channel: { type: TICKET_CHANNELS, required: true },
    linkedType: { type: ['contract', 'opportunity', NOT_LINKED] as const, required: true },
    linkedId: { type: 'string', required: true },
    sla: { type: CustomAttributeType<SlaTerms>('any'), required: true },
    /** The clocks start when the ticket is opened; pauses are the stretches in `pending`. */
    pauses: { type: CustomAttributeType<SlaPause[]>('any'), required: true },
    firstRespondedAt: { type: 'string' },
    resolvedAt: { type: 'string' },
    closedAt: { type: 'string' },
    reopenCount: { type: 'number', required: true },
    /** Targets found breached (`firstResponse`, `resolution`): once there, they stay, whatever changes later. */
    breaches: { type: 'list', items: { type: 'string' }, required: true },
    /** Warnings already sent (`firstResponse.at_risk`, `resolution.breached`, …): each once. */
    warnings: { type: 'list', items: { type: 'string' }, required: true },
    /** `yes` once any target is breached: what `breached=true` filters on. */
    breached: { type: ['yes', 'no'] as const, required: true },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      collection: 'ticketThread',
      pk: { field: 'pk', composite: ['tenantId', 'ticketId'] },
      sk: { field: 'sk', composite: [] },
    },
    byStatus: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'status'] },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'ticketId'] },
    },
    byAssignee: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'assignee'] },
      sk: { field: 'gsi2sk', composite: ['status', 'createdAt', 'ticketId'] },
    },
    byCustomer: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'customerId'] },
      sk: { field: 'gsi3sk', composite: ['createdAt', 'ticketId'] },
    },
    byTenant: {
      index: 'gsi4',
      pk: { field: 'gsi4pk', composite: ['tenantId'] },
      sk: { field: 'gsi4sk', composite: ['createdAt', 'ticketId'] },
    },
  },
});

/** A comment on a ticket: `public` is a reply to the customer (it meets the first-response target), `internal` a note. */
export const ticketCommentSchema = createSchema({
  model: { entity: 'ticketComment', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    ticketId: { type: 'string', required: true, readOnly: true },
    commentId: { type: 'string', required: true, readOnly: true },
    body: { type: 'string', required: true },
    visibility: { type: COMMENT_VISIBILITIES, required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byTicket: {
      collection: 'ticketThread',
      pk: { field: 'pk', composite: ['tenantId', 'ticketId'] },
      sk: { field: 'sk', composite: ['commentId'] },
    },
  },
});
