// The Alertmanager configuration, built as data from the inventory's monitoring section:
// - critical alerts page the person on call NOW: one route per person, active only during that
//   person's time intervals (the rotation, rendered for a bounded window, see docs/decisions.md);
// - the secondary (next in rotation) gets the same alert after escalateAfterMinutes unless it was
//   acknowledged, i.e. silenced, in the meantime (Alertmanager has no "ack"; a silence is one);
// - outside the rendered window every critical alert pages the whole roster (never silent);
// - warnings go to the team receiver in working hours, lab alerts in lab hours;
// - maintenance windows mute everything but the Watchdog, which goes to the heartbeat URL.
// Secrets never appear: every URL and password is a *_file path into a mounted Secret.
import type { Receiver, RosterEntry, Site } from '../../../inventory/types.ts';
import type { SecretNeed } from '../../model.ts';
import { rotationOf, renderWindow, shiftsBetween, type RotationConfig } from '../../../inventory/rotation.ts';
import {
  complementIntervals,
  spanToIntervals,
  weeklyInterval,
  type AmTimeInterval,
} from '../../../oncall/time-intervals.ts';

export const AM_NAMESPACE = 'monitoring';
/** Secret with every receiver URL/password, mounted by the Alertmanager CR (alertmanagerSpec.secrets). */
export const RECEIVER_SECRET = 'alertmanager-receivers';
export const MOUNTED_SECRET_DIR = `/etc/alertmanager/secrets/${RECEIVER_SECRET}`;

export type AmConfig = Record<string, unknown> & {
  route: AmRoute;
  receivers: AmReceiver[];
  time_intervals: { name: string; time_intervals: AmTimeInterval[] }[];
  inhibit_rules: Record<string, unknown>[];
};
export interface AmRoute {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  active_time_intervals?: string[];
  mute_time_intervals?: string[];
  routes?: AmRoute[];
}
export interface AmReceiver {
  name: string;
  [configs: string]: unknown;
}

/** Secret key for a secret-store ref: Secret keys allow [-._a-zA-Z0-9] only. */
export const secretKey = (ref: string) => ref.replace(/\//g, '.').replace(/[^-._a-zA-Z0-9]/g, '_');

export interface AmOptions {
  /** Directory the receiver Secret is mounted at. Default: the Alertmanager pod's mount. */
  secretDir?: string;
}

export const intervalName = {
  primary: (p: string) => `oncall-${p}`,
  secondary: (p: string) => `oncall-secondary-${p}`,
  unscheduled: 'oncall-unscheduled',
  working: 'working-hours',
  lab: 'lab-hours',
  maintenance: (w: string) => `maintenance-${w}`,
};
export const receiverName = {
  page: (p: string) => `page-${p}`,
  everyone: 'page-everyone',
  heartbeat: 'heartbeat',
  none: 'null',
};

/** Every secret the Alertmanager configuration reads from files. */
export function alertmanagerSecrets(site: Site): SecretNeed[] {
  const mon = site.monitoring;
  const refs = new Map<string, string>();
  for (const r of mon.receivers) if (r.urlRef) refs.set(r.urlRef, `URL of alert receiver ${r.name} (${r.type})`);
  for (const p of mon.oncall?.roster ?? [])
    if (p.pageUrlRef) refs.set(p.pageUrlRef, `paging URL of ${p.name} (on-call rotation)`);
  if (mon.heartbeatUrlRef)
    refs.set(mon.heartbeatUrlRef, "heartbeat (dead man's switch) URL the Watchdog alert is sent to");
  if (mon.smtp?.passwordRef)
    refs.set(mon.smtp.passwordRef, `password of SMTP user ${mon.smtp.username ?? ''} at ${mon.smtp.smarthost}`);
  return [...refs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ref, purpose]) => ({
      ref,
      namespace: AM_NAMESPACE,
      name: RECEIVER_SECRET,
      key: secretKey(ref),
      generate: { kind: 'external' },
      purpose,
    }));
}

const TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}';
const TEXT =
  '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}';

function receiverConfigs(r: Receiver, file: (ref: string) => string): Record<string, unknown> {
  switch (r.type) {
    case 'email':
      return { email_configs: [{ to: r.to, send_resolved: true }] };
    case 'slack':
      return { slack_configs: [{ api_url_file: file(r.urlRef!), send_resolved: true, title: TITLE, text: TEXT }] };
    // msteams_configs needs Alertmanager >= 0.26 (the kube-prometheus-stack pin ships a newer one).
    case 'msteams':
      return {
        msteams_configs: [{ webhook_url_file: file(r.urlRef!), send_resolved: true, title: TITLE, text: TEXT }],
      };
    // matrix and ntfy are reached through their webhook bridges (e.g. matrix-hookshot, ntfy's
    // template=yes endpoint); the URL, token included, is the secret.
    case 'webhook':
    case 'matrix':
    case 'ntfy':
      return { webhook_configs: [{ url_file: file(r.urlRef!), send_resolved: true }] };
  }
}

function pageConfigs(p: RosterEntry, file: (ref: string) => string, hasSmtp: boolean): Record<string, unknown> {
  return {
    ...(p.pageUrlRef ? { webhook_configs: [{ url_file: file(p.pageUrlRef), send_resolved: true }] } : {}),
    ...(p.email && hasSmtp ? { email_configs: [{ to: p.email, send_resolved: true }] } : {}),
  };
}

/** Time intervals of the rotation: who is primary / secondary when, plus the time outside the window. */
export function rotationIntervals(cfg: RotationConfig): { name: string; time_intervals: AmTimeInterval[] }[] {
  const { start, end } = renderWindow(cfg);
  const shifts = shiftsBetween(cfg, start, end);
  const people = [...new Set(cfg.order.concat(cfg.overrides.map((o) => o.person)))].sort();
  const out: { name: string; time_intervals: AmTimeInterval[] }[] = [];
  for (const p of people) {
    const prim = shifts.filter((s) => s.primary === p).flatMap((s) => spanToIntervals(s.start, s.end, cfg.zone));
    const sec = shifts.filter((s) => s.secondary === p).flatMap((s) => spanToIntervals(s.start, s.end, cfg.zone));
    // An interval must have at least one entry; an empty list would match nothing only by accident.
    if (prim.length) out.push({ name: intervalName.primary(p), time_intervals: prim });
    if (sec.length) out.push({ name: intervalName.secondary(p), time_intervals: sec });
  }
  // Gaps inside the window (before the first hand-over) count as unscheduled too.
  const gaps: AmTimeInterval[] = [];
  let cursor = start;
  for (const s of shifts) {
    if (s.start > cursor) gaps.push(...spanToIntervals(cursor, s.start, cfg.zone));
    cursor = Math.max(cursor, s.end);
  }
  if (cursor < end) gaps.push(...spanToIntervals(cursor, end, cfg.zone));
  out.push({ name: intervalName.unscheduled, time_intervals: [...gaps, ...complementIntervals(start, end, cfg.zone)] });
  return out;
}

export function alertmanagerConfig(site: Site, opts: AmOptions = {}): AmConfig {
  const mon = site.monitoring;
  const zone = site.site.timezone;
  const dir = opts.secretDir ?? MOUNTED_SECRET_DIR;
  const file = (ref: string) => `${dir}/${secretKey(ref)}`;
  const cfg = rotationOf(site);
  const roster = mon.oncall?.roster ?? [];
  const hasSmtp = !!mon.smtp;

  const timeIntervals: AmConfig['time_intervals'] = [
    {
      name: intervalName.working,
      time_intervals: [weeklyInterval(mon.workingHours.days, mon.workingHours.start, mon.workingHours.end, zone)],
    },
    {
      name: intervalName.lab,
      time_intervals: [weeklyInterval(mon.labHours.days, mon.labHours.start, mon.labHours.end, zone)],
    },
    ...mon.maintenanceWindows.map((w) => ({
      name: intervalName.maintenance(w.name),
      time_intervals: [weeklyInterval(w.weekdays, w.start, w.end, zone)],
    })),
    ...(cfg ? rotationIntervals(cfg) : []),
  ];
  const defined = new Set(timeIntervals.map((t) => t.name));
  const muted = mon.maintenanceWindows.map((w) => intervalName.maintenance(w.name));
  const mute = muted.length ? { mute_time_intervals: muted } : {};

  const receivers: AmReceiver[] = [{ name: receiverName.none }];
  for (const r of mon.receivers) receivers.push({ name: r.name, ...receiverConfigs(r, file) });
  for (const p of roster) receivers.push({ name: receiverName.page(p.name), ...pageConfigs(p, file, hasSmtp) });
  if (roster.length) {
    const all = roster.map((p) => pageConfigs(p, file, hasSmtp));
    const merged: Record<string, unknown[]> = {};
    for (const c of all) for (const [k, v] of Object.entries(c)) (merged[k] ??= []).push(...(v as unknown[]));
    receivers.push({ name: receiverName.everyone, ...merged });
  }
  if (mon.heartbeatUrlRef)
    receivers.push({
      name: receiverName.heartbeat,
      webhook_configs: [{ url_file: file(mon.heartbeatUrlRef), send_resolved: false }],
    });

  const team = mon.teamReceiver;
  const critical: AmRoute[] = [];
  if (cfg) {
    const people = [...new Set(cfg.order.concat(cfg.overrides.map((o) => o.person)))].sort();
    for (const p of people) {
      if (defined.has(intervalName.primary(p)))
        critical.push({
          receiver: receiverName.page(p),
          active_time_intervals: [intervalName.primary(p)],
          ...mute,
          continue: true,
        });
    }
    const escalate = `${cfg.escalateAfterMinutes}m`;
    for (const p of people) {
      if (defined.has(intervalName.secondary(p))) {
        critical.push({
          receiver: receiverName.page(p),
          active_time_intervals: [intervalName.secondary(p)],
          group_wait: escalate,
          repeat_interval: '1h',
          ...mute,
          continue: true,
        });
      }
    }
    critical.push({
      receiver: receiverName.everyone,
      active_time_intervals: [intervalName.unscheduled],
      ...mute,
      continue: true,
    });
  }
  if (team) critical.push({ receiver: team, ...mute, continue: true });
  // The last child must not continue: it ends the critical subtree.
  if (critical.length) delete critical[critical.length - 1]!.continue;

  const routes: AmRoute[] = [];
  routes.push({
    matchers: ['alertname="Watchdog"'],
    receiver: mon.heartbeatUrlRef ? receiverName.heartbeat : receiverName.none,
    group_wait: '0s',
    group_interval: '1m',
    repeat_interval: '1m',
  });
  if (critical.length)
    routes.push({
      matchers: ['severity="critical"'],
      receiver: receiverName.none,
      routes: critical,
      repeat_interval: '1h',
    });
  if (team) {
    routes.push({
      matchers: ['severity="warning"', 'alertname=~"Lab.+"'],
      receiver: team,
      active_time_intervals: [intervalName.lab],
      ...mute,
    });
    routes.push({
      matchers: ['severity="warning"'],
      receiver: team,
      active_time_intervals: [intervalName.working],
      ...mute,
    });
  }

  return {
    global: {
      resolve_timeout: '5m',
      ...(mon.smtp
        ? {
            smtp_smarthost: mon.smtp.smarthost,
            smtp_from: mon.smtp.from,
            smtp_require_tls: true,
            ...(mon.smtp.username ? { smtp_auth_username: mon.smtp.username } : {}),
            ...(mon.smtp.passwordRef ? { smtp_auth_password_file: file(mon.smtp.passwordRef) } : {}),
          }
        : {}),
    },
    route: {
      receiver: receiverName.none,
      group_by: ['alertname', 'namespace', 'node'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes,
    },
    inhibit_rules: [
      // A node that is down explains every alert about things on it (pods, VMs, disks).
      { source_matchers: ['alertname="NodeDown"'], target_matchers: ['alertname!="NodeDown"'], equal: ['node'] },
      // A critical alert hides the warning of the same name on the same object.
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'namespace', 'node'],
      },
      {
        source_matchers: ['alertname="CephHealthError"'],
        target_matchers: ['alertname="CephHealthWarning"'],
        equal: ['namespace'],
      },
      // While the API server is unreachable, alerts computed from kube-state-metrics are stale noise.
      { source_matchers: ['alertname="KubeAPIDown"'], target_matchers: ['severity="warning"'] },
    ],
    receivers,
    time_intervals: timeIntervals,
  };
}
