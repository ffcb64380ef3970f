// On-call checks that need the rotation module: the rendered horizon (Alertmanager time intervals are
// finite) and hand-over times that a DST change skips or repeats.
import { DateTime, IANAZone } from 'luxon';
import type { Rule } from './context.ts';
import { notACalendarDay } from '../../core/calendar-day.ts';
import { firstHandoverDate, isDstAffected, renderWindow, rotationOf } from '../rotation.ts';

/** Days before the end of the rendered rotation when validate starts to warn. */
export const HORIZON_WARN_DAYS = 28;

export const oncallHorizon: Rule = (ctx) => {
  const oc = ctx.site.monitoring.oncall;
  if (!oc) return;
  const cfg = rotationOf(ctx.site);
  if (!cfg) return;
  // The schema's date pattern takes any day 01-31: 2027-02-30 passed, and oncall and render worked with an
  // invalid date ('until Invalid DateTime').
  const bad = (
    [
      [cfg.start, ['monitoring', 'oncall', 'rotation', 'start']],
      [oc.renderUntil, ['monitoring', 'oncall', 'renderUntil']],
    ] as const
  ).filter(([d]) => notACalendarDay(d));
  for (const [d, at] of bad) ctx.error([...at], notACalendarDay(d)!, 'a date YYYY-MM-DD that exists, e.g. 2027-02-28');
  if (bad.length || !DateTime.fromISO(cfg.start).isValid || !DateTime.fromISO(cfg.renderUntil).isValid) return;
  const path = oc.renderUntil ? ['monitoring', 'oncall', 'renderUntil'] : ['monitoring', 'oncall', 'rotation', 'start'];
  if (cfg.renderUntil <= cfg.start) {
    ctx.error(
      path,
      `renderUntil ${cfg.renderUntil} is not after rotation.start ${cfg.start}: no week of the rotation would reach Alertmanager`,
    );
    return;
  }
  const end = renderWindow(cfg).end;
  const left = Math.floor((end - Date.now()) / 86_400_000);
  if (left < HORIZON_WARN_DAYS) {
    ctx.warn(
      path,
      left < 0
        ? `the rendered rotation ended on ${cfg.renderUntil}: critical alerts page the whole roster`
        : `the rendered rotation ends in ${left} day(s) (${cfg.renderUntil}); after that critical alerts page the whole roster`,
      'set monitoring.oncall.renderUntil later (e.g. a year ahead) and re-render',
    );
  }
  // A hand-over at a local time that DST skips or repeats happens at a surprising instant. Only a date
  // whose zone offset two days before differs from two days after can hold a DST change (tzdata has no
  // two changes within four days): the exact, costlier check runs for those dates alone.
  const zone = IANAZone.create(cfg.zone);
  const DAY = 86_400_000;
  let d = firstHandoverDate(cfg);
  const last = DateTime.fromISO(cfg.renderUntil, { zone: 'UTC' });
  for (let i = 0; d <= last && i < 600; i++, d = d.plus({ days: 7 })) {
    const t = d.toMillis();
    if (zone.offset(t - 2 * DAY) === zone.offset(t + 2 * DAY)) continue;
    if (isDstAffected(d.toISODate()!, cfg.handoverTime, cfg.zone)) {
      ctx.warn(
        ['monitoring', 'oncall', 'rotation', 'handoverTime'],
        `hand-over ${cfg.handoverDay} ${cfg.handoverTime} falls into a DST change of ${cfg.zone} on ${d.toISODate()}: that week's hand-over moves to the end of the skipped hour or its first occurrence`,
        'pick a hand-over time outside 00:00-04:00',
      );
      break;
    }
  }
};

const reachHint = (who: string) =>
  `set monitoring.smtp (smarthost, from) so roster emails are sent, or give ${who} a pageUrlRef (secret-store entry holding their ntfy/webhook URL)`;

/** A page goes out only through a configured transport: email needs monitoring.smtp, a URL needs pageUrlRef.
 *  Without either the page-<name> and page-everyone receivers render empty and critical alerts go nowhere. */
export const oncallReachable: Rule = (ctx) => {
  const mon = ctx.site.monitoring;
  const oc = mon.oncall;
  if (!oc || oc.roster.length === 0) return;
  const reachable = (p: (typeof oc.roster)[number]) => !!p.pageUrlRef || (!!p.email && !!mon.smtp);
  // Entries with neither email nor pageUrlRef already get an error of their own (oncallRotation).
  oc.roster.forEach((p, i) => {
    if (!reachable(p) && p.email) {
      ctx.warn(
        ['monitoring', 'oncall', 'roster', i, 'email'],
        `roster entry ${p.name} cannot be paged: ${p.email} is an email address but monitoring.smtp is not set and there is no pageUrlRef`,
        reachHint(p.name),
      );
    }
  });
  if (!oc.roster.some(reachable)) {
    ctx.error(
      ['monitoring', 'oncall', 'roster'],
      `no one on the on-call roster can be paged: critical alerts would render into empty receivers (${oc.roster.map((p) => `page-${p.name}`).join(', ')}, page-everyone) and reach nobody`,
      reachHint('each person'),
    );
  }
};
