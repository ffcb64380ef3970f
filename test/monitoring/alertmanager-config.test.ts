// The rendered Alertmanager configuration (kube-prometheus-stack values of the example site) against
// Debian's amtool 0.25: check-config with the secret *_file paths pointed at temporary files, and the
// routing tree (`amtool config routes test`) for critical, warning, lab and Watchdog alerts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE } from '../helpers.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import {
  MOUNTED_SECRET_DIR,
  alertmanagerSecrets,
  type AmConfig,
} from '../../installer/render/components/monitoring/alertmanager.ts';
import { amtool, compat025 } from './am-helpers.ts';

let dir: string;
let rendered: AmConfig;
let configFile: string;
let renderedText: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-am-'));
  const site = validateInventoryFile(EXAMPLE).site!;
  const out = await renderSite(site, readRenderInputs(site));
  const values = out.files.get('components/kube-prometheus-stack/values.yaml')!;
  renderedText = values;
  rendered = (parse(values) as { alertmanager: { config: AmConfig } }).alertmanager.config;
  // Point the mounted-Secret paths at temp files holding made-up values.
  const secrets = join(dir, 'secrets');
  mkdirSync(secrets);
  for (const s of alertmanagerSecrets(site))
    writeFileSync(
      join(secrets, s.key),
      s.key.includes('smtp') ? 'not-a-password\n' : `https://hooks.invalid/${s.key}\n`,
    );
  const local = JSON.parse(JSON.stringify(rendered).split(MOUNTED_SECRET_DIR).join(secrets));
  configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, stringify(compat025(local)));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rendered Alertmanager configuration with the real amtool', () => {
  it('holds no secret: URLs and the SMTP password are *_file paths into the mounted Secret', () => {
    expect(renderedText).not.toMatch(/https?:\/\/[^\s"]*(ntfy|matrix|hooks|heartbeat)/);
    const json = JSON.stringify(rendered);
    expect(json).toContain(`"smtp_auth_password_file":"${MOUNTED_SECRET_DIR}/monitoring.smtp"`);
    expect(json).toContain(`"url_file":"${MOUNTED_SECRET_DIR}/oncall.jdoe-ntfy"`);
    expect(json).not.toMatch(/"url":/);
  });

  it('amtool check-config accepts it', () => {
    const r = amtool(['check-config', configFile]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code, r.out).toBe(0);
  });

  it("documents the one 0.25 difference: webhook url_file is unknown to Debian's amtool", () => {
    const upstream = join(dir, 'upstream.yml');
    const secrets = join(dir, 'secrets');
    writeFileSync(upstream, stringify(JSON.parse(JSON.stringify(rendered).split(MOUNTED_SECRET_DIR).join(secrets))));
    const r = amtool(['check-config', upstream]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('url_file');
  });

  const routes = (labels: string[]) => {
    const r = amtool(['config', 'routes', 'test', `--config.file=${configFile}`, ...labels]);
    expect(r.code, r.out).toBe(0);
    return r.stdout.trim().split(',').sort();
  };

  it("routes a critical alert to every person's pager route, the roster fallback and the team", () => {
    // Routing ignores time intervals; which of these routes notifies is decided by their active intervals.
    // Each person twice: as primary and (delayed) as secondary.
    expect(routes(['alertname=NodeDown', 'severity=critical', 'node=vmh1'])).toEqual([
      'page-akumar',
      'page-akumar',
      'page-everyone',
      'page-jdoe',
      'page-jdoe',
      'page-mmuster',
      'page-mmuster',
      'team-chat',
    ]);
  });

  it('routes warnings and lab alerts to the team, the Watchdog to the heartbeat, info nowhere', () => {
    expect(routes(['alertname=CephOSDDown', 'severity=warning'])).toEqual(['team-chat']);
    expect(routes(['alertname=LabVMsNotRunning', 'severity=warning'])).toEqual(['team-chat']);
    expect(routes(['alertname=Watchdog', 'severity=none'])).toEqual(['heartbeat']);
    expect(routes(['alertname=Something', 'severity=info'])).toEqual(['null']);
  });

  it("pages on the per-person routes only in that person's time intervals, escalates after escalateAfterMinutes", () => {
    const crit = rendered.route.routes!.find((r) => r.matchers?.includes('severity="critical"'))!;
    const jdoe = crit.routes!.filter((r) => r.receiver === 'page-jdoe');
    expect(jdoe.map((r) => r.active_time_intervals)).toEqual([['oncall-jdoe'], ['oncall-secondary-jdoe']]);
    expect(jdoe[1]!.group_wait).toBe('15m');
    expect(jdoe.every((r) => r.mute_time_intervals?.includes('maintenance-patch-tuesday'))).toBe(true);
    const names = rendered.time_intervals.map((t) => t.name);
    for (const n of [
      'oncall-jdoe',
      'oncall-secondary-jdoe',
      'oncall-unscheduled',
      'working-hours',
      'lab-hours',
      'maintenance-patch-tuesday',
    ])
      expect(names).toContain(n);
    expect(rendered.time_intervals.every((t) => t.time_intervals.every((i) => i.location === 'Europe/Berlin'))).toBe(
      true,
    );
  });
});
