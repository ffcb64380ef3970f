// `labctl oncall now|next|schedule|ical`: who holds the pager, from the inventory's rotation.
import { showControls } from '../../core/show-controls.ts';
import { DateTime } from 'luxon';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import {
  formatLocal,
  nextChange,
  onCallAt,
  renderWindow,
  rotationOf,
  shiftsBetween,
  type RotationConfig,
  type Shift,
} from '../../inventory/rotation.ts';
import { rotationCalendar } from '../../oncall/ical.ts';
import { loadSite } from './cluster-common.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { wholeNumber } from '../options.ts';

export interface OncallOptions {
  inventory: string;
  at?: string;
  weeks?: string;
  output: OutputFormat;
}

function load(file: string): { cfg: RotationConfig; site: ReturnType<typeof loadSite> } {
  const site = loadSite(file);
  const cfg = rotationOf(site);
  if (!cfg) {
    // A new site (labctl init writes none): say what to add and where its example is, not only that it is missing.
    const f = showControls(file);
    throw new ExitError(
      `${f}: monitoring.oncall is not set: there is no rotation to show. Add monitoring.oncall (roster: the people; rotation: start, order) to ${f}, as the commented one in inventory.example.yaml (in the folder labctl version names); then labctl render, so Alertmanager pages by it`,
      1,
    );
  }
  return { cfg, site };
}

/** --at: an ISO date-time; without an offset it is local time of the site. Default: now. */
export function parseAt(at: string | undefined, zone: string): number {
  if (at === undefined) return Date.now();
  const d = DateTime.fromISO(at, { zone, setZone: true });
  if (!d.isValid)
    throw new UsageError(
      `--at ${at}: expected an ISO date-time such as 2026-10-26T09:00 (site time) or 2026-10-26T08:00Z`,
    );
  return d.toMillis();
}

function parseWeeks(w: string | undefined, dflt: number): number {
  if (w === undefined) return dflt;
  return wholeNumber('--weeks', 520)(w);
}

const json = (s: Shift | null) =>
  s && {
    primary: s.primary,
    secondary: s.secondary ?? null,
    source: s.source,
    reason: s.reason ?? null,
    start: new Date(s.start).toISOString(),
    end: new Date(s.end).toISOString(),
  };
// Padded columns, but no spaces at the end of a line (a shift without an override ended in padding).
const line = (s: Shift, zone: string) =>
  `${formatLocal(s.start, zone)}  ->  ${formatLocal(s.end, zone)}  ${s.primary.padEnd(12)} secondary ${(s.secondary ?? '-').padEnd(12)}${s.source === 'override' ? ` override${s.reason ? `: ${showControls(s.reason)}` : ''}` : ''}`.trimEnd();

const WEEK_MS = 7 * 86_400_000;

/** Who Alertmanager pages outside the rendered rotation (receiver page-everyone): every roster member. */
const rosterOf = (site: ReturnType<typeof loadSite>) => (site.monitoring.oncall?.roster ?? []).map((p) => p.name);

/** Past the rendered window Alertmanager has no name, only the whole roster: say so instead of a name. */
function pastRendered(cfg: RotationConfig, site: ReturnType<typeof loadSite>, t: number): string | null {
  const end = renderWindow(cfg).end;
  if (t < end) return null;
  return (
    `${formatLocal(t, cfg.zone)} is past the rotation Alertmanager has (monitoring.oncall.renderUntil ${cfg.renderUntil}, until ${formatLocal(end, cfg.zone)}): ` +
    `nobody holds the pager alone there, every critical alert pages the whole roster (${rosterOf(site).join(', ')}). ` +
    'To hand it to one person again: raise monitoring.oncall.renderUntil, labctl render, commit and push'
  );
}

export async function oncallNow(o: OncallOptions): Promise<void> {
  const { cfg, site } = load(o.inventory);
  const t = parseAt(o.at, cfg.zone);
  const past = pastRendered(cfg, site, t);
  if (past) {
    if (o.output === 'json')
      return printJson({
        at: new Date(t).toISOString(),
        oncall: null,
        pages: 'everyone',
        roster: rosterOf(site),
        renderedUntil: new Date(renderWindow(cfg).end).toISOString(),
      });
    throw new ExitError(past, 1);
  }
  const found = shiftsBetween(cfg, t, t + 60 * 86_400_000).find((s) => s.start <= t) ?? onCallAt(cfg, t);
  // The shift ends with the rendered window at the latest: then Alertmanager pages the whole roster.
  const rendered = renderWindow(cfg).end;
  const cut = !!found && found.end > rendered;
  const full = found && cut ? { ...found, end: rendered } : found;
  if (o.output === 'json') return printJson({ at: new Date(t).toISOString(), oncall: json(full) });
  if (!full)
    throw new ExitError(
      `nobody is on call at ${formatLocal(t, cfg.zone)}: the rotation starts ${cfg.start}; critical alerts page the whole roster`,
      1,
    );
  process.stdout.write(
    `${full.primary} is on call (secondary: ${full.secondary ?? 'none'}) until ${formatLocal(full.end, cfg.zone)}${full.source === 'override' ? ` [override${full.reason ? `: ${showControls(full.reason)}` : ''}]` : ''}${cut ? `, then everyone: past monitoring.oncall.renderUntil ${cfg.renderUntil} every critical alert pages the whole roster` : ''}\n`,
  );
}

export async function oncallNext(o: OncallOptions): Promise<void> {
  const { cfg, site } = load(o.inventory);
  const t = parseAt(o.at, cfg.zone);
  // Past the rendered window, or when it ends before the next hand-over, Alertmanager hands the pager to the
  // whole roster, not to the rotation's next name (as now and schedule say).
  const rendered = renderWindow(cfg).end;
  const everyone = {
    pages: 'everyone',
    roster: rosterOf(site),
    renderedUntil: new Date(rendered).toISOString(),
  };
  const past = pastRendered(cfg, site, t);
  if (past) {
    if (o.output === 'json') return printJson({ at: new Date(t).toISOString(), next: null, ...everyone });
    throw new ExitError(past, 1);
  }
  const n = nextChange(cfg, t);
  if (!n || n.start >= rendered) {
    if (o.output === 'json')
      return printJson({
        at: new Date(t).toISOString(),
        next: null,
        from: new Date(rendered).toISOString(),
        ...everyone,
      });
    process.stdout.write(
      `next: everyone from ${formatLocal(rendered, cfg.zone)}: past monitoring.oncall.renderUntil ${cfg.renderUntil} every critical alert pages the whole roster (${rosterOf(site).join(', ')}); to hand it to one person again: raise monitoring.oncall.renderUntil, labctl render, commit and push\n`,
    );
    return;
  }
  if (o.output === 'json') return printJson({ at: new Date(t).toISOString(), next: json(n) });
  process.stdout.write(
    `next: ${n.primary} from ${formatLocal(n.start, cfg.zone)} (secondary: ${n.secondary ?? 'none'})\n`,
  );
}

export async function oncallSchedule(o: OncallOptions): Promise<void> {
  const { cfg } = load(o.inventory);
  const t = parseAt(o.at, cfg.zone);
  const weeks = parseWeeks(o.weeks, 8);
  const rendered = renderWindow(cfg).end;
  // Whole shifts: the one running at t from its hand-over (not from t), and the last to its end.
  const to = t + weeks * WEEK_MS;
  const from = shiftsBetween(cfg, t - 8 * WEEK_MS, t + 1).at(-1)?.start ?? t;
  const shifts = shiftsBetween(cfg, Math.min(from, t), to + 8 * WEEK_MS)
    .filter((s) => s.start < to && s.start < rendered)
    .map((s) => (s.end > rendered ? { ...s, end: rendered } : s));
  if (o.output === 'json')
    return printJson({
      from: new Date(Math.min(from, t)).toISOString(),
      weeks,
      renderedUntil: new Date(rendered).toISOString(),
      shifts: shifts.map(json),
    });
  for (const s of shifts) process.stdout.write(line(s, cfg.zone) + '\n');
  if (to > rendered) {
    // Alertmanager's answer past the window is the whole roster, not the next name of the rotation.
    process.stdout.write(
      `${formatLocal(rendered, cfg.zone)}  ->  (no end)${' '.repeat(Math.max(0, formatLocal(rendered, cfg.zone).length - 8))}  everyone: past monitoring.oncall.renderUntil ${cfg.renderUntil} every critical alert pages the whole roster\n`,
    );
  }
}

export async function oncallIcal(o: OncallOptions): Promise<void> {
  const { cfg, site } = load(o.inventory);
  const window = renderWindow(cfg);
  // Default: the whole rendered rotation; --at/--weeks narrow it.
  const from = o.at !== undefined ? parseAt(o.at, cfg.zone) : window.start;
  const past = pastRendered(cfg, site, from);
  if (past) throw new ExitError(past, 1);
  const asked = o.weeks !== undefined ? from + parseWeeks(o.weeks, 52) * 7 * 86_400_000 : window.end;
  // No shift past the rendered window: Alertmanager pages the whole roster there, not the rotation's names.
  const to = Math.min(asked, window.end);
  if (asked > window.end)
    process.stderr.write(
      `note: the calendar ends at ${formatLocal(window.end, cfg.zone)}: past monitoring.oncall.renderUntil ${cfg.renderUntil} every critical alert pages the whole roster (${rosterOf(site).join(', ')})\n`,
    );
  process.stdout.write(rotationCalendar(site.site, cfg, shiftsBetween(cfg, from, to), from));
}
