import * as z from 'zod';
import { TimeZone } from '../settings/schemas';
import { Id, IsoDate, PageQuery, ShortText, UserId, pageOf } from '../shared/schemas';
import { COMMENT_VISIBILITIES, TICKET_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES } from './model';
import { WEEKDAYS, calendarProblems, hasOpeningHours, type BusinessCalendar } from './sla-clock';

// ---- SLA policy ---------------------------------------------------------------------------------

const LocalTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Must be a local time HH:MM (24:00 only as an end)');
/** `[start, end]`; an array of exactly two rather than a tuple, which JSON Schema validators in strict mode refuse as a response schema. */
const OpeningInterval = z.array(LocalTime).length(2).meta({ description: '[start, end], e.g. ["09:00", "17:00"]' });

const Calendar = z
  .strictObject({
    timezone: TimeZone,
    hours: z
      .strictObject(Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(OpeningInterval).max(6).optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<z.ZodArray<typeof OpeningInterval>>>)
      .meta({ description: 'Local opening hours per weekday, e.g. { "mon": [["09:00", "17:00"]] }; a day left out is closed' }),
    holidays: z.array(IsoDate).max(400).meta({ description: 'Local dates closed all day' }),
  })
  .superRefine((calendar, context) => {
    for (const problem of calendarProblems(calendar as BusinessCalendar)) context.addIssue({ code: 'custom', path: problem.path.split('.'), message: problem.message });
  });

const SlaTarget = z.strictObject({
  firstResponseMinutes: z.number().int().min(1).max(525_600).meta({ description: 'Until the first public reply' }),
  resolutionMinutes: z.number().int().min(1).max(525_600).meta({ description: 'Until the ticket is resolved' }),
  businessHours: z.boolean().meta({ description: "Count only the calendar's opening hours (true) or every minute (false)" }),
});

export const SlaPolicyBody = z
  .strictObject({
    calendar: Calendar,
    targets: z.strictObject(Object.fromEntries(TICKET_PRIORITIES.map((priority) => [priority, SlaTarget])) as Record<(typeof TICKET_PRIORITIES)[number], typeof SlaTarget>),
    atRiskPercent: z.number().int().min(1).max(99).meta({ description: "The assignee is warned when this share of a target's time is used" }),
    escalateTo: z.strictObject({ role: z.enum(['admin', 'manager', 'service']) }).meta({ description: 'Who hears of a breached target' }),
  })
  .superRefine((policy, context) => {
    const business = TICKET_PRIORITIES.filter((priority) => policy.targets[priority].businessHours);
    if (business.length > 0 && !hasOpeningHours(policy.calendar as BusinessCalendar)) {
      context.addIssue({ code: 'custom', path: ['calendar', 'hours'], message: `Targets in business hours (${business.join(', ')}) need opening hours on at least one day` });
    }
  })
  .meta({ id: 'SlaPolicyInput' });

export const SlaPolicy = z
  .object({
    calendar: z.object({ timezone: z.string(), hours: z.record(z.string(), z.array(z.array(z.string()))), holidays: z.array(z.string()) }),
    targets: z.record(z.string(), z.object({ firstResponseMinutes: z.number().int(), resolutionMinutes: z.number().int(), businessHours: z.boolean() })),
    atRiskPercent: z.number().int(),
    escalateTo: z.object({ role: z.string() }),
    version: z.number().int().meta({ description: '0 while the tenant runs on the default policy' }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'SlaPolicy' });

export type SlaPolicyInput = z.infer<typeof SlaPolicyBody>;
export type SlaPolicyView = z.infer<typeof SlaPolicy>;

// ---- tickets ------------------------------------------------------------------------------------

export const TicketPriority = z.enum(TICKET_PRIORITIES);
export const TicketStatus = z.enum(TICKET_STATUSES);
export const TicketChannel = z.enum(TICKET_CHANNELS);

const TicketLink = z.strictObject({ type: z.enum(['contract', 'opportunity']), id: Id });

export const CreateTicketBody = z
  .strictObject({
    customerId: Id,
    contactId: Id.optional().meta({ description: 'One of the customer’s contacts: who raised it' }),
    subject: ShortText(200),
    description: z.string().max(20_000).optional(),
    category: z.string().trim().min(1).max(60).optional(),
    priority: TicketPriority,
    channel: TicketChannel.optional().meta({ description: 'How it reached us; default `web`' }),
    linkedTo: TicketLink.optional().meta({ description: 'The contract or opportunity of this customer it is about' }),
    assignee: z
      .union([UserId, z.literal('auto')])
      .optional()
      .meta({ description: 'A service user; `auto`: the assignment rules for tickets choose (least loaded of a pool). Default: unassigned' }),
  })
  .meta({ id: 'CreateTicket' });

export const UpdateTicketBody = z
  .strictObject({
    subject: ShortText(200).optional(),
    description: z.string().max(20_000).nullable().optional(),
    category: z.string().trim().min(1).max(60).nullable().optional(),
    priority: TicketPriority.optional().meta({ description: 'A new priority takes that priority’s targets, counted from when the ticket was opened' }),
    status: TicketStatus.optional().meta({
      description: 'new → open → pending ↔ open → resolved → closed; resolved → open (reopen) within the tenant’s reopenWindowDays',
    }),
    reason: z.string().trim().min(1).max(500).optional().meta({ description: 'Why: recorded with a pause (→ pending), a resume (pending →) and a reopen' }),
    assignee: z.union([UserId, z.literal('auto')]).nullable().optional().meta({ description: 'A service user; `auto` to let the rules choose; null to unassign' }),
    contactId: Id.nullable().optional(),
    linkedTo: TicketLink.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateTicket' });

export const SlaState = z.enum(['on_track', 'at_risk', 'breached', 'met']);

const SlaClock = z.object({
  dueAt: z.string().nullable().meta({ description: 'When the target falls due; null while the clock is stopped (pending)' }),
  state: SlaState,
  completedAt: z.string().optional(),
});

export const TicketSla = z
  .object({
    firstResponseDueAt: z.string().nullable(),
    resolutionDueAt: z.string().nullable(),
    state: SlaState.meta({ description: 'breached if any target is; met when both are met; else at_risk if one is; else on_track' }),
    pausedMinutes: z.number().int().meta({ description: 'Minutes spent pending (the clocks stopped), whole minutes' }),
    paused: z.boolean(),
    firstResponse: SlaClock,
    resolution: SlaClock,
    targets: z.object({ firstResponseMinutes: z.number().int(), resolutionMinutes: z.number().int(), businessHours: z.boolean(), atRiskPercent: z.number().int() }),
  })
  .meta({ id: 'TicketSla' });

export const SlaPauseView = z.object({
  from: z.string(),
  by: z.string(),
  reason: z.string(),
  to: z.string().optional(),
  resumedBy: z.string().optional(),
  resumeReason: z.string().optional(),
});

export const Ticket = z
  .object({
    id: z.string(),
    customerId: z.string(),
    contactId: z.string().optional(),
    subject: z.string(),
    description: z.string().optional(),
    category: z.string().optional(),
    priority: TicketPriority,
    status: TicketStatus,
    assignee: z.string().nullable(),
    channel: TicketChannel,
    linkedTo: TicketLink.optional(),
    sla: TicketSla,
    pauses: z.array(SlaPauseView),
    firstRespondedAt: z.string().optional(),
    resolvedAt: z.string().optional(),
    closedAt: z.string().optional(),
    reopenCount: z.number().int(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Ticket' });

const BooleanQuery = z.enum(['true', 'false']);

export const ListTicketsQuery = z
  .strictObject({
    status: TicketStatus.optional(),
    priority: TicketPriority.optional(),
    assignee: z.union([UserId, z.literal('none')]).optional().meta({ description: 'A user id, or `none` for unassigned tickets' }),
    customer: Id.optional(),
    breached: BooleanQuery.optional().meta({ description: '`true`: only tickets with a breached target' }),
    ...PageQuery,
  })
  .meta({ id: 'ListTicketsQuery' });

export const TicketIdParams = z.strictObject({ id: Id });
export const TicketPage = pageOf(Ticket, 'TicketPage');

export const CreateCommentBody = z
  .strictObject({
    body: z.string().trim().min(1).max(20_000),
    visibility: z.enum(COMMENT_VISIBILITIES).meta({ description: '`public`: a reply to the customer (the first one meets the first-response target); `internal`: a note for staff' }),
  })
  .meta({ id: 'CreateTicketComment' });

export const TicketComment = z
  .object({ id: z.string(), ticketId: z.string(), body: z.string(), visibility: z.enum(COMMENT_VISIBILITIES), createdAt: z.string(), createdBy: z.string() })
  .meta({ id: 'TicketComment' });

export const TicketCommentPage = pageOf(TicketComment, 'TicketCommentPage');
export const ListCommentsQuery = z.strictObject({
  visibility: z.enum(COMMENT_VISIBILITIES).optional(),
  ...PageQuery,
});

export type CreateTicketInput = z.infer<typeof CreateTicketBody>;
export type UpdateTicketInput = z.infer<typeof UpdateTicketBody>;
export type ListTicketsInput = z.infer<typeof ListTicketsQuery>;
export type TicketView = z.infer<typeof Ticket>;
export type TicketSlaView = z.infer<typeof TicketSla>;
export type CreateCommentInput = z.infer<typeof CreateCommentBody>;
export type TicketCommentView = z.infer<typeof TicketComment>;
