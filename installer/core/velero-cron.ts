// Velero's schedule grammar, read as Velero v1.18 reads Schedule.spec.schedule: cron.ParseStandard of
// github.com/robfig/cron/v3 (pkg/controller/schedule_controller.go), the five fields minute hour
// day-of-month month day-of-week, the descriptors @yearly ... @hourly and @every <Go duration>. Velero
// marks a Schedule it cannot parse FailedValidation and never backs up, so labctl refuses what that parser
// refuses, with its reason, and walks the run times with robfig's own semantics (the star rule for day of
// month and day of week below), so the backup-late alert matches the runs Velero makes. A few forms the parser
// takes are refused on purpose (`deliberate`): they read as something other than what Velero does, or break
// the alert. test/render/velero-cron.test.ts compares all of it with the real parser (test/velero-cron, Go).

/** A five-field schedule as robfig's bit sets: which values of each field match. */
export interface CronFields {
  kind: 'cron';
  /** Minutes of the day (hour * 60 + minute) at which it runs on a matching day, ascending. */
  times: number[];
  dom: ReadonlySet<number>;
  months: ReadonlySet<number>;
  dow: ReadonlySet<number>;
  /**
   * robfig's star bit: the field had an item starting with `*` or `?` and no step above 1. When either day
   * field has it, a day must match both; when neither has it, either (Vixie cron's rule, spec.go dayMatches).
   */
  domStar: boolean;
  dowStar: boolean;
}
/** `@every <duration>`: runs every `seconds`, counted from when Velero last backed up. */
export interface Interval {
  kind: 'every';
  seconds: number;
}
export type VeleroSchedule = CronFields | Interval;
/** Why a schedule is refused; `deliberate` when Velero's parser would take it and labctl does not. */
export interface Refusal {
  error: string;
  deliberate: boolean;
}

const PARSER = "Velero's parser (robfig/cron)";
const HINT_FORMS = 'numbers, *, ?, a-b ranges, lists, /steps, jan..dec and sun..sat';

interface Bounds {
  what: string;
  min: number;
  max: number;
  names?: ReadonlyMap<string, number>;
}
/** robfig's names: three letters, any case, numbered from `first`. */
const names = (list: string, first: number) => new Map(list.split(' ').map((n, i) => [n, first + i] as const));
const FIELDS: readonly Bounds[] = [
  { what: 'minute', min: 0, max: 59 },
  { what: 'hour', min: 0, max: 23 },
  { what: 'day of month', min: 1, max: 31 },
  { what: 'month', min: 1, max: 12, names: names('jan feb mar apr may jun jul aug sep oct nov dec', 1) },
  { what: 'day of week', min: 0, max: 6, names: names('sun mon tue wed thu fri sat', 0) },
];

/** Refused by Velero's parser: the schedule would be FailedValidation. */
class Refused extends Error {}
/** Accepted by Velero's parser, refused by labctl on purpose. */
class OnPurpose extends Error {}
const refuse = (why: string): never => {
  throw new Refused(why);
};

const INT64_MAX = 2n ** 63n - 1n;

/** strconv.Atoi, then robfig's "negative number not allowed" (mustParseInt). */
function integer(s: string, b: Bounds, item: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) {
    const hint = /^[LW#]|[LW#]$|#/.test(s) ? ' (it has no L, W or #)' : ` (${HINT_FORMS} only)`;
    const inItem = item === s ? '' : ` (${JSON.stringify(item)})`;
    return refuse(`${PARSER} does not accept ${JSON.stringify(s)} in the ${b.what}${inItem}${hint}`);
  }
  // Atoi's int is 64 bits: a larger step is refused, one up to 2^63-1 taken (it leaves the first value only).
  if (BigInt(s) > INT64_MAX || BigInt(s) < -INT64_MAX - 1n)
    refuse(`${PARSER} does not accept ${s} in the ${b.what}: out of range of a 64-bit integer`);
  const n = Number(s);
  if (n < 0) refuse(`${PARSER} does not accept the negative number ${s} in the ${b.what}`);
  return n;
}

const intOrName = (s: string, b: Bounds, item: string) => b.names?.get(s.toLowerCase()) ?? integer(s, b, item);

interface Range {
  values: number[];
  star: boolean;
  /** Why labctl refuses it although the parser takes it. */
  surprise?: string;
}

/** robfig getRange: `*`, `?`, `n`, `a-b`, each with an optional `/step` (`n/step` is n to the maximum). */
function range(item: string, b: Bounds): Range {
  const slash = item.split('/');
  const dash = slash[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  let surprise: string | undefined;
  if (dash[0] === '*' || dash[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
    if (dash.length > 1)
      surprise = `${JSON.stringify(item)} in the ${b.what}: ${PARSER} ignores what follows ${dash[0]} there (it means ${dash[0]}${slash.length > 1 ? `/${slash[1]}` : ''}); write a range a-b instead`;
  } else {
    start = intOrName(dash[0]!, b, item);
    if (dash.length === 1) end = start;
    else if (dash.length === 2) end = intOrName(dash[1]!, b, item);
    else return refuse(`${PARSER} does not accept ${JSON.stringify(item)} in the ${b.what}: too many hyphens`);
  }
  let step = 1;
  if (slash.length === 2) {
    step = integer(slash[1]!, b, item);
    if (dash.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (slash.length > 2)
    refuse(`${PARSER} does not accept ${JSON.stringify(item)} in the ${b.what}: too many slashes`);
  if (start < b.min || end > b.max) {
    const out = start < b.min ? start : end;
    const sunday = b.what === 'day of week' && out === 7 ? ' (7 is not Sunday there: write 0 or sun)' : '';
    const inItem = item === String(out) ? '' : ` in ${JSON.stringify(item)}`;
    refuse(`${PARSER} does not accept ${b.what} ${out}${inItem}: outside ${b.min}-${b.max}${sunday}`);
  }
  if (start > end)
    refuse(
      `${PARSER} does not accept the ${b.what} range ${JSON.stringify(item)}: it runs backwards (no wrap-around; write two ranges, e.g. 5-6,0-1)`,
    );
  if (step === 0) refuse(`${PARSER} does not accept the step 0 in the ${b.what} ${JSON.stringify(item)}`);
  if (/[+]/.test(item))
    surprise ??= `${JSON.stringify(item)} in the ${b.what}: write numbers without a sign (${PARSER} reads +5 as 5)`;
  const values: number[] = [];
  for (let i = start; i <= end; i += step) values.push(i);
  return { values, star, ...(surprise ? { surprise } : {}) };
}

interface Field {
  values: Set<number>;
  star: boolean;
  surprise?: string;
}

/** robfig getField: a comma-separated list of ranges (FieldsFunc: empty items are dropped silently). */
function field(text: string, b: Bounds): Field {
  const items = text.split(',');
  const out: Field = { values: new Set(), star: false };
  for (const item of items.filter((i) => i !== '')) {
    const r = range(item, b);
    for (const v of r.values) out.values.add(v);
    out.star ||= r.star;
    out.surprise ??= r.surprise;
  }
  if (items.some((i) => i === ''))
    out.surprise ??= `${JSON.stringify(text)} in the ${b.what} has an empty list item (${PARSER} skips it${out.values.size ? '' : ', and with no value left the schedule never matches'}): remove the extra comma`;
  return out;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const UNIT_S: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** A Go duration of whole hours, minutes and seconds (`1h30m`, a Velero ttl), in seconds; undefined for any other form. */
export function wholeDurationSeconds(d: string): number | undefined {
  if (!/^([0-9]+[hms])+$/.test(d)) return undefined;
  return [...d.matchAll(/([0-9]+)([hms])/g)].reduce((s, [, n, u]) => s + Number(n) * UNIT_S[u!]!, 0);
}

/**
 * Go's Duration is int64 nanoseconds: time.ParseDuration refuses a longer one ("invalid duration"), for
 * `@every` and for a Velero ttl (metav1.Duration) alike. `d` is a whole-duration string (wholeDurationSeconds).
 */
export const overflowsGoDuration = (d: string) =>
  [...d.matchAll(/([0-9]+)([hms])/g)].reduce((ns, [, n, u]) => ns + BigInt(n!) * BigInt(UNIT_S[u!]!) * 10n ** 9n, 0n) >
  INT64_MAX;

function parseEvery(duration: string): Interval {
  const seconds = wholeDurationSeconds(duration);
  if (seconds !== undefined) {
    if (overflowsGoDuration(duration))
      refuse(
        `${PARSER} does not accept "@every ${duration}": the interval overflows Go's duration (64-bit nanoseconds, at most 2562047h47m16s, about 292 years), so time.ParseDuration refuses it`,
      );
    if (!seconds)
      throw new OnPurpose(
        `an interval of zero (${PARSER} would make it one second): write the interval, e.g. @every 6h`,
      );
    return { kind: 'every', seconds };
  }
  // time.ParseDuration's grammar: [-+]?([0-9]*(\.[0-9]*)?unit)+ or 0.
  // One way to split each number ([0-9]+ then an optional fraction): `[0-9]+\.?[0-9]*` split a run of
  // digits every possible way, quadratic in its length (30k digits: 1.6 CPU-s in validate).
  if (/^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/.test(duration))
    throw new OnPurpose(
      `labctl takes whole hours, minutes and seconds after @every (e.g. @every 1h30m); ${PARSER} rounds fractions, signs and sub-second units in ways the backup-late alert would not match`,
    );
  return refuse(
    `${PARSER} does not accept "@every ${duration}": not a Go duration (a number and a unit, e.g. 6h, 90m or 1h30m)`,
  );
}

function parse(expr: string): VeleroSchedule {
  if (expr === '') refuse(`${PARSER} does not accept an empty schedule`);
  if (/^(CRON_)?TZ=/.test(expr))
    throw new OnPurpose(
      'a TZ= or CRON_TZ= prefix: labctl writes schedules in UTC (as Velero runs them without one); give the time in UTC',
    );
  if (expr.startsWith('@')) {
    const fields = DESCRIPTORS[expr];
    if (fields) return parse(fields);
    if (expr.startsWith('@every ')) return parseEvery(expr.slice('@every '.length));
    return refuse(
      `${PARSER} does not accept ${JSON.stringify(expr)}: its descriptors are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and @every <duration>, in lower case`,
    );
  }
  // strings.Fields: any run of white space separates fields.
  const words = expr.split(/[ \t\n\v\f\r]+/).filter((w) => w !== '');
  if (words.length !== 5)
    refuse(
      `${PARSER} does not accept ${words.length} fields: it takes exactly 5 (minute hour day-of-month month day-of-week; no seconds or year field)`,
    );
  const [minute, hour, dom, month, dow] = words.map((w, i) => field(w, FIELDS[i]!)) as [
    Field,
    Field,
    Field,
    Field,
    Field,
  ];
  const surprise = [minute, hour, dom, month, dow].find((f) => f.surprise)?.surprise;
  if (surprise) throw new OnPurpose(surprise);
  const times: number[] = [];
  for (const h of [...hour.values].sort((a, b) => a - b))
    for (const m of [...minute.values].sort((a, b) => a - b)) times.push(h * 60 + m);
  return {
    kind: 'cron',
    times,
    dom: dom.values,
    months: month.values,
    dow: dow.values,
    domStar: dom.star,
    dowStar: dow.star,
  };
}

/** Longer is no schedule anyone writes: refused before parsing (the inventory schema says the same). */
export const MAX_LENGTH = 256;

/** The schedule as Velero will run it, or why it is refused. */
export function parseVeleroSchedule(expr: string): { schedule: VeleroSchedule } | Refusal {
  if (expr.length > MAX_LENGTH)
    return { error: `${expr.length} characters long: a schedule is at most ${MAX_LENGTH}`, deliberate: true };
  try {
    return { schedule: parse(expr) };
  } catch (e) {
    if (e instanceof Refused) return { error: e.message, deliberate: false };
    if (e instanceof OnPurpose) return { error: e.message, deliberate: true };
    throw e;
  }
}

const DAY_MS = 86_400_000;

/** robfig dayMatches, for the UTC day `day` (days since 1970-01-01). */
function dayMatches(s: CronFields, day: number): boolean {
  const d = new Date(day * DAY_MS);
  if (!s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.dom.has(d.getUTCDate());
  const dow = s.dow.has(d.getUTCDay());
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/**
 * robfig's horizon: Next gives up (zero time) past the end of the fifth year after the one it starts in.
 * Every satisfiable day set recurs within 4 years (29 February), so this bounds the search only.
 */
const horizonDay = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear() + 6, 0, 1) / DAY_MS;

/** The first run strictly after `afterMs` (UTC, milliseconds), as robfig's Schedule.Next; undefined: none. */
export function nextRun(s: VeleroSchedule, afterMs: number): number | undefined {
  if (s.kind === 'every') return afterMs - (afterMs % 1000) + s.seconds * 1000;
  if (!s.times.length) return undefined;
  const first = Math.floor(afterMs / 60_000) + 1; // runs are on whole minutes (seconds field 0)
  let minute = first % 1440;
  for (let day = Math.floor(first / 1440), end = horizonDay(afterMs); day < end; day++, minute = 0) {
    if (!dayMatches(s, day)) continue;
    const t = s.times.find((m) => m >= minute);
    if (t !== undefined) return (day * 1440 + t) * 60_000;
  }
  return undefined;
}

/** The window the longest gap is measured over: a year of runs from a fixed date, so render is deterministic. */
export const GAP_WINDOW = { startMs: Date.UTC(2026, 0, 1), days: 366 } as const;

/**
 * The longest time, in seconds, from a run in the window to the run after it (the next run may fall after the
 * window); 0 when no run in the window has a next one. Exact: a cron schedule runs at the same times on every
 * matching day, so the walk goes day by day (at most ~2200 days), never run by run.
 */
export function longestGap(s: VeleroSchedule): number {
  const { startMs, days } = GAP_WINDOW;
  if (s.kind === 'every') return s.seconds < days * 86400 ? s.seconds : 0;
  const startDay = startMs / DAY_MS;
  const endDay = startDay + days;
  let prev: number | undefined;
  let gap = 0;
  for (let day = startDay, stop = horizonDay(endDay * DAY_MS); day < stop; day++) {
    if (!dayMatches(s, day)) continue;
    // Strictly after the start (robfig's Next): a run at the first midnight is not counted.
    const times = day === startDay ? s.times.filter((m) => m > 0) : s.times;
    if (!times.length) continue;
    const at = day * 1440;
    if (prev !== undefined) gap = Math.max(gap, at + times[0]! - prev);
    if (day >= endDay) break;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    prev = at + times[times.length - 1]!;
  }
  return gap * 60;
}

/**
 * The schedule's longest gap in seconds, or why labctl refuses it: Velero's parser refuses it, labctl does on
 * purpose, or it runs less than twice in a year (no run, or one: the backup-late alert has no interval).
 */
export function veleroScheduleGap(expr: string): { seconds: number } | Refusal {
  const p = parseVeleroSchedule(expr);
  if ('error' in p) return p;
  const seconds = longestGap(p.schedule);
  if (seconds) return { seconds };
  const never = nextRun(p.schedule, GAP_WINDOW.startMs) === undefined;
  return {
    error: never
      ? 'it never runs: no date matches it (e.g. 30 February, or an empty field)'
      : 'it runs at most once a year: the backup-late alert needs an interval, give a schedule that runs at least twice a year',
    deliberate: true,
  };
}
