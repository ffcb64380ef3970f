// spanToIntervals (installer/oncall/time-intervals.ts) counts whole days on the calendar instead of with
// luxon's zone math (most of a render's time went there). Its entries must be exactly those of the luxon
// version (kept here as the reference) for spans of every length, in zones with DST at midnight, half-
// and quarter-hour offsets, southern-hemisphere DST and none, starting and ending at midnights, hand-over
// times and DST changes.
import { isDeepStrictEqual } from 'node:util';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { spanToIntervals, type AmTimeInterval, type AmTimeRange } from '../../installer/oncall/time-intervals.ts';

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

// The implementation before, verbatim but for its name and the zone object its DateTimes use (below).
const hhmm = (d: DateTime) => d.toFormat('HH:mm');

function dayEntry(d: DateTime, zone: string, times?: AmTimeRange): AmTimeInterval {
  return {
    ...(times ? { times: [times] } : {}),
    days_of_month: [String(d.day)],
    months: [MONTHS[d.month - 1]!],
    years: [String(d.year)],
    location: zone,
  };
}

/** Whole local days [from, to] (inclusive dates), grouped per month. */
function wholeDays(from: DateTime, to: DateTime, zone: string): AmTimeInterval[] {
  const out: AmTimeInterval[] = [];
  let d = from;
  while (d <= to) {
    const monthEnd = d.endOf('month').startOf('day');
    const last = monthEnd < to ? monthEnd : to;
    out.push({
      days_of_month: [d.day === last.day ? String(d.day) : `${d.day}:${last.day}`],
      months: [MONTHS[d.month - 1]!],
      years: [String(d.year)],
      location: zone,
    });
    d = last.plus({ days: 1 });
  }
  return out;
}

/**
 * The zone the reference's date math runs in: luxon's own IANAZone, with each offset(ts) it computes
 * (an Intl formatToParts call: most of this file's CPU) remembered. An IANA zone's offset is a pure
 * function of the instant, so the reference's results are the same; only the repeats (day starts, month
 * ends, the same start with twelve lengths) are no longer recomputed.
 */
class RememberedZone extends IANAZone {
  readonly #offsets = new Map<number, number>();
  override offset(ts: number): number {
    let o = this.#offsets.get(ts);
    if (o === undefined) this.#offsets.set(ts, (o = super.offset(ts)));
    return o;
  }
}
const zones = new Map<string, RememberedZone>();
const remembered = (name: string) => zones.get(name) ?? zones.set(name, new RememberedZone(name)).get(name)!;

/** Alertmanager entries covering exactly the local wall-clock span of [start, end) (epoch ms). */
function luxonSpanToIntervals(start: number, end: number, zone: string): AmTimeInterval[] {
  if (end <= start) return [];
  const s = DateTime.fromMillis(start, { zone: remembered(zone) });
  const e = DateTime.fromMillis(end, { zone: remembered(zone) });
  const sDay = s.startOf('day'),
    eDay = e.startOf('day');
  const sMidnight = s.hour === 0 && s.minute === 0;
  const eMidnight = e.hour === 0 && e.minute === 0;
  if (sDay.equals(eDay)) return [dayEntry(s, zone, { start_time: hhmm(s), end_time: hhmm(e) })];
  const out: AmTimeInterval[] = [];
  let firstWhole = sDay;
  if (!sMidnight) {
    out.push(dayEntry(s, zone, { start_time: hhmm(s), end_time: '24:00' }));
    firstWhole = sDay.plus({ days: 1 });
  }
  const lastWhole = eDay.minus({ days: 1 });
  if (firstWhole <= lastWhole) out.push(...wholeDays(firstWhole, lastWhole, zone));
  if (!eMidnight) out.push(dayEntry(e, zone, { start_time: '00:00', end_time: hhmm(e) }));
  return out;
}

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/Santiago', // DST changes at midnight
  'Asia/Beirut', // DST at midnight
  'Australia/Lord_Howe', // 30-minute DST
  'Pacific/Chatham', // +12:45 / +13:45
  'Asia/Kolkata', // +05:30, no DST
  'America/Sao_Paulo',
];

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Instants around every DST change and local midnight of 2026-2028 in a zone, and random ones. */
function instants(zone: string, rand: () => number): number[] {
  const out: number[] = [];
  let d = DateTime.fromISO('2026-01-01', { zone });
  for (let i = 0; i < 3 * 366; i++, d = d.plus({ days: 1 })) {
    const next = d.plus({ days: 1 });
    if (next.offset !== d.offset || i % 23 === 0) {
      for (const dh of [-90, -60, -30, 0, 30, 60, 90, 150]) out.push(next.toMillis() + dh * 60_000);
      out.push(d.startOf('day').toMillis(), d.set({ hour: 9, minute: 0 }).toMillis());
    }
  }
  const from = DateTime.fromISO('2025-06-01', { zone: 'UTC' }).toMillis();
  for (let i = 0; i < 150; i++) out.push(from + Math.floor((rand() * 4 * 365 * 86_400_000) / 60_000) * 60_000);
  return out;
}

/** The local dates an entry list names as whole days, and its partial days, spelled out. */
function covered(entries: AmTimeInterval[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const [a, b] = e.days_of_month![0]!.split(':').map(Number) as [number, number?];
    for (let d = a; d <= (b ?? a); d++)
      out.push(
        `${e.years![0]}-${MONTHS.indexOf(e.months![0]!) + 1}-${d}${e.times ? ` ${e.times[0]!.start_time}-${e.times[0]!.end_time}` : ''}`,
      );
  }
  return out;
}

describe('spanToIntervals on the calendar', () => {
  // In zones whose DST changes at midnight, the luxon version lost a day after a month ending before such
  // a change (its month-end midnight did not exist); the calendar names every date once.
  it.each(['America/Havana', 'Africa/Cairo', 'America/Santiago', 'Asia/Beirut'])(
    'names every local date of a long span exactly once in %s (DST at midnight)',
    (zone) => {
      const start = DateTime.fromISO('2026-01-10T09:30', { zone });
      for (let k = 0; k < 30; k++) {
        const s = start.plus({ days: 11 * k });
        const e = s.plus({ days: 75 }).set({ hour: 18, minute: 15 });
        const want: string[] = [`${s.year}-${s.month}-${s.day} ${s.toFormat('HH:mm')}-24:00`];
        for (let d = s.startOf('day').plus({ days: 1 }); d.toISODate()! < e.toISODate()!; d = d.plus({ days: 1 }))
          want.push(`${d.year}-${d.month}-${d.day}`);
        want.push(`${e.year}-${e.month}-${e.day} 00:00-${e.toFormat('HH:mm')}`);
        expect(covered(spanToIntervals(s.toMillis(), e.toMillis(), zone)), `${zone} from ${s.toISO()}`).toEqual(want);
      }
    },
  );

  it('Cairo: 2027-05-01 (after April ends with the midnight DST change) is on call, which the luxon version missed', () => {
    const zone = 'Africa/Cairo';
    const s = DateTime.fromISO('2027-04-20T12:00', { zone }).toMillis();
    const e = DateTime.fromISO('2027-05-02T12:00', { zone }).toMillis();
    expect(covered(spanToIntervals(s, e, zone))).toContain('2027-5-1');
    expect(covered(luxonSpanToIntervals(s, e, zone))).not.toContain('2027-5-1');
  });

  it.each(ZONES)('gives exactly the entries of the luxon version in %s', (zone) => {
    const rand = rng(zone.length * 7919);
    const points = instants(zone, rand);
    const lengths = [
      0,
      1,
      30,
      60,
      23 * 60,
      24 * 60,
      25 * 60,
      7 * 24 * 60,
      7 * 24 * 60 + 60,
      40 * 24 * 60,
      95 * 24 * 60,
    ];
    let compared = 0;
    let multiMonth = 0;
    // Compared with node's deep equality (stricter than toEqual: undefined keys and prototypes count) and
    // asserted once with the first differing spans: an expect() for each of the ~8,000 samples per zone
    // was a large share of this file's CPU.
    const differ: { span: string; got: AmTimeInterval[]; want: AmTimeInterval[] }[] = [];
    for (const start of points)
      for (const len of [...lengths, Math.floor(rand() * 70 * 24 * 60)]) {
        const end = start + len * 60_000;
        const got = spanToIntervals(start, end, zone);
        const want = luxonSpanToIntervals(start, end, zone);
        if (!isDeepStrictEqual(got, want) && differ.length < 5)
          differ.push({ span: `${zone} ${new Date(start).toISOString()} +${len} min`, got, want });
        compared++;
        if (got.filter((e) => !e.times).length > 1) multiMonth++;
      }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
    expect(multiMonth).toBeGreaterThan(100); // runs of whole days across months were compared too
  });

  it('the comparison can fail: an off-by-one in the last whole day is caught', () => {
    const zone = 'Europe/Berlin';
    const start = DateTime.fromISO('2026-03-27T09:00', { zone }).toMillis();
    const end = DateTime.fromISO('2026-04-03T09:00', { zone }).toMillis();
    const ref = luxonSpanToIntervals(start, end, zone);
    expect(spanToIntervals(start, end, zone)).toEqual(ref);
    const broken = structuredClone(ref);
    broken[1]!.days_of_month = ['28:30'];
    expect(spanToIntervals(start, end, zone)).not.toEqual(broken);
  });
});
