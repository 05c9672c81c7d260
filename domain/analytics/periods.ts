/**
 * The reporting calendar: which period an instant falls in, and which instants a period covers, cut in the
 * tenant's reporting time zone so a figure never depends on who looks at it. Pure; time zones and ISO weeks by
 * Luxon (the IANA database of the runtime's ICU), not by hand.
 *
 * Period ids:
 * - day `2027-03-14`, week `2027-W11` (ISO 8601: Monday to Sunday; the week-numbering year can differ from the
 *   calendar year around New Year), month `2027-03`;
 * - fiscal quarter `FY2027-Q1` and fiscal year `FY2027`. The fiscal year starts on the first of
 *   `fiscalYearStartMonth` and is named by the calendar year it ends in (as Microsoft, Apple and the US federal
 *   government name theirs): with April, FY2027 runs 2026-04-01 to 2027-03-31; with January it is the calendar year.
 *
 * A period runs from local midnight of its first day to local midnight after its last: a day of a daylight-saving
 * change lasts 23 or 25 hours, and no instant falls in two periods of a kind or in none.
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../errors';

/** The local date of an instant in the calendar's zone: defined in the kernel, for the contexts below analytics. */
export { localDate } from '../shared/local-date';

export interface ReportingCalendar {
  /** IANA time zone. */
  timezone: string;
  /** 1–12. */
  fiscalYearStartMonth: number;
}

export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  id: string;
  kind: PeriodKind;
  /** The first instant of the period (UTC, ISO 8601). */
  start: string;
  /** The first instant after it. */
  end: string;
  /** Its first and last local dates. */
  firstDay: string;
  lastDay: string;
}

const PATTERNS: ReadonlyArray<[PeriodKind, RegExp]> = [
  ['day', /^(\d{4})-(\d{2})-(\d{2})$/],
  ['week', /^(\d{4})-W(\d{2})$/],
  ['month', /^(\d{4})-(\d{2})$/],
  ['quarter', /^FY(\d{4})-Q([1-4])$/],
  ['year', /^FY(\d{4})$/],
];

/** The id of every period the instant falls in. */
export function periodsOf(instant: Date | string, calendar: ReportingCalendar): Record<PeriodKind, string> {
  const local = localTime(instant, calendar);
  const fiscal = fiscalPosition(local.year, local.month, calendar.fiscalYearStartMonth);
  return {
    day: local.toISODate() as string,
    week: `${local.weekYear}-W${pad(local.weekNumber)}`,
    month: `${local.year}-${pad(local.month)}`,
    quarter: `FY${fiscal.year}-Q${fiscal.quarter}`,
    year: `FY${fiscal.year}`,
  };
}

/** The period an id names, or a 400 naming `path` (`query.period` by default). */
export function parsePeriod(id: string, calendar: ReportingCalendar, path = 'query.period'): Period {
  const refuse = (why: string) =>
    new ValidationError(`"${id}" is not a period: ${why}`, [
      { path, message: 'Must be a period id: 2027-03-14 (day), 2027-W11 (ISO week), 2027-03 (month), FY2027-Q1 (fiscal quarter) or FY2027 (fiscal year)' },
    ]);
  const match = PATTERNS.find(([, pattern]) => pattern.test(id));
  if (!match) throw refuse('unknown form');
  const [kind, pattern] = match;
  const [, a, b, c] = pattern.exec(id) as RegExpExecArray;
  const zone = calendar.timezone;
  let first: DateTime;
  let next: DateTime;
  switch (kind) {
    case 'day':
      first = DateTime.fromObject({ year: Number(a), month: Number(b), day: Number(c) }, { zone });
      next = first.plus({ days: 1 });
      break;
    case 'week': {
      first = DateTime.fromObject({ weekYear: Number(a), weekNumber: Number(b), weekday: 1 }, { zone });
      if (first.isValid && first.weekNumber !== Number(b)) throw refuse(`${a} has no ISO week ${b}`);
      next = first.plus({ weeks: 1 });
      break;
    }
    case 'month':
      first = DateTime.fromObject({ year: Number(a), month: Number(b), day: 1 }, { zone });
      next = first.plus({ months: 1 });
      break;
    case 'quarter':
    case 'year': {
      const start = fiscalYearStart(Number(a), calendar.fiscalYearStartMonth);
      const quarter = kind === 'quarter' ? Number(b) : 1;
      first = DateTime.fromObject({ year: start.year, month: start.month, day: 1 }, { zone }).plus({ months: 3 * (quarter - 1) });
      next = first.plus({ months: kind === 'quarter' ? 3 : 12 });
      break;
    }
  }
  if (!first.isValid || !next.isValid) throw refuse(first.invalidExplanation ?? 'no such date');
  return {
    id,
    kind,
    start: first.toUTC().toISO() as string,
    end: next.toUTC().toISO() as string,
    firstDay: first.toISODate() as string,
    lastDay: next.minus({ days: 1 }).toISODate() as string,
  };
}

/** The period of the same kind just before this one (for "against the previous period"). */
export function previousPeriod(id: string, calendar: ReportingCalendar): string {
  const period = parsePeriod(id, calendar);
  const lastInstantBefore = DateTime.fromISO(period.start).minus({ milliseconds: 1 });
  return periodsOf(lastInstantBefore.toJSDate(), calendar)[period.kind];
}

function localTime(instant: Date | string, calendar: Pick<ReportingCalendar, 'timezone'>): DateTime {
  const time = (typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant)).setZone(calendar.timezone);
  if (!time.isValid) throw new RangeError(`Cannot place ${String(instant)} in ${calendar.timezone}: ${time.invalidExplanation ?? 'invalid'}`);
  return time;
}

/** Which fiscal year (named by the year it ends in) and quarter a local month is in. */
function fiscalPosition(year: number, month: number, startMonth: number): { year: number; quarter: number } {
  const monthsIn = (month - startMonth + 12) % 12;
  const endsIn = startMonth === 1 ? year : month >= startMonth ? year + 1 : year;
  return { year: endsIn, quarter: Math.floor(monthsIn / 3) + 1 };
}

/** The first month of fiscal year `fiscalYear`. */
function fiscalYearStart(fiscalYear: number, startMonth: number): { year: number; month: number } {
  return { year: startMonth === 1 ? fiscalYear : fiscalYear - 1, month: startMonth };
}

const pad = (value: number) => String(value).padStart(2, '0');
