// A subset of systemd's OnCalendar syntax (systemd.time(7), "Calendar Events"), parsed so that labctl can
// refuse a typo before it reaches a node and derive from a schedule how old a snapshot may get before its
// alert fires. The subset is what a repeating backup needs: weekdays, the date *-*-*, and hours/minutes as
// values, lists, ranges (a..b) and repetitions (start/step); seconds as one value. Anything else (dates,
// time zones, "~") is refused with the reason; test/cluster/etcd-snapshot-schedule.test.ts compares the
// elapses computed here with the real `systemd-analyze calendar`.

export interface Calendar {
  /** Weekdays as Date.getUTCDay() numbers (0 = Sunday). */
  days: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  minutes: ReadonlySet<number>;
  second: number;
}

const WEEKDAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};
const SHORTHANDS: Record<string, string> = {
  hourly: '*-*-* *:00:00',
  daily: '*-*-* 00:00:00',
  weekly: 'Mon *-*-* 00:00:00',
};

class CalendarError extends Error {}
const bad = (why: string): never => {
  throw new CalendarError(why);
};

function num(s: string, max: number, what: string): number {
  if (!/^[0-9]{1,2}$/.test(s)) bad(`${what} ${JSON.stringify(s)} is not a number`);
  const n = Number(s);
  if (n > max) bad(`${what} ${n} is out of range 0..${max}`);
  return n;
}

/** "*", "5", "1,13", "8..17", "0/6", "0/6,3" over 0..max. */
function component(spec: string, max: number, what: string): Set<number> {
  const out = new Set<number>();
  for (const item of spec.split(',')) {
    if (item === '*') {
      for (let i = 0; i <= max; i++) out.add(i);
    } else if (item.includes('/')) {
      const [start, step] = item.split('/');
      if (start === '*') bad(`${what} "${item}": write the start value (e.g. 0/${step}), systemd refuses */${step}`);
      const from = num(start!, max, what);
      const by = num(step!, max, `${what} step`);
      if (by === 0) bad(`${what} step 0`);
      for (let i = from; i <= max; i += by) out.add(i);
    } else if (item.includes('..')) {
      const [a, b] = item.split('..').map((x) => num(x, max, what));
      if (a! > b!) bad(`${what} range ${item} runs backwards`);
      for (let i = a!; i <= b!; i++) out.add(i);
    } else out.add(num(item, max, what));
  }
  return out;
}

function weekdays(spec: string): Set<number> {
  const out = new Set<number>();
  const day = (s: string) => WEEKDAYS[s.toLowerCase()] ?? bad(`${JSON.stringify(s)} is not a weekday (Mon..Sun)`);
  for (const item of spec.split(',')) {
    if (item.includes('..')) {
      const [a, b] = item.split('..').map(day);
      // Mon..Sun: Sunday is the end of systemd's week.
      const end = b === 0 ? 7 : b!;
      if (a! > end) bad(`weekday range ${item} runs backwards`);
      for (let i = a!; i <= end; i++) out.add(i % 7);
    } else out.add(day(item));
  }
  return out;
}

function parse(expr: string): Calendar {
  const words = (SHORTHANDS[expr.trim().toLowerCase()] ?? expr).trim().split(/\s+/);
  let days = new Set([0, 1, 2, 3, 4, 5, 6]);
  if (/^[A-Za-z]/.test(words[0] ?? '')) days = weekdays(words.shift()!);
  if (words[0]?.includes('-')) {
    const date = words.shift()!;
    if (date !== '*-*-*') bad(`the date ${JSON.stringify(date)}: labctl supports *-*-* only (a repeating schedule)`);
  }
  const time = words.shift() ?? '00:00:00';
  if (words.length) bad(`unexpected ${JSON.stringify(words.join(' '))} (time zones and other forms are not supported)`);
  const parts = time.split(':');
  if (parts.length < 2 || parts.length > 3) bad(`the time ${JSON.stringify(time)} is not HH:MM or HH:MM:SS`);
  const hours = component(parts[0]!, 23, 'hour');
  const minutes = component(parts[1]!, 59, 'minute');
  const second = num(parts[2] ?? '00', 59, 'second');
  return { days, hours, minutes, second };
}

/** The parsed schedule, or why it is not one labctl accepts. */
export function parseCalendar(expr: string): { calendar: Calendar } | { error: string } {
  try {
    return { calendar: parse(expr) };
  } catch (e) {
    if (e instanceof CalendarError) return { error: e.message };
    throw e;
  }
}

const WEEK_MINUTES = 7 * 24 * 60;

/** Seconds between consecutive elapses, shortest and longest, over a week (the pattern repeats weekly). */
export function gapSeconds(c: Calendar): { shortest: number; longest: number } {
  const hits: number[] = [];
  // Minute m of the week counted from Sunday 00:00.
  for (let m = 0; m < WEEK_MINUTES; m++) {
    const day = Math.floor(m / 1440);
    const hour = Math.floor((m % 1440) / 60);
    if (c.days.has(day) && c.hours.has(hour) && c.minutes.has(m % 60)) hits.push(m);
  }
  if (!hits.length) return { shortest: Number.POSITIVE_INFINITY, longest: Number.POSITIVE_INFINITY };
  const gaps = [hits[0]! + WEEK_MINUTES - hits[hits.length - 1]!];
  for (let i = 1; i < hits.length; i++) gaps.push(hits[i]! - hits[i - 1]!);
  return { shortest: Math.min(...gaps) * 60, longest: Math.max(...gaps) * 60 };
}

/** The next n elapses strictly after `from`, in UTC (the schedule read as UTC wall-clock time). */
export function nextElapses(c: Calendar, from: Date, n: number): Date[] {
  const out: Date[] = [];
  const t = new Date(from.getTime());
  t.setUTCSeconds(c.second, 0);
  if (t.getTime() <= from.getTime()) t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Bounded: a schedule elapses at least once a week.
  for (let i = 0; out.length < n && i < WEEK_MINUTES * (n + 1); i++) {
    if (c.days.has(t.getUTCDay()) && c.hours.has(t.getUTCHours()) && c.minutes.has(t.getUTCMinutes()))
      out.push(new Date(t.getTime()));
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return out;
}
