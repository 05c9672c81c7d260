/**
 * The local date of an instant in a time zone: the one definition the reporting calendar (domain/analytics,
 * which re-exports it) and the contexts below it (a deal's close date, for its frozen exchange rate) share.
 * Time zones by Luxon (the IANA database of the runtime's ICU).
 */
import { DateTime } from 'luxon';

/** The local date (YYYY-MM-DD) of an instant in `timezone` (IANA). */
export function localDate(instant: Date | string, calendar: { timezone: string }): string {
  const time = (typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant)).setZone(calendar.timezone);
  if (!time.isValid) throw new RangeError(`Cannot place ${String(instant)} in ${calendar.timezone}: ${time.invalidExplanation ?? 'invalid'}`);
  return time.toISODate() as string;
}
