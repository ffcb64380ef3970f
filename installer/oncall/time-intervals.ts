// Absolute spans of time -> Alertmanager time_intervals entries evaluated in the site's zone
// (`location`). Alertmanager has no absolute date-time ranges, only conjunctions of
// years/months/days_of_month/weekdays/times; a span becomes at most: its first (partial) day, runs of
// whole days per month, and its last (partial) day. Local wall-clock boundaries make this DST-correct
// because Alertmanager converts each instant to `location` before comparing.
import { DateTime } from 'luxon';

export interface AmTimeRange {
  start_time: string;
  end_time: string;
}
export interface AmTimeInterval {
  times?: AmTimeRange[];
  weekdays?: string[];
  days_of_month?: string[];
  months?: string[];
  years?: string[];
  location?: string;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
// Two digits each, as luxon's toFormat('HH:mm') writes them (without its format parser: ~40% of a render).
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const hhmm = (d: DateTime) => `${two(d.hour)}:${two(d.minute)}`;

/** A local calendar date: whole days are counted on the calendar, with no time zone math. */
interface LocalDate {
  year: number;
  month: number;
  day: number;
}
const daysInMonth = (d: LocalDate) => new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
const dateOf = (d: DateTime): LocalDate => ({ year: d.year, month: d.month, day: d.day });
const compare = (a: LocalDate, b: LocalDate) => a.year - b.year || a.month - b.month || a.day - b.day;
function nextDay(d: LocalDate): LocalDate {
  if (d.day < daysInMonth(d)) return { ...d, day: d.day + 1 };
  return d.month < 12 ? { year: d.year, month: d.month + 1, day: 1 } : { year: d.year + 1, month: 1, day: 1 };
}
function previousDay(d: LocalDate): LocalDate {
  if (d.day > 1) return { ...d, day: d.day - 1 };
  const m = d.month > 1 ? { year: d.year, month: d.month - 1 } : { year: d.year - 1, month: 12 };
  return { ...m, day: daysInMonth({ ...m, day: 1 }) };
}

function dayEntry(d: LocalDate, zone: string, times?: AmTimeRange): AmTimeInterval {
  return {
    ...(times ? { times: [times] } : {}),
    days_of_month: [String(d.day)],
    months: [MONTHS[d.month - 1]!],
    years: [String(d.year)],
    location: zone,
  };
}

/** Whole local days [from, to] (inclusive dates), grouped per month. */
function wholeDays(from: LocalDate, to: LocalDate, zone: string): AmTimeInterval[] {
  const out: AmTimeInterval[] = [];
  let d = from;
  while (compare(d, to) <= 0) {
    const monthEnd = { ...d, day: daysInMonth(d) };
    const last = compare(monthEnd, to) < 0 ? monthEnd : to;
    out.push({
      days_of_month: [d.day === last.day ? String(d.day) : `${d.day}:${last.day}`],
      months: [MONTHS[d.month - 1]!],
      years: [String(d.year)],
      location: zone,
    });
    d = nextDay(last);
  }
  return out;
}

/**
 * Alertmanager entries covering exactly the local wall-clock span of [start, end) (epoch ms). Only the
 * two ends need the zone; the days between are calendar dates (a whole skipped date, as Samoa's
 * 2011-12-30, is named like any other: Alertmanager never meets it).
 */
export function spanToIntervals(start: number, end: number, zone: string): AmTimeInterval[] {
  if (end <= start) return [];
  const s = DateTime.fromMillis(start, { zone });
  const e = DateTime.fromMillis(end, { zone });
  const sDay = dateOf(s),
    eDay = dateOf(e);
  const sMidnight = s.hour === 0 && s.minute === 0;
  const eMidnight = e.hour === 0 && e.minute === 0;
  if (compare(sDay, eDay) === 0) return [dayEntry(sDay, zone, { start_time: hhmm(s), end_time: hhmm(e) })];
  const out: AmTimeInterval[] = [];
  let firstWhole = sDay;
  if (!sMidnight) {
    out.push(dayEntry(sDay, zone, { start_time: hhmm(s), end_time: '24:00' }));
    firstWhole = nextDay(sDay);
  }
  const lastWhole = previousDay(eDay);
  if (compare(firstWhole, lastWhole) <= 0) out.push(...wholeDays(firstWhole, lastWhole, zone));
  if (!eMidnight) out.push(dayEntry(eDay, zone, { start_time: '00:00', end_time: hhmm(e) }));
  return out;
}

/** Everything outside [start, end): before it (back to 1970) and after it (up to year 9999). */
export function complementIntervals(start: number, end: number, zone: string): AmTimeInterval[] {
  const s = DateTime.fromMillis(start, { zone });
  const e = DateTime.fromMillis(end, { zone });
  const out: AmTimeInterval[] = [];
  // before: earlier years, earlier months of the year, earlier days of the month, earlier time of the day
  if (s.year > 1970) out.push({ years: [`1970:${s.year - 1}`], location: zone });
  if (s.month > 1) out.push({ months: [`january:${MONTHS[s.month - 2]}`], years: [String(s.year)], location: zone });
  if (s.day > 1)
    out.push({
      days_of_month: [`1:${s.day - 1}`],
      months: [MONTHS[s.month - 1]!],
      years: [String(s.year)],
      location: zone,
    });
  if (s.hour !== 0 || s.minute !== 0) out.push(dayEntry(s, zone, { start_time: '00:00', end_time: hhmm(s) }));
  // after
  if (e.hour !== 0 || e.minute !== 0) out.push(dayEntry(e, zone, { start_time: hhmm(e), end_time: '24:00' }));
  else out.push(dayEntry(e, zone));
  if (e.day < e.daysInMonth!)
    out.push({
      days_of_month: [`${e.day + 1}:${e.daysInMonth}`],
      months: [MONTHS[e.month - 1]!],
      years: [String(e.year)],
      location: zone,
    });
  if (e.month < 12) out.push({ months: [`${MONTHS[e.month]}:december`], years: [String(e.year)], location: zone });
  out.push({ years: [`${e.year + 1}:9999`], location: zone });
  return out;
}

/** A weekly window (working hours, lab hours, maintenance) as one entry. */
export function weeklyInterval(days: string[], start: string, end: string, zone: string): AmTimeInterval {
  return { weekdays: [...days], times: [{ start_time: start, end_time: end }], location: zone };
}
