// End to end with a real Alertmanager (Debian's 0.25) on loopback: a rendered configuration whose
// rotation puts bob on call now (carol is next), alerts posted through the API v2, and a webhook server
// of the test standing in for every receiver. The site time zone is picked so that it is about noon
// there now, inside the working hours, far from any boundary: the outcome does not depend on the clock.
// Instance A: critical -> bob's pager (and the team), warning -> team, an acknowledged (silenced)
// critical alert never reaches the secondary, an unacknowledged one does after escalateAfterMinutes.
// Instance B: same site with a maintenance window now: nothing but the Watchdog heartbeat is sent.
// The rendered waits (group_wait 30 s, escalation 1 min) are shortened to 2 s and 10 s, and nothing else.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE } from '../helpers.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { alertmanagerConfig, alertmanagerSecrets } from '../../installer/render/components/monitoring/alertmanager.ts';
import { onCallAt, rotationOf } from '../../installer/inventory/rotation.ts';
import { compat025, startAlertmanager, waitFor, webhookServer, type Received, type RunningAm } from './am-helpers.ts';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
let dir: string;
let hook: Awaited<ReturnType<typeof webhookServer>>;
const ams: RunningAm[] = [];

/** An Etc/GMT zone in which it is between 11:30 and 12:30 now (Etc/GMT-5 is UTC+5). */
function noonZone(): string {
  const now = DateTime.utc();
  let h = Math.round(12 - (now.hour + now.minute / 60));
  if (h < -12) h += 24;
  if (h > 14) h -= 24;
  return h === 0 ? 'Etc/GMT' : h > 0 ? `Etc/GMT-${h}` : `Etc/GMT+${-h}`;
}

function siteFile(zone: string, maintenance: boolean): string {
  const today = DateTime.now().setZone(zone);
  const inv = parse(readFileSync(EXAMPLE, 'utf8'));
  inv.site.timezone = zone;
  inv.monitoring = {
    receivers: [{ name: 'team-chat', type: 'webhook', urlRef: 'monitoring/team' }],
    teamReceiver: 'team-chat',
    workingHours: { days: WEEKDAYS, start: '08:00', end: '18:00' },
    labHours: { days: WEEKDAYS, start: '08:00', end: '18:00' },
    heartbeatUrlRef: 'monitoring/heartbeat',
    oncall: {
      roster: ['alice', 'bob', 'carol'].map((name) => ({ name, pageUrlRef: `oncall/${name}` })),
      // Hand-over at midnight today, one week after the start: week 1 of [alice, bob, carol] is bob's.
      rotation: {
        start: today.minus({ days: 7 }).toISODate(),
        handoverDay: WEEKDAYS[today.weekday - 1],
        handoverTime: '00:00',
        order: ['alice', 'bob', 'carol'],
      },
      renderUntil: today.plus({ days: 60 }).toISODate(),
      escalateAfterMinutes: 1,
    },
    ...(maintenance ? { maintenanceWindows: [{ name: 'now', weekdays: WEEKDAYS, start: '08:00', end: '18:00' }] } : {}),
  };
  const file = join(dir, `inventory-${maintenance ? 'b' : 'a'}.yaml`);
  writeFileSync(file, stringify(inv));
  return file;
}

async function instance(tag: 'a' | 'b', zone: string, maintenance: boolean): Promise<RunningAm> {
  const v = validateInventoryFile(siteFile(zone, maintenance));
  expect(v.errors).toEqual([]);
  const site = v.site!;
  // The rotation module agrees on who is on call now.
  expect(onCallAt(rotationOf(site)!, Date.now())).toMatchObject({ primary: 'bob', secondary: 'carol' });
  const secrets = join(dir, `secrets-${tag}`);
  mkdirSync(secrets);
  for (const s of alertmanagerSecrets(site)) {
    const name = s.key.replace(/^(oncall|monitoring)\./, '');
    writeFileSync(join(secrets, s.key), `http://127.0.0.1:${hook.port}/${tag}/${name}\n`);
  }
  const file = join(dir, `alertmanager-${tag}.yml`);
  const rendered = alertmanagerConfig(site, { secretDir: secrets });
  const short = shortenWaits(rendered);
  // Only the two waits changed: the root's group_wait (30 s) and the escalation routes' (escalateAfterMinutes).
  const changes = differences(rendered, short);
  expect(changes.length).toBeGreaterThanOrEqual(2);
  for (const c of changes)
    expect(c).toMatch(/^(route\.group_wait: "30s" -> "2s"|route(\.routes\[\d+\])+\.group_wait: "1m" -> "10s")$/);
  expect(changes).toContain('route.group_wait: "30s" -> "2s"');
  writeFileSync(file, stringify(compat025(short)));
  const storage = join(dir, `data-${tag}`);
  mkdirSync(storage);
  const am = await startAlertmanager(file, storage);
  ams.push(am);
  return am;
}

/**
 * The rendered configuration with its long waits shortened, so the test takes seconds, not minutes: the root
 * group_wait 30s -> 2s, and the escalation wait (escalateAfterMinutes, 1m here) -> 10s, still 8 s after the
 * primary's page for the acknowledgement to land before the secondary would be paged. Nothing else changes
 * (instance() checks the differences).
 */
function shortenWaits<T>(config: T): T {
  const SHORT: Record<string, string> = { '30s': '2s', '1m': '10s' };
  return JSON.parse(JSON.stringify(config), (key, value) =>
    key === 'group_wait' && typeof value === 'string' ? (SHORT[value] ?? value) : value,
  );
}
/** Every leaf that differs between a and b, as `path: "a" -> "b"` (a key missing on one side counts). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) =>
      differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k,
      ),
    );
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

const alert = (alertname: string, severity: string, extra: Record<string, string> = {}) => ({
  labels: { alertname, severity, namespace: 'e2e', ...extra },
  annotations: { summary: `${alertname} (e2e)` },
  startsAt: new Date().toISOString(),
});
async function post(am: RunningAm, alerts: unknown[]) {
  const r = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(r.status, await r.text()).toBe(200);
}
async function silence(am: RunningAm, alertname: string) {
  const now = Date.now();
  const r = await fetch(`${am.url}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: alertname, isRegex: false, isEqual: true }],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      createdBy: 'bob',
      comment: 'ack: working on it',
    }),
  });
  expect(r.status, await r.text()).toBe(200);
}
const got = (path: string, alertname?: string) => (r: Received) =>
  r.path === path && (!alertname || r.body.alerts.some((a) => a.labels.alertname === alertname));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-am-e2e-'));
  hook = await webhookServer();
});
afterAll(async () => {
  for (const am of ams) await am.stop();
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a real Alertmanager with a rendered configuration', () => {
  it('pages the person on call, tells the team, escalates unacknowledged pages and mutes maintenance windows', async () => {
    const zone = noonZone();
    const [a, b] = await Promise.all([instance('a', zone, false), instance('b', zone, true)]);
    const r = hook.received;
    await Promise.all(
      [a, b].map((am) =>
        post(am, [
          alert('E2EDiskOnFire', 'critical', { node: 'vmh1' }),
          alert('E2EAcked', 'critical', { node: 'vmh2' }),
          alert('E2ESlowWarning', 'warning'),
          alert('Watchdog', 'none'),
        ]),
      ),
    );

    // Heartbeat first (group_wait 0s): both instances are alive and notifying.
    expect(
      await waitFor(() => r.some(got('/a/heartbeat', 'Watchdog')) && r.some(got('/b/heartbeat', 'Watchdog')), 20_000),
      JSON.stringify(r),
    ).toBe(true);
    // The primary (bob) is paged for both critical alerts after the group wait (30 s, 2 s here); bob acknowledges one.
    expect(
      await waitFor(() => r.some(got('/a/bob', 'E2EDiskOnFire')) && r.some(got('/a/bob', 'E2EAcked')), 60_000),
      a.log(),
    ).toBe(true);
    await silence(a, 'E2EAcked');
    // The warning reaches the team channel (working hours), so does the critical one.
    expect(
      await waitFor(() => r.some(got('/a/team', 'E2ESlowWarning')) && r.some(got('/a/team', 'E2EDiskOnFire')), 30_000),
    ).toBe(true);
    // After escalateAfterMinutes (1 min, 10 s here) the secondary (carol) gets the unacknowledged alert only.
    expect(await waitFor(() => r.some(got('/a/carol', 'E2EDiskOnFire')), 60_000), a.log()).toBe(true);
    await new Promise((res) => setTimeout(res, 3000)); // a flush for E2EAcked would come in the same second

    const paths = (prefix: string) =>
      [...new Set(r.filter((x) => x.path.startsWith(prefix)).map((x) => x.path))].sort();
    expect(r.some(got('/a/carol', 'E2EAcked'))).toBe(false);
    // Nobody else is paged: not alice, not the roster fallback; the warning does not page anyone.
    expect(paths('/a/')).toEqual(['/a/bob', '/a/carol', '/a/heartbeat', '/a/team']);
    expect(
      r.filter((x) => x.path === '/a/bob').flatMap((x) => x.body.alerts.map((al) => al.labels.severity)),
    ).not.toContain('warning');
    // Instance B (maintenance window now): by now its critical alerts would have been paged twice over,
    // yet only the heartbeat went out.
    expect(paths('/b/')).toEqual(['/b/heartbeat']);
  }, 180_000);
});
