// The rendered PrometheusRules against the real promtool (Debian's prometheus package):
// `promtool check rules` on every rendered rule file, and `promtool test rules` with unit tests for
// every alert, generated from alert-cases.ts (fires when it should, silent when it should not).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE } from '../helpers.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import type { Site } from '../../installer/inventory/types.ts';
import type { PrometheusRule, PromGroup } from '../../installer/render/platform/alert-rules.ts';
import { expand } from '../../installer/render/platform/alert-rules.ts';
import { CASES, META_STEP_HOURS, VELERO_CASES, oncallCases, type AlertCase } from './alert-cases.ts';

let dir: string;
let site: Site;
const ruleFiles = new Map<string, { path: string; group: PromGroup }>();

// Asynchronous: a test worker blocked in a run of spawnSync calls cannot answer vitest's RPC under load.
const promtool = (args: string[]) =>
  new Promise<{ code: number | null; out: string }>((done) => {
    execFile('promtool', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}` }),
    );
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-rules-'));
  site = validateInventoryFile(EXAMPLE).site!;
  const out = await renderSite(site, readRenderInputs(site));
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  for (const [path, content] of out.files) {
    if (!/^components\/kube-prometheus-stack\/manifests\/prometheusrule-/.test(path)) continue;
    const obj = parse(content) as PrometheusRule;
    for (const group of obj.spec.groups) {
      // promtool reads plain Prometheus rule files: the PrometheusRule's spec is exactly that.
      const file = join(dir, `${group.name}.rules.yaml`);
      writeFileSync(file, stringify({ groups: [group] }));
      ruleFiles.set(group.name, { path: file, group });
    }
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function allCases(): AlertCase[] {
  const meta = ruleFiles.get('labctl-meta')!.group.rules.find((r) => r.alert === 'OncallScheduleEnding')!;
  const warnAt = Number(/> ([0-9]+)$/.exec(meta.expr)![1]);
  // The example has a backup section, so Velero's alerts are among its rules.
  return [...CASES, ...VELERO_CASES, ...oncallCases(warnAt)];
}

function testFile(groupName: string, cases: AlertCase[]): string {
  const { path, group } = ruleFiles.get(groupName)!;
  const byName = new Map(group.rules.map((r) => [r.alert, r]));
  return stringify({
    rule_files: [path],
    // The meta group has a time()-based rule years after 1970 (promtool's clock starts at 0): big steps.
    evaluation_interval: groupName === 'labctl-meta' ? `${META_STEP_HOURS}h` : '1m',
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

describe('rendered PrometheusRules with the real promtool', () => {
  it('promtool check rules accepts every rendered rule file', async () => {
    expect(ruleFiles.size).toBeGreaterThanOrEqual(10);
    for (const [name, { path, group }] of ruleFiles) {
      const r = await promtool(['check', 'rules', path]);
      expect(r.out, name).toContain(`SUCCESS: ${group.rules.length} rules found`);
      expect(r.code, r.out).toBe(0);
    }
  });

  it('every alert has severity, summary, description and a runbook_url into the site repository', () => {
    for (const { group } of ruleFiles.values()) {
      for (const r of group.rules) {
        expect(['critical', 'warning', 'info', 'none']).toContain(r.labels.severity);
        expect(r.annotations.summary, r.alert).toBeTruthy();
        expect(r.annotations.description, r.alert).toBeTruthy();
        expect(r.annotations.runbook_url).toBe(`${site.site.gitBrowseUrl}/runbooks/${r.alert}.md`);
      }
    }
  });

  it('every alert has a unit test that fires and (except the Watchdog) one that stays silent', () => {
    const cases = allCases();
    const alerts = [...ruleFiles.values()].flatMap(({ group }) => group.rules.map((r) => r.alert!));
    for (const a of alerts) {
      expect(
        cases.some((c) => c.alert === a && c.fires.length > 0),
        `${a} firing case`,
      ).toBe(true);
      if (a !== 'Watchdog')
        expect(
          cases.some((c) => c.alert === a && c.fires.length === 0),
          `${a} silent case`,
        ).toBe(true);
    }
    // No case for an alert that does not exist.
    for (const c of cases) expect(alerts, c.alert).toContain(c.alert);
  });

  it('promtool test rules passes the generated unit tests of every group', async () => {
    const cases = allCases();
    let ran = 0;
    for (const [name, { group }] of ruleFiles) {
      const mine = cases.filter((c) => group.rules.some((r) => r.alert === c.alert));
      if (!mine.length) continue;
      const file = join(dir, `${name}.test.yaml`);
      writeFileSync(file, testFile(name, mine));
      const r = await promtool(['test', 'rules', file]);
      expect(r.code, `${name}:\n${r.out}`).toBe(0);
      ran += mine.length;
    }
    expect(ran).toBe(cases.length);
  }, 300_000);

  it('the generated tests can fail: a firing case flipped to silent (and a wrong label) is rejected by promtool', async () => {
    const fire = CASES.find((c) => c.alert === 'NodeDown' && c.fires.length)!;
    const file = join(dir, 'negative.test.yaml');
    writeFileSync(file, testFile('labctl-nodes', [{ ...fire, fires: [] }]));
    expect((await promtool(['test', 'rules', file])).code).not.toBe(0);
    writeFileSync(file, testFile('labctl-nodes', [{ ...fire, fires: [{ ...fire.fires[0], node: 'vmh9' }] }]));
    expect((await promtool(['test', 'rules', file])).code).not.toBe(0);
  });
});
