// The parts of `up` that run on this machine only (no daemons, loopback only): the local preflight (real
// helm and kubectl from .tools/bin, a real site key made by `labctl secrets init`), the split of the
// platform's Secrets into what can be delivered now and what waits, the site repository credential
// probe (real git), `secrets apply` with no kubeconfig, and the plain-line progress of a long step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as age from 'age-encryption';
import { EXAMPLE } from '../helpers.ts';
import { labctlAsync as labctl } from './cli.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { localChecks } from '../../installer/cluster/local-preflight.ts';
import { deliverable } from '../../installer/secrets/ensure.ts';
import { repoNeedsCredentials } from '../../installer/cluster/deliver-secrets.ts';
import { lineProgress } from '../../installer/cluster/progress.ts';
import { destroysCluster } from '../../installer/cluster/reset.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import { buildComponents, renderContext } from '../../installer/render/render.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';

let dir: string;
let site: Site;
let inv: string;
const env: Record<string, string | undefined> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-local-'));
  inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, readFileSync(EXAMPLE, 'utf8'));
  const r = requireSite(inv);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  for (const k of ['LABCTL_STATE_DIR', 'KUBECONFIG', 'HOME', 'LABCTL_AGE_KEY_FILE']) env[k] = process.env[k];
});

afterAll(() => {
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  rmSync(dir, { recursive: true, force: true });
});

/** A PATH holding only the named tools (symlinks to the real ones) plus what they need. */
function pathWith(tools: Record<string, string>): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  return bin;
}

describe('preflight of this machine', () => {
  it('real helm 4 and kubectl 1.35 pass against kubernetes 1.36; no secret store yet is a warning naming secrets init', async () => {
    const c = await localChecks(site, { repo: dir, keyFile: join(dir, 'none.agekey') });
    expect(c.find((x) => x.id === 'helm')).toMatchObject({ status: 'pass', found: 'v4.1.4' });
    expect(c.find((x) => x.id === 'kubectl')).toMatchObject({
      status: 'pass',
      found: 'v1.35.2',
      expected: expect.stringContaining('1.36 ± 1 minor'),
    });
    expect(c.find((x) => x.id === 'site-key')).toMatchObject({
      status: 'warn',
      reason: expect.stringContaining(`labctl secrets init -r ${dir}`),
    });
  });

  it('a missing helm and a kubectl two minors off fail with what to install', async () => {
    const old = process.env.PATH;
    // kubectl stand-in printing an old client version (only its version output matters here)
    const fake = join(dir, 'kubectl-1.33');
    writeFileSync(fake, '#!/bin/sh\necho \'{"clientVersion":{"gitVersion":"v1.33.9"}}\'\n');
    chmodSync(fake, 0o755);
    process.env.PATH = pathWith({ kubectl: fake });
    try {
      const c = await localChecks(site, { repo: dir });
      expect(c.find((x) => x.id === 'helm')).toMatchObject({
        status: 'fail',
        reason: expect.stringMatching(/^helm not found on PATH: up installs Calico and Argo CD with it/),
      });
      expect(c.find((x) => x.id === 'kubectl')).toMatchObject({
        status: 'fail',
        found: 'v1.33.9',
        reason: "kubectl v1.33.9 is 3 minors away from the cluster's v1.36.4; install kubectl 1.36",
      });
    } finally {
      process.env.PATH = old;
    }
  });

  it("the site key: the store's own key passes; another key fails naming it; the preflight CLI stops before any server", async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    const key = join(dir, 'site.agekey');
    const init = await labctl(['secrets', 'init', '-r', repo, '-k', key]);
    expect(init.code, init.stderr).toBe(0);
    expect((await localChecks(site, { repo, keyFile: key })).find((x) => x.id === 'site-key')).toMatchObject({
      status: 'pass',
    });
    const other = join(dir, 'other.agekey');
    writeFileSync(other, `${await age.generateIdentity()}\n`, { mode: 0o600 });
    const bad = (await localChecks(site, { repo, keyFile: other })).find((x) => x.id === 'site-key')!;
    expect(bad.status).toBe('fail');
    expect(bad.reason).toMatch(/is not a recipient of this store .*: it is another site's key\..*-k KEYFILE/);
    // The CLI: this machine's failure stops preflight; the inventory's nodes (not reachable from here) are never tried.
    const r = await labctl(['preflight', '-i', inv, '-r', repo, '-k', other]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^local site-key FAIL /m);
    expect(r.stderr).toContain('preflight failed on this machine (site-key); no server was contacted');
  });
});

describe("delivering the platform's Secrets", () => {
  const needs = () => buildComponents(renderContext(site, readRenderInputs(site))).flatMap((c) => c.secrets ?? []);

  it('a Secret whose entry cannot exist yet waits, with why and the command; the others are ready', () => {
    const all = needs();
    const lacking = new Set(['harbor/labs-pull-token', 'argocd/site-repo-password']);
    const { ready, waiting } = deliverable(all, (ref) => !lacking.has(ref));
    const w = waiting.find((x) => x.entries.includes('harbor/labs-pull-token'));
    expect(w).toBeDefined();
    expect(w!.why).toContain('Token of that Harbor robot account');
    expect(w!.next).toBe('labctl secrets set harbor/labs-pull-token');
    expect(waiting.find((x) => x.target === 'Secret argocd/site-repo')?.next).toBe(
      'labctl secrets set argocd/site-repo-password',
    );
    // a Secret is sent whole or not at all: nothing of a waiting target is ready
    for (const x of waiting)
      expect(
        ready.filter((n) => `${n.configMap ? 'ConfigMap' : 'Secret'} ${n.namespace}/${n.name}` === x.target),
      ).toEqual([]);
    expect(
      ready.length +
        waiting.reduce(
          (k, x) =>
            k +
            all.filter((n) => `${n.configMap ? 'ConfigMap' : 'Secret'} ${n.namespace}/${n.name}` === x.target).length,
          0,
        ),
    ).toBe(all.length);
  });

  it('the site repository: SSH needs credentials; a repository git reads anonymously does not; an unanswered one does', async () => {
    expect(await repoNeedsCredentials('git@git.example.edu:it/site.git')).toMatch(/is an SSH URL/);
    const bare = join(dir, 'bare.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    const work = join(dir, 'work');
    execFileSync('git', ['init', '-q', work]);
    execFileSync('git', [
      '-C',
      work,
      '-c',
      'user.email=t@t',
      '-c',
      'user.name=t',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'x',
    ]);
    execFileSync('git', ['-C', work, 'push', '-q', bare, 'HEAD:refs/heads/main']);
    execFileSync('git', ['-C', bare, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
    expect(await repoNeedsCredentials(bare)).toBeUndefined();
    expect(await repoNeedsCredentials('https://127.0.0.1:9/site.git', 5000)).toMatch(
      /^git ls-remote https:\/\/127\.0\.0\.1:9\/site\.git without credentials failed: /,
    );
  });

  it('secrets apply with no kubeconfig anywhere: a clear message with the next command, not an internal error', async () => {
    const repo = join(dir, 'repo');
    const home = mkdtempSync(join(dir, 'home-'));
    const r = await labctlEnv(['secrets', 'apply', '-i', inv, '-r', repo, '-k', join(dir, 'site.agekey')], {
      HOME: home,
      LABCTL_STATE_DIR: join(dir, 'state-none'),
      KUBECONFIG: '',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.stderr).toContain(
      `no kubeconfig to send the Secrets with: labctl up writes ${join(dir, 'state-none', 'admin.conf')} once the cluster is up`,
    );
  });
});

describe('progress when the output is not a terminal', () => {
  it('plain lines: events, and a "still running" line with the elapsed time and the last output line; no escape codes', async () => {
    const lines: string[] = [];
    const p = lineProgress((s) => lines.push(s), 100);
    p.event({ node: 'cp1', step: '0030-kube-packages', kind: 'start' });
    p.event({ node: 'cp1', step: '0030-kube-packages', kind: 'output', message: 'Unpacking kubelet (1.36.4-1.1) ...' });
    await new Promise((r) => setTimeout(r, 350));
    p.event({ node: 'cp1', step: '0030-kube-packages', kind: 'done', ms: 1200 });
    await new Promise((r) => setTimeout(r, 250));
    await p.end(new Map());
    const still = lines.filter((l) => l.includes('still running'));
    expect(still.length).toBeGreaterThanOrEqual(2);
    expect(still[0]).toMatch(
      /^\d\d:\d\d:\d\d cp1\s+0030-kube-packages\s+still running \(0s\): Unpacking kubelet \(1\.36\.4-1\.1\) \.\.\.\n$/,
    );
    expect(lines.at(-1)).toMatch(/cp1\s+0030-kube-packages\s+done \(1\.2 s\)\n$/);
    // no heartbeat after the step ended, no output line echoed, no terminal control characters
    expect(lines.indexOf(lines.find((l) => l.includes('done'))!)).toBe(lines.length - 1);
    expect(lines.join('')).not.toMatch(/\x1b/);
  });
});

function labctlEnv(args: string[], extra: Record<string, string>): ReturnType<typeof labctl> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(extra)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return labctl(args);
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

describe('reset: which resets destroy the cluster', () => {
  it('the last member control plane (by the journal; every control plane when it records none), and --all', async () => {
    const cps = site.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.name);
    const worker = site.nodes.find((n) => !n.roles.includes('control-plane'))!.name;
    expect(cps.length).toBeGreaterThanOrEqual(3);
    const j = Journal.open(join(dir, 'reset-journal.json'), site.site.name);
    // empty journal: every control plane counts; one of three is not the last
    expect(destroysCluster(site, [cps[0]!], j)).toBeUndefined();
    expect(destroysCluster(site, cps, j)).toEqual(cps);
    expect(
      destroysCluster(
        site,
        site.nodes.map((n) => n.name),
        j,
      ),
    ).toEqual(cps); // --all
    expect(destroysCluster(site, [worker], j)).toBeUndefined();
    // the journal shows only cps[0] initialized and cps[1] joined: cps[2] never joined
    await j.markDone(cps[0]!, '0050-kubeadm-init', 'x', 1);
    await j.markDone(cps[1]!, '0060-kubeadm-join-control-plane', 'x', 1);
    expect(destroysCluster(site, [cps[0]!], j)).toBeUndefined();
    expect(destroysCluster(site, [cps[0]!, cps[1]!], j)).toEqual([cps[0], cps[1]]);
  });
});

describe('progress at a terminal (a real pty, util-linux script)', () => {
  // (stty rows: script's pty starts with 0 rows, and log-update would fit every frame into 0 lines)
  it('one live line per host with the step and its elapsed time, the last output line below it, the failure kept', async () => {
    const driver = join(import.meta.dirname, 'tty-progress-driver.ts');
    const tsx = join(import.meta.dirname, '../../node_modules/.bin/tsx');
    const out = execFileSync('script', ['-qfec', `stty rows 40 cols 120; '${tsx}' '${driver}'`, '/dev/null'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TERM: 'xterm' },
    });
    const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
    expect(out).toMatch(/\x1b\[/); // a live display: cursor control, unlike the plain lines elsewhere
    expect(plain).toMatch(/cp1: 0030-kube-packages running \([12]s\)/);
    expect(plain).toContain('Unpacking kubelet (1.36.4-1.1) ...');
    expect(plain).toMatch(/✔ cp1: all steps done/);
    expect(plain).toMatch(
      /✖ w1: 0030-kube-packages FAILED[\s\S]*w1 \[0030-kube-packages\]: boom \(full output: \/state\/logs\/w1\/0030-kube-packages\.log\)/,
    );
    expect(plain).toContain('DRIVER-END');
  }, 90_000);
});
