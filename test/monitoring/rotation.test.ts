// The on-call rotation: hand-overs in local time across DST changes, overrides, and the agreement of
// the rendered Alertmanager time intervals with the rotation over the whole rendered window.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  handover,
  isDstAffected,
  localInstant,
  nextChange,
  onCallAt,
  renderWindow,
  shiftsBetween,
  type RotationConfig,
} from '../../installer/inventory/rotation.ts';
import { rotationIntervals } from '../../installer/render/components/monitoring/alertmanager.ts';
import type { AmTimeInterval } from '../../installer/oncall/time-intervals.ts';

const base: RotationConfig = {
  zone: 'Europe/Berlin',
  start: '2026-09-07',
  handoverDay: 'monday',
  handoverTime: '09:00',
  order: ['alice', 'bob', 'carol'],
  overrides: [],
  renderUntil: '2027-06-30',
  escalateAfterMinutes: 15,
};
const at = (iso: string, zone = 'Europe/Berlin') => DateTime.fromISO(iso, { zone }).toMillis();
const utc = (t: number) => new Date(t).toISOString();

describe('rotation', () => {
  it('hands over weekly at the local time, in order, with the next person as secondary', () => {
    expect(onCallAt(base, at('2026-09-07T08:59'))).toBeNull();
    expect(onCallAt(base, at('2026-09-07T09:00'))).toMatchObject({
      primary: 'alice',
      secondary: 'bob',
      source: 'rotation',
    });
    expect(onCallAt(base, at('2026-09-14T08:59'))!.primary).toBe('alice');
    expect(onCallAt(base, at('2026-09-14T09:00'))).toMatchObject({ primary: 'bob', secondary: 'carol' });
    expect(onCallAt(base, at('2026-09-21T09:00'))).toMatchObject({ primary: 'carol', secondary: 'alice' });
    expect(onCallAt(base, at('2026-09-28T09:00'))!.primary).toBe('alice');
  });

  it('starts on the first hand-over weekday on or after rotation.start', () => {
    const cfg = { ...base, start: '2026-09-09', handoverDay: 'friday' as const, handoverTime: '16:30' };
    expect(utc(handover(cfg, 0))).toBe('2026-09-11T14:30:00.000Z');
    expect(onCallAt(cfg, at('2026-09-11T16:29'))).toBeNull();
    expect(onCallAt(cfg, at('2026-09-11T16:30'))!.primary).toBe('alice');
  });

  it('keeps the local hand-over time across the autumn DST change (week of 7 days + 1 hour)', () => {
    // Europe/Berlin leaves summer time on Sunday 2026-10-25.
    const k = Math.round((at('2026-10-19T09:00') - handover(base, 0)) / (7 * 86_400_000));
    expect(utc(handover(base, k))).toBe('2026-10-19T07:00:00.000Z'); // 09:00 CEST
    expect(utc(handover(base, k + 1))).toBe('2026-10-26T08:00:00.000Z'); // 09:00 CET
    expect(onCallAt(base, Date.parse('2026-10-26T07:30:00Z'))!.primary).toBe(
      onCallAt(base, at('2026-10-20T12:00'))!.primary,
    );
  });

  it('keeps the local hand-over time across the spring DST change (week of 7 days - 1 hour)', () => {
    const h1 = localInstant('2027-03-22', '09:00', 'Europe/Berlin');
    const h2 = localInstant('2027-03-29', '09:00', 'Europe/Berlin');
    expect(utc(h1)).toBe('2027-03-22T08:00:00.000Z');
    expect(utc(h2)).toBe('2027-03-29T07:00:00.000Z');
    expect(h2 - h1).toBe(7 * 86_400_000 - 3_600_000);
    const before = onCallAt(base, h2 - 60_000)!.primary;
    const after = onCallAt(base, h2)!.primary;
    expect(after).not.toBe(before);
  });

  it('maps a hand-over inside the spring gap to the end of the gap, and flags DST-affected times', () => {
    // 2027-03-28 02:00 -> 03:00 in Europe/Berlin: 02:30 does not exist.
    expect(utc(localInstant('2027-03-28', '02:30', 'Europe/Berlin'))).toBe('2027-03-28T01:00:00.000Z');
    expect(isDstAffected('2027-03-28', '02:30', 'Europe/Berlin')).toBe(true);
    // 2026-10-25 02:30 happens twice: the first occurrence (CEST) is used.
    expect(utc(localInstant('2026-10-25', '02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
    expect(isDstAffected('2026-10-25', '02:30', 'Europe/Berlin')).toBe(true);
    expect(isDstAffected('2026-10-26', '09:00', 'Europe/Berlin')).toBe(false);
  });

  it('follows DST of other zones (America/New_York, 2027-03-14)', () => {
    const cfg = { ...base, zone: 'America/New_York', start: '2027-03-01' };
    expect(utc(handover(cfg, 1))).toBe('2027-03-08T14:00:00.000Z'); // EST
    expect(utc(handover(cfg, 2))).toBe('2027-03-15T13:00:00.000Z'); // EDT
  });

  it('lets overrides (holidays, swaps) win, the last listed one over earlier ones', () => {
    const cfg: RotationConfig = {
      ...base,
      overrides: [
        { from: '2026-12-23T09:00', to: '2027-01-02T09:00', person: 'carol', reason: 'winter break' },
        { from: '2026-12-24T18:00', to: '2026-12-25T10:00', person: 'bob', reason: 'swap' },
      ],
    };
    expect(onCallAt(cfg, at('2026-12-23T08:59'))!.source).toBe('rotation');
    expect(onCallAt(cfg, at('2026-12-23T09:00'))).toMatchObject({
      primary: 'carol',
      source: 'override',
      reason: 'winter break',
    });
    expect(onCallAt(cfg, at('2026-12-24T20:00'))).toMatchObject({ primary: 'bob', reason: 'swap' });
    expect(onCallAt(cfg, at('2026-12-25T10:00'))).toMatchObject({ primary: 'carol' });
    const back = onCallAt(cfg, at('2027-01-02T09:00'))!;
    expect(back.source).toBe('rotation');
    // The secondary is never the primary themselves.
    for (const s of shiftsBetween(cfg, at('2026-12-01T00:00'), at('2027-01-15T00:00')))
      expect(s.secondary).not.toBe(s.primary);
  });

  it('finds the next change of primary', () => {
    const n = nextChange(base, at('2026-09-10T12:00'))!;
    expect(n).toMatchObject({ primary: 'bob' });
    expect(utc(n.start)).toBe('2026-09-14T07:00:00.000Z');
  });

  it('has no secondary with a one-person roster', () => {
    const s = onCallAt({ ...base, order: ['alice'] }, at('2026-10-01T12:00'))!;
    expect(s.primary).toBe('alice');
    expect(s.secondary).toBeUndefined();
  });
});

// --- Alertmanager time-interval semantics, to check the rendered intervals against the rotation ---
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
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
function inRanges(value: number, ranges: string[] | undefined, names?: string[], daysInMonth?: number): boolean {
  if (!ranges) return true;
  const num = (x: string) => {
    const n = names ? names.indexOf(x) + 1 : Number(x);
    return n < 0 && daysInMonth ? daysInMonth + n + 1 : n;
  };
  return ranges.some((r) => {
    const [a, b] = r.split(':');
    return value >= num(a!) && value <= num(b ?? a!);
  });
}
interface Local {
  minutes: number;
  weekday: number;
  day: number;
  daysInMonth: number;
  month: number;
  year: number;
}
function local(t: number, zone: string): Local {
  const d = DateTime.fromMillis(t, { zone });
  return {
    minutes: d.hour * 60 + d.minute,
    weekday: d.weekday,
    day: d.day,
    daysInMonth: d.daysInMonth!,
    month: d.month,
    year: d.year,
  };
}
const hm = (x: string) => Number(x.split(':')[0]) * 60 + Number(x.split(':')[1]);
function matches(iv: AmTimeInterval, d: Local): boolean {
  const times = !iv.times || iv.times.some((r) => d.minutes >= hm(r.start_time) && d.minutes < hm(r.end_time));
  return (
    times &&
    inRanges(d.weekday, iv.weekdays, WEEKDAYS) &&
    inRanges(d.day, iv.days_of_month, undefined, d.daysInMonth) &&
    inRanges(d.month, iv.months, MONTHS) &&
    inRanges(d.year, iv.years)
  );
}

describe('rotation rendered as Alertmanager time intervals', () => {
  for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney']) {
    it(`names exactly the person on call every 3 hours and around every change of the window (${zone})`, () => {
      const cfg: RotationConfig = {
        ...base,
        zone,
        overrides: [
          { from: '2026-12-23T09:00', to: '2027-01-02T09:00', person: 'carol' },
          { from: '2027-03-27T22:30', to: '2027-03-28T04:15', person: 'bob' },
        ],
      };
      const intervals = new Map(rotationIntervals(cfg).map((i) => [i.name, i.time_intervals]));
      // Every entry carries location = zone (checked), so one local conversion per probe serves all.
      for (const ivs of intervals.values()) for (const iv of ivs) expect(iv.location).toBe(zone);
      const { start, end } = renderWindow(cfg);
      const shifts = shiftsBetween(cfg, start, end);
      const shiftAt = (t: number) => shifts.find((s) => s.start <= t && t < s.end) ?? null;
      const probes = new Set<number>();
      for (let t = start - 86_400_000; t < end + 86_400_000; t += 3 * 3_600_000) probes.add(t + 1_800_000);
      for (const s of shifts)
        for (const x of [s.start, s.end]) [x - 60_000, x, x + 60_000].forEach((p) => probes.add(p));
      let checked = 0;
      for (const t of probes) {
        const d = local(t, zone);
        const on = (name: string) => (intervals.get(name) ?? []).some((iv) => matches(iv, d));
        const shift = shiftAt(t);
        if (checked % 97 === 0) {
          const direct = t >= start && t < end ? onCallAt(cfg, t) : null;
          expect([shift?.primary, shift?.secondary], utc(t)).toEqual([direct?.primary, direct?.secondary]);
        }
        for (const p of cfg.order) {
          expect(on(`oncall-${p}`), `${p} primary at ${utc(t)}`).toBe(shift?.primary === p);
          expect(on(`oncall-secondary-${p}`), `${p} secondary at ${utc(t)}`).toBe(shift?.secondary === p);
        }
        expect(on('oncall-unscheduled'), `unscheduled at ${utc(t)}`).toBe(!shift);
        checked++;
      }
      expect(checked).toBeGreaterThan(2500);
    });
  }
});
