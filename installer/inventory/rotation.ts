// The on-call rotation as pure functions of time: who holds the pager at an instant, the shifts of a
// window, and the hand-over instants. Weekly hand-over at a weekday and local time of the site's zone;
// overrides (holidays, swaps) win over the rotation, the last listed override wins over earlier ones.
// All local wall-clock arithmetic goes through luxon so DST changes are handled by the tz database.
import { DateTime } from 'luxon';
import type { Override, Site, Weekday } from './types.ts';

export const WEEKDAY_NUMBER: Record<Weekday, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};
const WEEK_MS = 7 * 86_400_000;

export interface RotationConfig {
  zone: string;
  /** Date of the first hand-over's week, YYYY-MM-DD (the first hand-over is the first handoverDay on or after it). */
  start: string;
  handoverDay: Weekday;
  handoverTime: string;
  order: string[];
  overrides: Override[];
  /** Last day rendered into Alertmanager time intervals (inclusive), YYYY-MM-DD. */
  renderUntil: string;
  escalateAfterMinutes: number;
}

export interface Shift {
  /** Epoch milliseconds, [start, end). */
  start: number;
  end: number;
  primary: string;
  /** Next person of the rotation (paged when the primary does not acknowledge); absent with a one-person roster. */
  secondary?: string;
  /** 'override' when a holiday/swap entry set the primary. */
  source: 'rotation' | 'override';
  reason?: string;
}

export const DEFAULT_ROTATION = {
  handoverDay: 'monday' as Weekday,
  handoverTime: '09:00',
  escalateAfterMinutes: 15,
  horizonWeeks: 52,
};

export function rotationOf(site: Site): RotationConfig | null {
  const oc = site.monitoring.oncall;
  if (!oc) return null;
  const start = oc.rotation.start;
  return {
    zone: site.site.timezone,
    start,
    handoverDay: oc.rotation.handoverDay ?? DEFAULT_ROTATION.handoverDay,
    handoverTime: oc.rotation.handoverTime ?? DEFAULT_ROTATION.handoverTime,
    order: oc.rotation.order ?? oc.roster.map((p) => p.name),
    overrides: oc.overrides ?? [],
    renderUntil:
      oc.renderUntil ??
      DateTime.fromISO(start, { zone: 'UTC' }).plus({ weeks: DEFAULT_ROTATION.horizonWeeks }).toISODate()!,
    escalateAfterMinutes: oc.escalateAfterMinutes ?? DEFAULT_ROTATION.escalateAfterMinutes,
  };
}

/**
 * The instant a local wall-clock time happens in `zone`. A time that does not exist (skipped by a DST
 * change) maps to the first instant after the gap -- what Alertmanager's time ranges do as well; an
 * ambiguous time (repeated by a DST change) maps to its first occurrence.
 */
export function localInstant(date: string, time: string, zone: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const dt = DateTime.fromISO(date, { zone }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (dt.hour === h && dt.minute === m) return dt.toMillis();
  // luxon shifted a non-existent time forward by the gap: walk back to the end of the gap.
  let t = dt.toMillis();
  for (let i = 0; i < 24 * 60; i++) {
    const prev = DateTime.fromMillis(t - 60_000, { zone });
    if (prev.hour * 60 + prev.minute < h * 60 + m || prev.day !== dt.day) break;
    t -= 60_000;
  }
  return t;
}

/** Whether local `time` on `date` is skipped or repeated by a DST change in `zone`. */
export function isDstAffected(date: string, time: string, zone: string): boolean {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const dt = DateTime.fromISO(date, { zone }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (dt.hour !== h || dt.minute !== m) return true;
  return dt.getPossibleOffsets().length > 1;
}

/** Local date of the first hand-over: the first handoverDay on or after rotation.start. */
export function firstHandoverDate(cfg: RotationConfig): DateTime {
  const d = DateTime.fromISO(cfg.start, { zone: 'UTC' });
  const delta = (WEEKDAY_NUMBER[cfg.handoverDay] - d.weekday + 7) % 7;
  return d.plus({ days: delta });
}

// Time zone math is the costly part of rendering the rotation and hand-over k is asked for many
// times (week lookups, shift cuts): remember each answer. Keyed by every input, so always correct.
const handoverCache = new Map<string, number>();

/** Instant of hand-over number k (k may be negative: before the rotation started). */
export function handover(cfg: RotationConfig, k: number): number {
  const key = `${cfg.start}|${cfg.handoverDay}|${cfg.handoverTime}|${cfg.zone}|${k}`;
  let t = handoverCache.get(key);
  if (t === undefined) {
    const date = firstHandoverDate(cfg)
      .plus({ days: 7 * k })
      .toISODate()!;
    t = localInstant(date, cfg.handoverTime, cfg.zone);
    if (handoverCache.size > 100_000) handoverCache.clear();
    handoverCache.set(key, t);
  }
  return t;
}

/** Index of the rotation week containing instant t (-1 or lower before the first hand-over). */
export function weekIndex(cfg: RotationConfig, t: number): number {
  // A week is 7 x 24 h +/- one DST hour: estimate, then correct by at most one step each way.
  let k = Math.floor((t - handover(cfg, 0)) / WEEK_MS);
  while (handover(cfg, k) > t) k--;
  while (handover(cfg, k + 1) <= t) k++;
  return k;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** The person the plain rotation (no overrides) gives week k, and the one after. */
export function rotationPerson(cfg: RotationConfig, k: number): { person: string; next?: string } {
  const n = cfg.order.length;
  const person = cfg.order[mod(k, n)]!;
  const next = n > 1 ? cfg.order[mod(k + 1, n)] : undefined;
  return { person, ...(next !== undefined && next !== person ? { next } : {}) };
}

function secondaryFor(cfg: RotationConfig, k: number, primary: string): string | undefined {
  const n = cfg.order.length;
  for (let i = 1; i <= n; i++) {
    const candidate = cfg.order[mod(k + i, n)]!;
    if (candidate !== primary) return candidate;
  }
  return undefined;
}

interface OverrideSpan {
  start: number;
  end: number;
  person: string;
  reason?: string;
}
const overrideSpans = (cfg: RotationConfig): OverrideSpan[] =>
  cfg.overrides.map((o) => {
    const [fd, ft] = o.from.split('T') as [string, string];
    const [td, tt] = o.to.split('T') as [string, string];
    return {
      start: localInstant(fd, ft, cfg.zone),
      end: localInstant(td, tt, cfg.zone),
      person: o.person,
      ...(o.reason ? { reason: o.reason } : {}),
    };
  });

/** Who is on call at instant t. Before the first hand-over nobody is (null). */
export function onCallAt(cfg: RotationConfig, t: number): Shift | null {
  return shiftsBetween(cfg, t, t + 1)[0] ?? null;
}

/**
 * The shifts covering [from, to), cut at hand-overs and override edges, adjacent equal pieces merged.
 * Time before the first hand-over has no shift (unless an override covers it).
 */
export function shiftsBetween(cfg: RotationConfig, from: number, to: number): Shift[] {
  if (to <= from) return [];
  const spans = overrideSpans(cfg);
  const cuts = new Set<number>([from, to]);
  const first = handover(cfg, 0);
  for (let k = Math.max(0, weekIndex(cfg, from)); ; k++) {
    const h = handover(cfg, k);
    if (h >= to) break;
    if (h > from) cuts.add(h);
  }
  for (const s of spans) for (const x of [s.start, s.end]) if (x > from && x < to) cuts.add(x);
  const points = [...cuts].sort((a, b) => a - b);
  const out: Shift[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!,
      end = points[i + 1]!;
    const k = weekIndex(cfg, start);
    let ov: OverrideSpan | undefined;
    for (const s of spans) if (s.start <= start && start < s.end) ov = s; // last listed wins
    if (!ov && start < first) continue;
    const primary = ov ? ov.person : rotationPerson(cfg, k).person;
    const secondary = secondaryFor(cfg, Math.max(k, 0), primary);
    const shift: Shift = {
      start,
      end,
      primary,
      ...(secondary ? { secondary } : {}),
      source: ov ? 'override' : 'rotation',
      ...(ov?.reason ? { reason: ov.reason } : {}),
    };
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.end === start &&
      prev.primary === shift.primary &&
      prev.secondary === shift.secondary &&
      prev.source === shift.source &&
      prev.reason === shift.reason
    )
      prev.end = end;
    else out.push(shift);
  }
  return out;
}

/** The window rendered into Alertmanager: from the first hand-over to the end of renderUntil (local midnight). */
export function renderWindow(cfg: RotationConfig): { start: number; end: number } {
  const firstOverride = Math.min(...overrideSpans(cfg).map((s) => s.start), Infinity);
  const start = Math.min(handover(cfg, 0), firstOverride);
  const end = localInstant(
    DateTime.fromISO(cfg.renderUntil, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!,
    '00:00',
    cfg.zone,
  );
  return { start, end };
}

/** The next hand-over (or override edge) strictly after t where the primary changes. */
export function nextChange(cfg: RotationConfig, t: number, horizonWeeks = 104): Shift | null {
  const shifts = shiftsBetween(cfg, t, t + horizonWeeks * WEEK_MS);
  const now = shifts[0];
  if (!now || now.start > t) return now ?? null;
  return shifts.find((s) => s.primary !== now.primary) ?? null;
}

/** Formats an instant in the site zone, e.g. "Mon 2026-09-07 09:00 CEST". */
export function formatLocal(t: number, zone: string): string {
  return DateTime.fromMillis(t, { zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ');
}
