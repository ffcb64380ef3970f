// `labctl oncall now|next|schedule|ical`: who holds the pager, from the inventory's rotation.
import { DateTime } from 'luxon';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { formatLocal, nextChange, onCallAt, renderWindow, rotationOf, shiftsBetween, type RotationConfig, type Shift } from '../../inventory/rotation.ts';
import { rotationCalendar } from '../../oncall/ical.ts';
import { loadSite } from './cluster-common.ts';
import { printJson, type OutputFormat } from '../output.ts';

export interface OncallOptions { inventory: string; at?: string; weeks?: string; output: OutputFormat }

function load(file: string): { cfg: RotationConfig; site: ReturnType<typeof loadSite> } {
  const site = loadSite(file);
  const cfg = rotationOf(site);
  if (!cfg) throw new ExitError(`${file}: monitoring.oncall is not set: there is no rotation`, 1);
  return { cfg, site };
}

/** --at: an ISO date-time; without an offset it is local time of the site. Default: now. */
export function parseAt(at: string | undefined, zone: string): number {
  if (at === undefined) return Date.now();
  const d = DateTime.fromISO(at, { zone, setZone: true });
  if (!d.isValid) throw new UsageError(`--at ${at}: expected an ISO date-time such as 2026-10-26T09:00 (site time) or 2026-10-26T08:00Z`);
  return d.toMillis();
}

function parseWeeks(w: string | undefined, dflt: number): number {
  if (w === undefined) return dflt;
  const n = Number(w);
  if (!Number.isInteger(n) || n < 1 || n > 520) throw new UsageError(`--weeks ${w}: expected a whole number from 1 to 520`);
  return n;
}

const json = (s: Shift | null) => s && ({ primary: s.primary, secondary: s.secondary ?? null, source: s.source, reason: s.reason ?? null, start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() });
const line = (s: Shift, zone: string) =>
  `${formatLocal(s.start, zone)}  ->  ${formatLocal(s.end, zone)}  ${s.primary.padEnd(12)} secondary ${(s.secondary ?? '-').padEnd(12)}${s.source === 'override' ? ` override${s.reason ? `: ${s.reason}` : ''}` : ''}`;

export async function oncallNow(o: OncallOptions): Promise<void> {
  const { cfg } = load(o.inventory);
  const t = parseAt(o.at, cfg.zone);
  const full = shiftsBetween(cfg, t, t + 60 * 86_400_000).find((s) => s.start <= t) ?? onCallAt(cfg, t);
  if (o.output === 'json') return printJson({ at: new Date(t).toISOString(), oncall: json(full) });
  if (!full) throw new ExitError(`nobody is on call at ${formatLocal(t, cfg.zone)}: the rotation starts ${cfg.start}; critical alerts page the whole roster`, 1);
  process.stdout.write(`${full.primary} is on call (secondary: ${full.secondary ?? 'none'}) until ${formatLocal(full.end, cfg.zone)}${full.source === 'override' ? ` [override${full.reason ? `: ${full.reason}` : ''}]` : ''}\n`);
}

export async function oncallNext(o: OncallOptions): Promise<void> {
  const { cfg } = load(o.inventory);
  const t = parseAt(o.at, cfg.zone);
  const n = nextChange(cfg, t);
  if (o.output === 'json') return printJson({ at: new Date(t).toISOString(), next: json(n) });
  if (!n) throw new ExitError('no further hand-over in the next two years', 1);
  process.stdout.write(`next: ${n.primary} from ${formatLocal(n.start, cfg.zone)} (secondary: ${n.secondary ?? 'none'})\n`);
}

export async function oncallSchedule(o: OncallOptions): Promise<void> {
  const { cfg } = load(o.inventory);
  const t = parseAt(o.at, cfg.zone);
  const weeks = parseWeeks(o.weeks, 8);
  const shifts = shiftsBetween(cfg, t, t + weeks * 7 * 86_400_000);
  const rendered = renderWindow(cfg).end;
  if (o.output === 'json') return printJson({ from: new Date(t).toISOString(), weeks, renderedUntil: new Date(rendered).toISOString(), shifts: shifts.map(json) });
  for (const s of shifts) process.stdout.write(line(s, cfg.zone) + '\n');
  if (t + weeks * 7 * 86_400_000 > rendered) {
    process.stderr.write(`note: Alertmanager has the rotation only until ${formatLocal(rendered, cfg.zone)} (monitoring.oncall.renderUntil); after that critical alerts page the whole roster\n`);
  }
}

export async function oncallIcal(o: OncallOptions): Promise<void> {
  const { cfg, site } = load(o.inventory);
  const window = renderWindow(cfg);
  // Default: the whole rendered rotation; --at/--weeks narrow it.
  const from = o.at !== undefined ? parseAt(o.at, cfg.zone) : window.start;
  const to = o.weeks !== undefined ? from + parseWeeks(o.weeks, 52) * 7 * 86_400_000 : window.end;
  process.stdout.write(rotationCalendar(site.site, cfg, shiftsBetween(cfg, from, to), from));
}
