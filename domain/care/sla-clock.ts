/**
 * The SLA clock of customer care: how much of a ticket's SLA time has passed between two instants, and when a
 * target falls due. Pure; time zones by Luxon (the IANA database of the runtime's ICU), never by hand.
 *
 * A target counts milliseconds: every one (calendar time) or only those inside the opening hours of the tenant's
 * business calendar on days that are not holidays (business time). Time while the ticket is pending (a pause)
 * never counts; pauses may overlap, and what is left out is their union. An open pause (no `to`) stops the clock:
 * nothing counts from its start on, so a target not reached by then has no due time.
 *
 * Opening hours are local wall-clock times, placed on each local date in the calendar's zone:
 * - an interval runs from its start (inclusive) to its end (exclusive); "24:00" is the next local midnight, so
 *   ["18:00", "24:00"] followed by ["00:00", …] the next day runs on without a break;
 * - a local time that does not exist (skipped when the clocks go forward) moves forward by the length of the gap,
 *   as Luxon places it: in Europe/Berlin on 2026-03-29, 02:30 is 03:30 CEST, 01:00–04:00 lasts 2 real hours and
 *   00:00–24:00 lasts 23;
 * - a local time that happens twice (when the clocks go back) is its first occurrence: in America/New_York on
 *   2026-11-01, 01:00–04:00 runs from 01:00 EDT to 04:00 EST, 4 real hours, and 00:00–24:00 lasts 25. (Luxon on
 *   its own picks an occurrence by the offset in force on the day the code runs: the clock would change with the
 *   season it is computed in.)
 * - where a day's intervals overlap in real time (only a gap can make them: 01:00–02:45 ends at 03:45 CEST, after
 *   03:00–04:00 began) the overlap counts once.
 *
 * A due time is the earliest instant by which the target has been counted: a target reached exactly at closing is
 * due at closing, not at the next opening. A target of 0 is due at its start, whatever the hours and pauses.
 */
import { DateTime, IANAZone } from 'luxon';
import type { FieldIssue } from '../errors';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock opening hours: "HH:MM" start inclusive, end exclusive; end may be "24:00". */
export type OpeningInterval = readonly [start: string, end: string];

export interface BusinessCalendar {
  /** IANA time zone. */
  timezone: string;
  /** A day absent or [] is closed. */
  hours: Partial<Record<Weekday, readonly OpeningInterval[]>>;
  /** Local dates YYYY-MM-DD, closed all day. */
  holidays: readonly string[];
}

/** ISO instants; `to` absent: paused still (an open pause). */
export interface Pause {
  from: string;
  to?: string;
}

/** How a target counts: business hours of the calendar, or every minute. */
export interface Counting {
  businessHours: boolean;
  calendar: BusinessCalendar;
  pauses: readonly Pause[];
}

/** A stretch of real time, [start, end) in epoch milliseconds; `end` may be Infinity. */
interface Span {
  start: number;
  end: number;
}

/** How long a business-time walk may find no opening at all before it gives up (the calendar is broken). */
const CLOSED_YEARS_LIMIT = 3;
const CLOSED_DAYS_LIMIT = CLOSED_YEARS_LIMIT * 366;

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_OF_DAY = '24:00';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Counted milliseconds between two instants (0 if to <= from): wall time minus pauses, and for business time only
 * inside opening hours on non-holidays. An open pause counts as lasting until `to`. Business time with a calendar
 * that has problems throws a plain Error (a fault: callers validate calendars).
 */
export function countedMs(from: Date, to: Date, counting: Counting): number {
  const start = instantMs(from, 'from');
  const end = instantMs(to, 'to');
  if (end <= start) return 0;
  if (counting.businessHours) assertUsable(counting.calendar);
  const pauses = parsePauses(counting.pauses);
  let total = 0;
  for (const span of countedSpans(start, Math.min(end, pauses.openFrom), counting, pauses.closed, Infinity)) {
    total += span.end - span.start;
  }
  return total;
}

/**
 * The instant at which `targetMs` counted milliseconds have passed since `start`: the earliest such instant (a
 * target reached exactly at a boundary is due at that boundary); `start` itself when `targetMs` is 0; null when an
 * open pause begins before the target is reached (the clock is stopped: no due time).
 *
 * Throws a plain Error when business time cannot be counted (a calendar with problems, without opening hours, or
 * closed for 3 years on end): callers validate calendars, so that is a fault, not input.
 */
export function dueAt(start: Date, targetMs: number, counting: Counting): Date | null {
  const from = instantMs(start, 'start');
  if (!Number.isSafeInteger(targetMs) || targetMs < 0) {
    throw new RangeError(`An SLA target must be a whole number of milliseconds, 0 or more; got ${targetMs}`);
  }
  if (targetMs === 0) return new Date(from);
  if (counting.businessHours) {
    assertUsable(counting.calendar);
    if (!hasOpeningHours(counting.calendar)) {
      throw new Error(`The business calendar (${counting.calendar.timezone}) has no opening hours: a business-time target never falls due`);
    }
  }
  const pauses = parsePauses(counting.pauses);
  let remaining = targetMs;
  for (const span of countedSpans(from, pauses.openFrom, counting, pauses.closed, CLOSED_DAYS_LIMIT)) {
    const length = span.end - span.start;
    if (remaining <= length) return new Date(span.start + remaining);
    remaining -= length;
  }
  return null;
}

/**
 * The wall-clock milliseconds the ticket has been paused up to `now` (what a ticket shows as pausedMinutes):
 * the length of the pauses' union, open pauses lasting until `now`, nothing after `now` counted.
 */
export function pausedMs(pauses: readonly Pause[], now: Date): number {
  const until = instantMs(now, 'now');
  const spans = pauses.map((pause, index) => ({
    start: isoMs(pause.from, `pauses.${index}.from`),
    end: Math.min(until, pause.to === undefined ? until : isoMs(pause.to, `pauses.${index}.to`)),
  }));
  return union(spans).reduce((total, span) => total + (span.end - span.start), 0);
}

/**
 * Problems with a calendar, as { path, message } (path relative to the calendar, e.g. "hours.mon.0"), empty when
 * valid: an unknown time zone, times not HH:MM (00:00–23:59, or "24:00" as an end only), an end not after its
 * start, intervals of a day that overlap, a holiday that is not a real date.
 */
export function calendarProblems(calendar: BusinessCalendar): FieldIssue[] {
  return [...zoneProblems(calendar.timezone), ...hoursProblems(calendar.hours), ...holidayProblems(calendar.holidays)];
}

/** Whether the calendar has any opening hour in a week (business-time targets need one). */
export function hasOpeningHours(calendar: BusinessCalendar): boolean {
  return WEEKDAYS.some((day) => (calendar.hours[day] ?? []).some(([start, end]) => isStart(start) && isEnd(end) && minutesOf(start) < minutesOf(end)));
}

// ---- counting -------------------------------------------------------------------------------------------------

/** The counted stretches of [from, until), in order: the windows that count (all time, or opening hours) minus the closed pauses. */
function countedSpans(from: number, until: number, counting: Counting, closedPauses: readonly Span[], closedDaysLimit: number): Iterable<Span> {
  const windows = counting.businessHours ? openingWindows(counting.calendar, from, until, closedDaysLimit) : [{ start: from, end: until }];
  return withoutPauses(windows, closedPauses);
}

/** `windows` (in order, disjoint) minus `pauses` (sorted, disjoint): one pass over both. */
function* withoutPauses(windows: Iterable<Span>, pauses: readonly Span[]): Generator<Span> {
  let next = 0;
  for (const window of windows) {
    let cursor = window.start;
    while (cursor < window.end) {
      let pause = pauses[next];
      while (pause && pause.end <= cursor) pause = pauses[++next];
      if (!pause || pause.start >= window.end) {
        yield { start: cursor, end: window.end };
        break;
      }
      if (pause.start > cursor) yield { start: cursor, end: pause.start };
      cursor = pause.end;
    }
  }
}

/**
 * The calendar's opening hours within [from, until), in order, walking local dates from the one `from` falls on.
 * Gives up with an Error after `closedDaysLimit` days on end without an opening (holidays covering every open day).
 */
function* openingWindows(calendar: BusinessCalendar, from: number, until: number, closedDaysLimit: number): Generator<Span> {
  const zone = calendar.timezone;
  const holidays = new Set(calendar.holidays);
  let date = calendarDate(from, zone);
  let countedUpTo = from;
  let closedDays = 0;
  while (localInstant(date, '00:00', zone) < until) {
    const windows = holidays.has(date.toISODate() as string) ? [] : dayWindows(date, calendar.hours[WEEKDAYS[date.weekday - 1] as Weekday] ?? [], zone);
    for (const window of windows) {
      const span = { start: Math.max(window.start, countedUpTo), end: Math.min(window.end, until) };
      if (span.end > span.start) {
        yield span;
        countedUpTo = span.end;
      }
    }
    closedDays = windows.length > 0 ? 0 : closedDays + 1;
    if (closedDays > closedDaysLimit) {
      throw new Error(
        `The business calendar (${zone}) has no opening within ${CLOSED_YEARS_LIMIT} years from ${new Date(from).toISOString()}: holidays close every open day`,
      );
    }
    date = date.plus({ days: 1 });
  }
}

/** A local date's opening hours as real time: the union of its intervals' spans. */
function dayWindows(date: DateTime, intervals: readonly OpeningInterval[], zone: string): Span[] {
  return union(intervals.map(([start, end]) => ({ start: localInstant(date, start, zone), end: localInstant(date, end, zone) })));
}

/**
 * The instant a local wall-clock time ("HH:MM", or "24:00": the next midnight) of a date has in `zone`. A time in
 * a gap moves forward by the gap (Luxon's placing); a time that happens twice is its first occurrence.
 */
function localInstant(date: DateTime, time: string, zone: string): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const day = hour === 24 ? date.plus({ days: 1 }) : date;
  const local = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: hour % 24, minute }, { zone });
  return Math.min(local.toMillis(), ...local.getPossibleOffsets().map((occurrence) => occurrence.toMillis()));
}

/** The local date an instant falls on in `zone`, as a date without a zone (UTC), to step through days. */
function calendarDate(instant: number, zone: string): DateTime {
  const local = DateTime.fromMillis(instant, { zone });
  return DateTime.fromObject({ year: local.year, month: local.month, day: local.day }, { zone: 'utc' });
}

function assertUsable(calendar: BusinessCalendar): void {
  const problems = calendarProblems(calendar);
  if (problems.length > 0) {
    throw new Error(`The business calendar is not usable: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`);
  }
}

// ---- pauses and spans -----------------------------------------------------------------------------------------

/** The closed pauses as sorted disjoint spans, and when the first open pause begins (Infinity: none). */
function parsePauses(pauses: readonly Pause[]): { closed: Span[]; openFrom: number } {
  let openFrom = Infinity;
  const closed: Span[] = [];
  pauses.forEach((pause, index) => {
    const start = isoMs(pause.from, `pauses.${index}.from`);
    if (pause.to === undefined) openFrom = Math.min(openFrom, start);
    else closed.push({ start, end: isoMs(pause.to, `pauses.${index}.to`) });
  });
  return { closed: union(closed), openFrom };
}

/** The union of spans as sorted disjoint spans; empty ones (end <= start) dropped, touching ones joined. */
function union(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((span) => span.end > span.start).sort((a, b) => a.start - b.start);
  const joined: Span[] = [];
  for (const span of sorted) {
    const last = joined[joined.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else joined.push({ ...span });
  }
  return joined;
}

function instantMs(instant: Date, name: string): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is not a valid instant`);
  return ms;
}

function isoMs(text: string, path: string): number {
  const instant = DateTime.fromISO(text);
  if (!instant.isValid) throw new RangeError(`${path} "${text}" is not an ISO 8601 instant`);
  return instant.toMillis();
}

// ---- calendar problems ----------------------------------------------------------------------------------------

function zoneProblems(timezone: string): FieldIssue[] {
  return typeof timezone === 'string' && IANAZone.isValidZone(timezone)
    ? []
    : [{ path: 'timezone', message: `Unknown time zone ${JSON.stringify(timezone)}: must be an IANA zone such as Europe/Berlin` }];
}

function hoursProblems(hours: BusinessCalendar['hours']): FieldIssue[] {
  return Object.entries(hours).flatMap(([day, intervals]) => {
    const path = `hours.${day}`;
    if (!isWeekday(day)) return [{ path, message: `Not a weekday: must be one of ${WEEKDAYS.join(', ')}` }];
    if (intervals === undefined) return [];
    if (!Array.isArray(intervals)) return [{ path, message: 'Must be a list of [start, end] intervals' }];
    return dayProblems(path, intervals);
  });
}

/** Each interval on its own, then overlaps among the well-formed ones (reported on the one that starts later). */
function dayProblems(path: string, intervals: readonly OpeningInterval[]): FieldIssue[] {
  const problems: FieldIssue[] = [];
  const wellFormed: { index: number; start: number; end: number }[] = [];
  intervals.forEach((interval, index) => {
    const here = `${path}.${index}`;
    if (!Array.isArray(interval) || interval.length !== 2) {
      problems.push({ path: here, message: 'Must be a pair [start, end]' });
      return;
    }
    const [start, end] = interval;
    const startOk = isStart(start);
    const endOk = isEnd(end);
    if (!startOk) problems.push({ path: `${here}.0`, message: 'Must be a start time HH:MM from 00:00 to 23:59' });
    if (!endOk) problems.push({ path: `${here}.1`, message: 'Must be an end time HH:MM from 00:00 to 23:59, or 24:00' });
    if (!startOk || !endOk) return;
    if (minutesOf(end) <= minutesOf(start)) {
      problems.push({ path: here, message: `Must end after it starts (${start}–${end}; the end is exclusive, 24:00 is midnight)` });
      return;
    }
    wellFormed.push({ index, start: minutesOf(start), end: minutesOf(end) });
  });
  wellFormed.sort((a, b) => a.start - b.start);
  let latest = wellFormed[0];
  for (const interval of wellFormed.slice(1)) {
    if (latest && interval.start < latest.end) {
      problems.push({ path: `${path}.${interval.index}`, message: `Overlaps ${path}.${latest.index}` });
    }
    if (!latest || interval.end > latest.end) latest = interval;
  }
  return problems;
}

function holidayProblems(holidays: readonly string[]): FieldIssue[] {
  return holidays.flatMap((holiday, index) =>
    isRealDate(holiday) ? [] : [{ path: `holidays.${index}`, message: `Must be a real date YYYY-MM-DD; got ${JSON.stringify(holiday)}` }],
  );
}

function isWeekday(day: string): day is Weekday {
  return (WEEKDAYS as readonly string[]).includes(day);
}

function isStart(time: unknown): time is string {
  return typeof time === 'string' && CLOCK_TIME.test(time);
}

function isEnd(time: unknown): time is string {
  return isStart(time) || time === END_OF_DAY;
}

function isRealDate(text: unknown): boolean {
  return typeof text === 'string' && DATE.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/** Minutes since local midnight of a well-formed "HH:MM" (24:00 → 1440). */
function minutesOf(time: string): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return hour * 60 + minute;
}
