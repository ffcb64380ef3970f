// The rendered runbooks' commands, run as written: the `export KUBECONFIG=...` line under real bash names
// the file `labctl up` writes (the state directory's rule, with and without $LABCTL_STATE_DIR /
// $XDG_STATE_HOME); the amtool lines run against a real Alertmanager (Debian's) on loopback, substituting
// only its address for the port-forward's http://127.0.0.1:9093; `labctl oncall now` runs in the site
// repository's root. NOT run here: `kubectl port-forward svc/alertmanager-operated` (no cluster; the
// Service name is the one prometheus-operator creates for every Alertmanager, not checked against one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, ROOT, labctl } from '../helpers.ts';
import { startAlertmanager, type RunningAm } from '../monitoring/am-helpers.ts';
import { defaultStateDir } from '../../installer/cluster/journal.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-runbooks-'));
const site = join(tmp, 'cs-lab-site');
const home = join(tmp, 'home');
let am: RunningAm;
const FORWARDED = 'http://127.0.0.1:9093';

const shBlocks = (md: string) =>
  [...md.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim()));
const bash = (script: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: site,
    encoding: 'utf8',
    env: { PATH: `${join(tmp, 'bin')}:${process.env.PATH}`, HOME: home, ...env },
  });

beforeAll(async () => {
  mkdirSync(site, { recursive: true });
  mkdirSync(join(tmp, 'bin'));
  writeFileSync(
    join(tmp, 'bin', 'labctl'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/labctl.js')}" "$@"\n`,
    { mode: 0o755 },
  );
  copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
  const r = await labctl(['render', '-o', '.'], { cwd: site, env: { HOME: home } });
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(join(tmp, 'am.yml'), 'route: {receiver: none}\nreceivers: [{name: none}]\n');
  am = await startAlertmanager(join(tmp, 'am.yml'), join(tmp, 'am-data'));
}, 120_000);

afterAll(async () => {
  await am?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const pages = () => readdirSync(join(site, 'runbooks')).filter((f) => f !== 'README.md');
const page = (name: string) => readFileSync(join(site, 'runbooks', name), 'utf8');

describe('runbook commands, as rendered (kubectl port-forward not run: no cluster here)', () => {
  it('every page has the same start block and acknowledgement, naming its own alert', () => {
    expect(pages().length).toBeGreaterThan(20);
    for (const p of pages()) {
      const alert = p.replace(/\.md$/, '');
      const lines = shBlocks(page(p));
      expect(lines[0], p).toMatch(
        /^export KUBECONFIG="\$\{LABCTL_STATE_DIR:-\$\{XDG_STATE_HOME:-\$HOME\/\.local\/state\}\/labctl\/cs-lab\}\/admin\.conf"/,
      );
      expect(lines[1], p).toMatch(/^kubectl -n monitoring port-forward svc\/alertmanager-operated 9093:9093 &/);
      expect(lines[2], p).toBe(`amtool --alertmanager.url=${FORWARDED} alert query alertname=${alert}`);
      expect(lines[3], p).toMatch(/^labctl oncall now\s/);
      expect(lines[4], p).toBe(
        `amtool --alertmanager.url=${FORWARDED} silence add alertname=${alert} --duration 2h --comment "<who>: working on it"`,
      );
      expect(page(p)).not.toMatch(/edit the alert catalogue|re-render\b/);
    }
  });

  it('the export line names the admin kubeconfig where labctl up writes it (<state dir>/admin.conf)', () => {
    const line = shBlocks(page('PodCrashLooping.md'))[0]!.replace(/\s+#.*$/, '');
    const resolve = (env: NodeJS.ProcessEnv) => bash(`${line}; printf %s "$KUBECONFIG"`, env);
    const rule = (env: Record<string, string>) => {
      const saved = { ...process.env };
      try {
        delete process.env.LABCTL_STATE_DIR;
        delete process.env.XDG_STATE_HOME;
        Object.assign(process.env, { HOME: home }, env);
        return join(defaultStateDir('cs-lab'), 'admin.conf');
      } finally {
        process.env = saved;
      }
    };
    expect(resolve({})).toBe(join(home, '.local/state/labctl/cs-lab/admin.conf'));
    expect(resolve({})).toBe(rule({}));
    expect(resolve({ XDG_STATE_HOME: '/srv/state' })).toBe(rule({ XDG_STATE_HOME: '/srv/state' }));
    expect(resolve({ LABCTL_STATE_DIR: '/srv/labctl' })).toBe(rule({ LABCTL_STATE_DIR: '/srv/labctl' }));
  });

  it('the amtool lines run against a real Alertmanager: the query answers, the silence is created with its comment', () => {
    const lines = shBlocks(page('PodCrashLooping.md'))
      .filter((l) => l.startsWith('amtool '))
      .map((l) => l.replaceAll(FORWARDED, am.url));
    expect(lines).toHaveLength(2);
    for (const l of lines) bash(l.replace('"<who>: working on it"', '"alice: working on it"'));
    const silences = execFileSync('amtool', [`--alertmanager.url=${am.url}`, 'silence', 'query', '-o', 'json'], {
      encoding: 'utf8',
    });
    const s = JSON.parse(silences) as { matchers: { name: string; value: string }[]; comment: string }[];
    expect(s.map((x) => [x.matchers[0]!.name, x.matchers[0]!.value, x.comment])).toEqual([
      ['alertname', 'PodCrashLooping', 'alice: working on it'],
    ]);
  });

  it("labctl oncall now runs from the site repository's root as the page shows", () => {
    const out = bash('labctl oncall now');
    expect(out).toMatch(/^\S+ is on call \(secondary: \S+\)/);
  });
});
