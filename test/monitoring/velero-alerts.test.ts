// Velero's alerts against the real promtool (Debian's prometheus package), like alert-rules.test.ts but on
// the example inventory with a `backup:` section (added to the validated Site until the inventory schema
// has it): `promtool check rules` on the rendered labctl-backup group and `promtool test rules` with
// VELERO_CASES (each alert fires when it should and stays silent when it should not).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import type { PrometheusRule, PromGroup } from '../../installer/render/platform/alert-rules.ts';
import { expand } from '../../installer/render/platform/alert-rules.ts';
import { EXAMPLE } from '../helpers.ts';
import { VELERO_CASES, type AlertCase } from './alert-cases.ts';

const promtool = (args: string[]) =>
  new Promise<{ code: number | null; out: string }>((done) => {
    execFile('promtool', args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}` }),
    );
  });

let dir: string;
let group: PromGroup;
let rulesPath: string;
let dashboardQueries: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-velero-rules-'));
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  // The example has a backup section with the default Velero schedule (03:00 daily) the cases assume.
  const site = v.site;
  expect(site.backup?.velero.schedule).toBe('0 3 * * *');
  const r = await renderSite(site, readRenderInputs(site));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const rule = parse(
    r.files.get('components/kube-prometheus-stack/manifests/prometheusrule-monitoring-labctl-backup.yaml')!,
  ) as PrometheusRule;
  group = rule.spec.groups[0]!;
  const cm = parse(
    r.files.get('components/kube-prometheus-stack/manifests/configmap-monitoring-dashboard-backup.yaml')!,
  ) as { data: Record<string, string> };
  const board = JSON.parse(Object.values(cm.data)[0]!) as { panels: { targets: { expr: string }[] }[] };
  dashboardQueries = board.panels.flatMap((p) => p.targets.map((t) => t.expr));
  rulesPath = join(dir, 'labctl-backup.rules.yaml');
  writeFileSync(rulesPath, stringify({ groups: [group] }));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function testFile(cases: AlertCase[]): string {
  const byName = new Map(group.rules.map((r) => [r.alert, r]));
  return stringify({
    rule_files: [rulesPath],
    evaluation_interval: '1m',
    tests: cases.map((c) => {
      const rule = byName.get(c.alert)!;
      return {
        name: `${c.alert}: ${c.name}`,
        interval: '1m',
        input_series: c.series,
        alert_rule_test: [
          {
            eval_time: c.evalTime,
            alertname: c.alert,
            exp_alerts: c.fires.map((labels) => {
              const all = { ...labels, ...rule.labels };
              return {
                exp_labels: all,
                exp_annotations: {
                  summary: expand(rule.annotations.summary!, all),
                  description: expand(rule.annotations.description!, all),
                  runbook_url: rule.annotations.runbook_url!,
                },
              };
            }),
          },
        ],
      };
    }),
  });
}

describe('Velero alerts with the real promtool', () => {
  it('the rendered group has the three alerts and promtool check rules accepts it', async () => {
    expect(group.rules.map((r) => r.alert)).toEqual([
      'VeleroBackupTooOld',
      'VeleroBackupFailed',
      'VeleroBackupStorageUnavailable',
    ]);
    const r = await promtool(['check', 'rules', rulesPath]);
    expect(r.out).toContain('SUCCESS: 3 rules found');
    expect(r.code, r.out).toBe(0);
  });

  it("the Backups dashboard's queries are valid PromQL (promtool checks them as recording rules)", async () => {
    const queries = dashboardQueries.map((expr, i) => ({ record: `labctl:velero_dashboard_${i}`, expr }));
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const file = join(dir, 'dashboard.rules.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: queries }] }));
    const r = await promtool(['check', 'rules', file]);
    expect(r.code, r.out).toBe(0);
    // The check can fail: a broken query is refused.
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: [{ record: 'x:y', expr: 'sum by (' }] }] }));
    expect((await promtool(['check', 'rules', file])).code).not.toBe(0);
  });

  it('every alert has a firing and a silent case', () => {
    for (const r of group.rules) {
      expect(
        VELERO_CASES.some((c) => c.alert === r.alert && c.fires.length > 0),
        `${r.alert} fires`,
      ).toBe(true);
      expect(
        VELERO_CASES.some((c) => c.alert === r.alert && c.fires.length === 0),
        `${r.alert} silent`,
      ).toBe(true);
    }
  });

  it('promtool test rules passes every case', async () => {
    const file = join(dir, 'labctl-backup.test.yaml');
    writeFileSync(file, testFile(VELERO_CASES));
    const r = await promtool(['test', 'rules', file]);
    expect(r.code, r.out).toBe(0);
  }, 120_000);

  it('the tests can fail: a firing case flipped to silent, and a 27h-old backup called late, are rejected', async () => {
    const file = join(dir, 'negative.test.yaml');
    const late = VELERO_CASES.find((c) => c.alert === 'VeleroBackupTooOld' && c.fires.length)!;
    writeFileSync(file, testFile([{ ...late, fires: [] }]));
    expect((await promtool(['test', 'rules', file])).code).not.toBe(0);
    // At 27h the last success (t=0) is within the 28h a daily schedule allows.
    writeFileSync(file, testFile([{ ...late, evalTime: '27h' }]));
    expect((await promtool(['test', 'rules', file])).code).not.toBe(0);
  }, 120_000);
});
