/**
 * The SLA clock of customer care (domain/care/sla-clock.ts): counted time and due times in calendar and business
 * time, across nights, weekends, holidays, split shifts, "24:00" ends, pauses (overlapping, open) and the
 * daylight-saving days of Europe/Berlin and America/New_York; countedMs and dueAt as inverses, by table and by
 * property; pausedMs; calendar validation.
 */
import fc from 'fast-check';
import { DateTime, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import {
  calendarProblems,
  countedMs,
  dueAt,
  hasOpeningHours,
  pausedMs,
  WEEKDAYS,
  type BusinessCalendar,
  type Counting,
  type OpeningInterval,
  type Pause,
  type Weekday,
} from '../../domain/care/sla-clock';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Hours = BusinessCalendar['hours'];
const workdays = (...intervals: OpeningInterval[]): Hours => ({ mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals });
const everyDay = (...intervals: OpeningInterval[]): Hours => Object.fromEntries(WEEKDAYS.map((day) => [day, intervals]));
const calendar = (timezone: string, hours: Hours, holidays: string[] = []): BusinessCalendar => ({ timezone, hours, holidays });

/** Mon–Fri 09:00–17:00 in Berlin; Whit Monday (2026-05-25) a holiday. */
const office = calendar('Europe/Berlin', workdays(['09:00', '17:00']), ['2026-05-25']);
const splitShifts = calendar('Europe/Berlin', workdays(['09:00', '12:00'], ['13:00', '17:00']));
/** Weekday evenings to midnight, and all Saturday. */
const eveningsAndSaturday = calendar('Europe/Berlin', { ...workdays(['18:00', '24:00']), sat: [['00:00', '24:00']] });
const berlinAllDay = calendar('Europe/Berlin', everyDay(['00:00', '24:00']));
const berlinNights = calendar('Europe/Berlin', everyDay(['01:00', '04:00']));
const newYorkAllDay = calendar('America/New_York', everyDay(['00:00', '24:00']));
const newYorkNights = calendar('America/New_York', everyDay(['01:00', '04:00']));

const business = (cal: BusinessCalendar, pauses: Pause[] = []): Counting => ({ businessHours: true, calendar: cal, pauses });
const wallClock = (pauses: Pause[] = []): Counting => ({ businessHours: false, calendar: office, pauses });

const at = (instant: string) => new Date(instant);
const iso = (instant: string) => new Date(instant).toISOString();
const dueIn = (start: string, minutes: number, counting: Counting) => dueAt(at(start), minutes * MINUTE, counting)?.toISOString() ?? null;
const countedMinutes = (from: string, to: string, counting: Counting) => countedMs(at(from), at(to), counting) / MINUTE;

describe('due times in business time', () => {
  it.each([
    // name, calendar, start, target (minutes), due
    ['before opening: from the opening', office, '2026-06-01T07:00:00+02:00', 60, '2026-06-01T10:00:00+02:00'],
    ['exactly at opening', office, '2026-06-01T09:00:00+02:00', 1, '2026-06-01T09:01:00+02:00'],
    ['during opening hours', office, '2026-06-01T10:30:00+02:00', 90, '2026-06-01T12:00:00+02:00'],
    ['reached exactly at closing: due at closing, not at the next opening', office, '2026-06-01T16:00:00+02:00', 60, '2026-06-01T17:00:00+02:00'],
    ['a full day', office, '2026-06-01T09:00:00+02:00', 480, '2026-06-01T17:00:00+02:00'],
    ['one minute more than a day: into the next morning', office, '2026-06-01T09:00:00+02:00', 481, '2026-06-02T09:01:00+02:00'],
    ['after closing: the next morning', office, '2026-06-01T18:00:00+02:00', 30, '2026-06-02T09:30:00+02:00'],
    ['Friday evening: rolls to Monday', office, '2026-06-05T16:30:00+02:00', 60, '2026-06-08T09:30:00+02:00'],
    ['on a Saturday: Monday', office, '2026-06-06T12:00:00+02:00', 30, '2026-06-08T09:30:00+02:00'],
    ['over a holiday (Whit Monday): Tuesday', office, '2026-05-22T16:30:00+02:00', 60, '2026-05-26T09:30:00+02:00'],
    ['a week of 40 hours', office, '2026-06-01T09:00:00+02:00', 40 * 60, '2026-06-05T17:00:00+02:00'],
    ['split shifts: over lunch', splitShifts, '2026-06-01T11:30:00+02:00', 60, '2026-06-01T13:30:00+02:00'],
    ['split shifts: starting at lunch', splitShifts, '2026-06-01T12:15:00+02:00', 30, '2026-06-01T13:30:00+02:00'],
    ['split shifts: reached at the lunch break', splitShifts, '2026-06-01T11:00:00+02:00', 60, '2026-06-01T12:00:00+02:00'],
    ['split shifts: a full day is 7 hours', splitShifts, '2026-06-01T09:00:00+02:00', 7 * 60 + 1, '2026-06-02T09:01:00+02:00'],
    ['"24:00" end: reached at midnight', eveningsAndSaturday, '2026-06-01T23:30:00+02:00', 30, '2026-06-02T00:00:00+02:00'],
    ['"24:00" end runs on into a day open from 00:00', eveningsAndSaturday, '2026-06-05T23:00:00+02:00', 120, '2026-06-06T01:00:00+02:00'],
    ['a 24-hour Saturday, closed Sunday, evenings after', eveningsAndSaturday, '2026-06-06T10:00:00+02:00', 24 * 60, '2026-06-09T22:00:00+02:00'],
  ] as const)('%s', (_name, cal, start, minutes, due) => {
    expect(dueIn(start, minutes, business(cal))).toBe(iso(due));
  });
});

describe('daylight-saving days in the calendar zone', () => {
  /** The whole local day, midnight to midnight, as Luxon places it. */
  const localDay = (date: string, zone: string) => {
    const midnight = DateTime.fromISO(date, { zone });
    return [midnight.toJSDate(), midnight.plus({ days: 1 }).toJSDate()] as const;
  };

  it.each([
    // name, calendar, local date, counted hours of that day
    ['Berlin 00:00–24:00', berlinAllDay, '2026-06-01', 24],
    ['Berlin 00:00–24:00', berlinAllDay, '2026-03-29', 23],
    ['Berlin 00:00–24:00', berlinAllDay, '2026-10-25', 25],
    ['Berlin 01:00–04:00', berlinNights, '2026-06-01', 3],
    ['Berlin 01:00–04:00', berlinNights, '2026-03-29', 2],
    ['Berlin 01:00–04:00', berlinNights, '2026-10-25', 4],
    ['New York 00:00–24:00', newYorkAllDay, '2026-03-08', 23],
    ['New York 00:00–24:00', newYorkAllDay, '2026-11-01', 25],
    ['New York 01:00–04:00', newYorkNights, '2026-03-08', 2],
    // 01:00 happens twice in New York on 2026-11-01: the interval starts at the first, 01:00 EDT.
    ['New York 01:00–04:00', newYorkNights, '2026-11-01', 4],
  ] as const)('%s on %s counts %d hours', (_name, cal, date, hours) => {
    const [from, to] = localDay(date, cal.timezone);
    expect(countedMs(from, to, business(cal))).toBe(hours * HOUR);
  });

  it.each([
    // name, calendar, start, target (minutes), due
    ['Berlin 00:00–24:00', berlinAllDay, '2026-03-29T00:00:00+01:00', 24 * 60, '2026-03-30T01:00:00+02:00'],
    ['Berlin 00:00–24:00', berlinAllDay, '2026-10-25T00:00:00+02:00', 24 * 60, '2026-10-25T23:00:00+01:00'],
    ['Berlin 01:00–04:00', berlinNights, '2026-03-29T00:00:00+01:00', 150, '2026-03-30T01:30:00+02:00'],
    ['Berlin 01:00–04:00', berlinNights, '2026-10-25T00:00:00+02:00', 210, '2026-10-25T03:30:00+01:00'],
    ['New York 00:00–24:00', newYorkAllDay, '2026-03-08T00:00:00-05:00', 24 * 60, '2026-03-09T01:00:00-04:00'],
    ['New York 00:00–24:00', newYorkAllDay, '2026-11-01T00:00:00-04:00', 24 * 60, '2026-11-01T23:00:00-05:00'],
    // 01:00 EST + 1 h is 02:00 EST, which is 03:00 EDT.
    ['New York 01:00–04:00', newYorkNights, '2026-03-08T00:00:00-05:00', 90, '2026-03-08T03:30:00-04:00'],
    // An hour after the first 01:00 it is 01:00 again.
    ['New York 01:00–04:00', newYorkNights, '2026-11-01T00:00:00-04:00', 60, '2026-11-01T01:00:00-05:00'],
  ] as const)('%s from %s, %d minutes: %s', (_name, cal, start, minutes, due) => {
    expect(dueIn(start, minutes, business(cal))).toBe(iso(due));
  });

  describe('opening times inside the change, whatever the season the code runs in', () => {
    const luxonNow = Settings.now;
    afterEach(() => {
      Settings.now = luxonNow;
    });
    const sundays = (...intervals: OpeningInterval[]) => calendar('Europe/Berlin', { sun: intervals });

    it.each([
      ['2026-07-01T12:00:00Z'],
      ['2026-12-01T12:00:00Z'],
    ])('today being %s', (today) => {
      Settings.now = () => Date.parse(today);
      // 02:30 does not exist on 2026-03-29: it moves forward by the gap, to 03:30 CEST.
      const gap = business(sundays(['02:30', '05:00']));
      expect(countedMinutes('2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', gap)).toBe(90);
      expect(dueIn('2026-03-29T00:00:00+01:00', 1, gap)).toBe(iso('2026-03-29T03:31:00+02:00'));
      // 02:30 happens twice on 2026-10-25: the interval starts at the first, 02:30 CEST.
      const twice = business(sundays(['02:30', '04:00']));
      expect(countedMinutes('2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', twice)).toBe(150);
      expect(dueIn('2026-10-25T00:00:00+02:00', 1, twice)).toBe(iso('2026-10-25T02:31:00+02:00'));
      // 01:00–02:45 ends at 03:45 CEST, after 03:00–04:00 began: the overlap counts once.
      for (const overlapping of [sundays(['01:00', '02:45'], ['03:00', '04:00']), sundays(['03:00', '04:00'], ['01:00', '02:45'])]) {
        expect(countedMinutes('2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', business(overlapping))).toBe(120);
      }
    });
  });
});

describe('pauses', () => {
  const start = '2026-06-01T10:00:00Z';
  const pause = (from: string, to?: string): Pause => (to === undefined ? { from: `2026-06-01T${from}Z` } : { from: `2026-06-01T${from}Z`, to: `2026-06-01T${to}Z` });

  it.each([
    // name, pauses, target (minutes), due (UTC time on 2026-06-01, or null)
    ['none', [], 90, '11:30'],
    ['one', [pause('10:30:00', '11:00:00')], 90, '12:00'],
    ['overlapping: their union', [pause('10:30:00', '11:00:00'), pause('10:45:00', '11:30:00')], 90, '12:30'],
    ['touching', [pause('10:30:00', '11:00:00'), pause('11:00:00', '11:15:00')], 90, '12:15'],
    ['one inside another', [pause('10:30:00', '11:30:00'), pause('10:40:00', '10:50:00')], 90, '12:30'],
    ['before the start: no matter', [pause('08:00:00', '09:00:00')], 90, '11:30'],
    ['over the start: only the part after it', [pause('09:30:00', '10:30:00')], 90, '12:00'],
    ['of no length', [pause('10:30:00', '10:30:00')], 90, '11:30'],
    ['target reached exactly as a pause begins: due then', [pause('10:30:00', '12:00:00')], 30, '10:30'],
    ['open, before the target is reached: no due time', [pause('11:00:00')], 90, null],
    ['open, from before the start', [pause('09:00:00')], 90, null],
    ['open, exactly when the target is reached', [pause('11:30:00')], 90, '11:30'],
    ['open, after the target is reached', [pause('12:00:00')], 90, '11:30'],
    ['open, inside a closed one', [pause('10:30:00', '12:00:00'), pause('11:00:00')], 60, null],
  ] as const)('in calendar time: %s', (_name, pauses, minutes, due) => {
    expect(dueIn(start, minutes, wallClock([...pauses]))).toBe(due === null ? null : iso(`2026-06-01T${due}:00Z`));
  });

  /** A pause given in Berlin local time (open when `to` is left out). */
  const berlin = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Berlin' }).toUTC().toISO() as string;
  const localPause = (from: string, to?: string): Pause => (to === undefined ? { from: berlin(from) } : { from: berlin(from), to: berlin(to) });

  it.each([
    // name, calendar, pauses, start, target (minutes), due (all Berlin local)
    ['partly before opening', office, [localPause('2026-06-01T08:00', '2026-06-01T10:00')], '2026-06-01T09:00', 120, '2026-06-01T12:00'],
    ['over the night', office, [localPause('2026-06-01T16:00', '2026-06-02T10:00')], '2026-06-01T15:00', 180, '2026-06-02T12:00'],
    ['over the weekend only: no matter', office, [localPause('2026-06-06T10:00', '2026-06-07T18:00')], '2026-06-05T16:30', 60, '2026-06-08T09:30'],
    [
      'overlapping, over the lunch break of split shifts',
      splitShifts,
      [localPause('2026-06-01T11:00', '2026-06-01T12:30'), localPause('2026-06-01T12:15', '2026-06-01T14:00')],
      '2026-06-01T09:00',
      180,
      '2026-06-01T15:00',
    ],
    ['open from closing, target not reached', office, [localPause('2026-06-05T17:00')], '2026-06-05T16:30', 60, null],
    ['open from Friday night, target reached at closing', office, [localPause('2026-06-05T18:00')], '2026-06-05T16:00', 60, '2026-06-05T17:00'],
    ['open after the due time', office, [localPause('2026-06-08T10:00')], '2026-06-05T16:30', 60, '2026-06-08T09:30'],
  ] as const)('in business time: %s', (_name, cal, pauses, start, minutes, due) => {
    expect(dueIn(berlin(start), minutes, business(cal, [...pauses]))).toBe(due === null ? null : berlin(due));
  });

  it.each([
    // name, pause (Berlin local), target (hours, from Monday 09:00), due with the pause (without: Monday or Friday 17:00)
    ['over lunch', localPause('2026-06-01T11:00', '2026-06-01T13:30'), 8, '2026-06-02T11:30'],
    ['over the night', localPause('2026-06-01T16:00', '2026-06-02T10:00'), 8, '2026-06-02T11:00'],
    ['over a weekend and into Monday', localPause('2026-06-05T16:00', '2026-06-08T10:00'), 40, '2026-06-08T11:00'],
  ])('a pause and its resume move the due time by exactly the business time paused: %s', (_name, paused, hours, due) => {
    const start = at('2026-06-01T09:00:00+02:00');
    const target = hours * HOUR;
    const pausedBusiness = countedMs(at(paused.from), at(paused.to as string), business(office));
    const before = dueAt(start, target, business(office)) as Date;
    const after = dueAt(start, target, business(office, [paused])) as Date;
    expect(after.toISOString()).toBe(berlin(due));
    expect(countedMs(before, after, business(office))).toBe(pausedBusiness);
    expect(after).toEqual(dueAt(start, target + pausedBusiness, business(office)));
  });
});

describe('counted time', () => {
  it.each([
    // name, from, to, counting, counted minutes
    ['to before from', '2026-06-01T12:00:00Z', '2026-06-01T10:00:00Z', wallClock(), 0],
    ['to equal to from', '2026-06-01T12:00:00Z', '2026-06-01T12:00:00Z', wallClock(), 0],
    ['calendar time', '2026-06-01T10:00:00Z', '2026-06-01T12:00:00Z', wallClock(), 120],
    ['calendar time over a weekend', '2026-06-05T10:00:00Z', '2026-06-08T10:00:00Z', wallClock(), 3 * 24 * 60],
    [
      'calendar time minus overlapping pauses',
      '2026-06-01T10:00:00Z',
      '2026-06-01T12:00:00Z',
      wallClock([
        { from: '2026-06-01T09:00:00Z', to: '2026-06-01T10:30:00Z' },
        { from: '2026-06-01T10:15:00Z', to: '2026-06-01T10:45:00Z' },
        { from: '2026-06-01T11:50:00Z', to: '2026-06-01T13:00:00Z' },
      ]),
      65,
    ],
    ['an open pause lasts until `to`', '2026-06-01T10:00:00Z', '2026-06-01T12:00:00Z', wallClock([{ from: '2026-06-01T11:00:00Z' }]), 60],
    ['an open pause from before `from`', '2026-06-01T10:00:00Z', '2026-06-01T12:00:00Z', wallClock([{ from: '2026-06-01T08:00:00Z' }]), 0],
    ['business time, Friday to Monday', '2026-06-05T16:00:00+02:00', '2026-06-08T10:00:00+02:00', business(office), 120],
    ['business time over Whit Monday', '2026-05-22T16:00:00+02:00', '2026-05-26T10:00:00+02:00', business(office), 120],
    ['business time, a whole week', '2026-06-01T00:00:00+02:00', '2026-06-08T00:00:00+02:00', business(office), 40 * 60],
    ['business time, a weekend', '2026-06-06T00:00:00+02:00', '2026-06-08T00:00:00+02:00', business(office), 0],
    ['split shifts, a day', '2026-06-01T00:00:00+02:00', '2026-06-02T00:00:00+02:00', business(splitShifts), 7 * 60],
    [
      'business time minus a pause partly outside hours',
      '2026-06-01T08:00:00+02:00',
      '2026-06-02T12:00:00+02:00',
      business(office, [{ from: '2026-06-01T14:00:00Z', to: '2026-06-02T08:00:00Z' }]),
      7 * 60 + 2 * 60,
    ],
    ['no opening hours at all: nothing counts', '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z', business(calendar('UTC', {})), 0],
  ] as const)('%s', (_name, from, to, counting, minutes) => {
    expect(countedMinutes(from, to, counting)).toBe(minutes);
  });
});

describe('countedMs and dueAt are inverses', () => {
  const starts = [
    '2026-06-01T07:00:00+02:00',
    '2026-06-01T09:00:00+02:00',
    '2026-06-01T12:00:00+02:00',
    '2026-06-01T17:00:00+02:00',
    '2026-06-05T16:59:59.999+02:00',
    '2026-05-22T18:00:00+02:00',
    '2026-03-28T23:30:00+01:00',
    '2026-10-24T22:00:00+02:00',
    '2026-11-01T00:30:00-04:00',
    '2026-03-07T12:00:00-05:00',
  ];
  const targets = [1, MINUTE, 59 * MINUTE, 3 * HOUR + 7, 8 * HOUR, 3 * DAY];
  const somePauses: Pause[] = [
    { from: '2026-06-01T08:30:00Z', to: '2026-06-01T10:00:00Z' },
    { from: '2026-06-01T09:45:00Z', to: '2026-06-02T09:00:00Z' },
    { from: '2026-10-25T00:15:00Z', to: '2026-10-25T01:45:00Z' },
    { from: '2026-03-08T06:30:00Z', to: '2026-03-08T07:10:00Z' },
  ];
  const countings: [string, Counting][] = [
    ['calendar time', wallClock()],
    ['calendar time with pauses', wallClock(somePauses)],
    ...[office, splitShifts, eveningsAndSaturday, berlinNights, newYorkAllDay, newYorkNights].flatMap((cal): [string, Counting][] => [
      [`business time in ${JSON.stringify(cal.hours.mon ?? cal.hours.sat)} ${cal.timezone}`, business(cal)],
      [`business time in ${JSON.stringify(cal.hours.mon ?? cal.hours.sat)} ${cal.timezone} with pauses`, business(cal, somePauses)],
    ]),
  ];

  it.each(countings)('%s', (_name, counting) => {
    for (const start of starts) {
      for (const target of targets) {
        const due = dueAt(at(start), target, counting) as Date;
        const label = `${start} + ${target} ms → ${due.toISOString()}`;
        expect(countedMs(at(start), due, counting), label).toBe(target);
        expect(countedMs(at(start), new Date(due.getTime() - 1), counting), `${label}, a millisecond before`).toBe(target - 1);
      }
    }
  });

  it('a target of 0 is due at its start, whatever the hours and pauses', () => {
    const sunday = at('2026-06-07T12:00:00Z');
    expect(dueAt(sunday, 0, business(office, [{ from: '2026-06-07T11:00:00Z' }]))).toEqual(sunday);
    expect(dueAt(sunday, 0, wallClock([{ from: '2026-06-07T11:00:00Z' }]))).toEqual(sunday);
  });
});

describe('the property: on random calendars, pauses and targets, dueAt is the earliest instant countedMs reaches the target at', () => {
  const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'] as const;
  const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

  /** Up to three disjoint intervals of half hours (so some start or end inside a daylight-saving change). */
  const dayHours = fc.uniqueArray(fc.integer({ min: 0, max: 48 }), { maxLength: 6 }).map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const intervals: OpeningInterval[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push([hhmm((sorted[i] as number) * 30), hhmm((sorted[i + 1] as number) * 30)]);
    return intervals;
  });
  const holiday = fc.integer({ min: 0, max: 364 }).map((day) => DateTime.fromMillis(YEAR_START + day * DAY, { zone: 'utc' }).toISODate() as string);
  const randomCalendar = fc
    .record({
      timezone: fc.constantFrom(...ZONES),
      hours: fc.record(Object.fromEntries(WEEKDAYS.map((day) => [day, dayHours])) as Record<Weekday, typeof dayHours>, { requiredKeys: [] }),
      holidays: fc.uniqueArray(holiday, { maxLength: 12 }),
    })
    .filter(hasOpeningHours);
  const scenario = fc
    .record({
      businessHours: fc.boolean(),
      calendar: randomCalendar,
      start: fc.integer({ min: YEAR_START, max: YEAR_START + 364 * DAY }),
      pauses: fc.array(
        fc.record({ offset: fc.integer({ min: -2 * DAY, max: 20 * DAY }), length: fc.integer({ min: 0, max: 3 * DAY }), open: fc.constantFrom(false, false, false, true) }),
        { maxLength: 4 },
      ),
      target: fc.oneof(fc.integer({ min: 0, max: 10 * HOUR }), fc.integer({ min: 0, max: 100 * HOUR })),
    })
    .map(({ businessHours, calendar: cal, start, pauses, target }) => ({
      start: new Date(start),
      target,
      counting: {
        businessHours,
        calendar: cal,
        pauses: pauses.map(({ offset, length, open }): Pause => {
          const from = new Date(start + offset).toISOString();
          return open ? { from } : { from, to: new Date(start + offset + length).toISOString() };
        }),
      },
    }));

  it('countedMs(start, dueAt(start, t)) is t, a millisecond earlier t - 1; no due time only if an open pause stops the clock first', () => {
    fc.assert(
      fc.property(scenario, ({ start, target, counting }) => {
        const due = dueAt(start, target, counting);
        if (due === null) {
          const openFrom = Math.min(...counting.pauses.filter((pause) => pause.to === undefined).map((pause) => Date.parse(pause.from)));
          expect(openFrom).toBeLessThan(Infinity);
          expect(countedMs(start, new Date(openFrom), counting)).toBeLessThan(target);
          expect(countedMs(start, new Date(openFrom + 30 * DAY), counting)).toBe(countedMs(start, new Date(openFrom), counting));
          return;
        }
        expect(countedMs(start, due, counting)).toBe(target);
        if (target > 0) expect(countedMs(start, new Date(due.getTime() - 1), counting)).toBe(target - 1);
      }),
      { numRuns: 200 },
    );
  });

  it('counted time adds up: from a to c is from a to b plus from b to c', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 10 * DAY }), fc.integer({ min: 0, max: 10 * DAY }), ({ start, counting }, first, second) => {
        const middle = new Date(start.getTime() + first);
        const end = new Date(middle.getTime() + second);
        expect(countedMs(start, end, counting)).toBe(countedMs(start, middle, counting) + countedMs(middle, end, counting));
      }),
      { numRuns: 200 },
    );
  });
});

describe('paused time', () => {
  const now = at('2026-06-01T12:00:00Z');
  const p = (from: string, to?: string): Pause => (to === undefined ? { from: `2026-06-01T${from}:00Z` } : { from: `2026-06-01T${from}:00Z`, to: `2026-06-01T${to}:00Z` });

  it.each([
    // name, pauses, paused minutes
    ['none', [], 0],
    ['one closed', [p('10:00', '10:30')], 30],
    ['two apart', [p('08:00', '09:00'), p('10:00', '10:15')], 75],
    ['overlapping: their union', [p('10:00', '10:30'), p('10:15', '11:00')], 60],
    ['open: until now', [p('11:00')], 60],
    ['two open: from the first', [p('11:00'), p('11:30')], 60],
    ['open after now: nothing yet', [p('13:00')], 0],
    ['closed, ending after now: up to now', [p('11:30', '12:30')], 30],
    ['of no length', [p('10:00', '10:00')], 0],
  ] as const)('%s', (_name, pauses, minutes) => {
    expect(pausedMs([...pauses], now)).toBe(minutes * MINUTE);
  });
});

describe('calendar problems', () => {
  const mon = (...intervals: OpeningInterval[]) => calendar('Europe/Berlin', { mon: intervals });

  it.each([
    // name, calendar, paths of the problems
    ['office hours', office, []],
    ['touching intervals and a "24:00" end', mon(['09:00', '12:00'], ['12:00', '24:00']), []],
    ['a 24-hour day', mon(['00:00', '24:00']), []],
    ['no hours at all (valid, though useless for business time)', calendar('UTC', {}), []],
    ['a start not HH:MM', mon(['9:00', '17:00']), ['hours.mon.0.0']],
    ['"24:00" as a start', mon(['24:00', '24:00']), ['hours.mon.0.0']],
    ['an end past midnight', mon(['09:00', '24:01']), ['hours.mon.0.1']],
    ['minute 60', mon(['09:00', '12:60']), ['hours.mon.0.1']],
    ['both ends wrong', mon(['25:00', 'noon']), ['hours.mon.0.0', 'hours.mon.0.1']],
    ['an end equal to its start', mon(['09:00', '09:00']), ['hours.mon.0']],
    ['an end before its start', mon(['17:00', '09:00']), ['hours.mon.0']],
    ['overlapping intervals: on the later one', mon(['09:00', '12:00'], ['11:00', '13:00']), ['hours.mon.1']],
    ['overlapping, listed the other way round', mon(['11:00', '13:00'], ['09:00', '12:00']), ['hours.mon.0']],
    ['one inside another, and a third after it', mon(['08:00', '18:00'], ['09:00', '10:00'], ['11:00', '12:00']), ['hours.mon.1', 'hours.mon.2']],
    ['a holiday that is no date', calendar('UTC', {}, ['2026-02-30', '2026-05-25', '2026-2-3', '25.05.2026']), ['holidays.0', 'holidays.2', 'holidays.3']],
    ['an unknown time zone', calendar('Mars/Olympus_Mons', {}), ['timezone']],
    ['an unknown weekday', calendar('UTC', { monday: [['09:00', '17:00']] } as Hours), ['hours.monday']],
  ] as const)('%s', (_name, cal, paths) => {
    expect(calendarProblems(cal).map((problem) => problem.path)).toEqual(paths);
  });

  it('says what is wrong', () => {
    expect(calendarProblems(mon(['09:00', '12:00'], ['11:00', '13:00']))).toEqual([{ path: 'hours.mon.1', message: 'Overlaps hours.mon.0' }]);
    expect(calendarProblems(calendar('Mars/Olympus_Mons', {}))[0]?.message).toMatch(/Unknown time zone "Mars\/Olympus_Mons"/);
  });
});

describe('whether a calendar has opening hours', () => {
  it.each([
    ['office hours', office, true],
    ['none', calendar('UTC', {}), false],
    ['every day empty', calendar('UTC', everyDay()), false],
    ['only Sunday, all day', calendar('UTC', { sun: [['00:00', '24:00']] }), true],
    ['only an empty interval', calendar('UTC', { mon: [['09:00', '09:00']] }), false],
    ['only a malformed interval', calendar('UTC', { mon: [['9', '17']] }), false],
  ] as const)('%s: %s', (_name, cal, expected) => {
    expect(hasOpeningHours(cal)).toBe(expected);
  });
});

describe('faults', () => {
  const monday = at('2026-06-01T09:00:00Z');

  it.each([
    ['no hours', calendar('UTC', {})],
    ['only empty days', calendar('UTC', everyDay())],
  ])('business time without opening hours never falls due: an error (%s)', (_name, cal) => {
    expect(() => dueAt(monday, HOUR, business(cal))).toThrow(/no opening hours/);
  });

  it('a calendar whose holidays close every open day for years: an error, not an endless walk', () => {
    const mondaysOnly = calendar('UTC', { mon: [['09:00', '17:00']] }, []);
    const mondays = Array.from({ length: 5 * 53 }, (_, week) => DateTime.fromISO('2026-06-01', { zone: 'utc' }).plus({ weeks: week }).toISODate() as string);
    const closed = { ...mondaysOnly, holidays: mondays };
    expect(() => dueAt(monday, HOUR, business(closed))).toThrow(/no opening within 3 years/);
    expect(countedMs(monday, at('2030-01-01T00:00:00Z'), business(closed))).toBe(0);
    // An open pause that stops the clock first ends the walk before that.
    expect(dueAt(monday, HOUR, business(closed, [{ from: '2026-07-01T00:00:00Z' }]))).toBeNull();
  });

  it('a calendar with problems is refused by both, naming them; calendar time does not read it', () => {
    const broken = calendar('Europe/Berlin', { mon: [['9:00', '17:00']] });
    expect(() => dueAt(monday, HOUR, business(broken))).toThrow(/not usable: hours\.mon\.0\.0/);
    expect(() => countedMs(monday, at('2026-06-02T00:00:00Z'), business(broken))).toThrow(/not usable: hours\.mon\.0\.0/);
    expect(dueAt(monday, HOUR, { businessHours: false, calendar: broken, pauses: [] })).toEqual(at('2026-06-01T10:00:00Z'));
  });

  it.each([-1, 0.5, Number.NaN, Infinity])('a target of %s ms is refused', (target) => {
    expect(() => dueAt(monday, target, wallClock())).toThrow(RangeError);
  });

  it('an invalid instant or pause is refused', () => {
    expect(() => dueAt(new Date(Number.NaN), HOUR, wallClock())).toThrow(RangeError);
    expect(() => countedMs(monday, new Date(Number.NaN), wallClock())).toThrow(RangeError);
    expect(() => dueAt(monday, HOUR, wallClock([{ from: 'yesterday' }]))).toThrow(/pauses\.0\.from/);
    expect(() => pausedMs([{ from: '2026-06-01T08:00:00Z', to: 'soon' }], monday)).toThrow(/pauses\.0\.to/);
  });
});
