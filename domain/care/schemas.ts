import * as z from 'zod';
import { TimeZone } from '../settings/schemas';
import { IsoDate } from '../shared/schemas';
import { TICKET_PRIORITIES } from './model';
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
