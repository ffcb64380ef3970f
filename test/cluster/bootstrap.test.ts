// The bootstrap steps as real servers run them, on the fake rack (real sshd, real bash, real apt, real
// curl; fakerack.ts says what is real and what is not), with STAND-INS named as such (standins.ts) where the
// real program cannot run here: the containerd release (cannot be downloaded) and kubeadm/kubectl (no API
// server can run). What is shown:
// - containerd: the checksum check is real: a tampered tarball is refused and nothing is installed; the
//   genuine one is installed with its unit and 2.x config;
// - kubeadm init: a failed attempt (files written, control plane never up) is not journaled by the re-run,
//   which resets this node and tries again; the old judgement (admin.conf exists) journals it as done;
// - packages: kubelet/kubeadm/kubectl held at an older version are moved to the pinned one and held again
//   (STAND-IN packages, real apt); without the explicit allowance apt refuses;
// - kubeadm join: the token is in no process's arguments while the step runs and on no disk after it failed;
//   weakened copies (token on the command line, no cleanup trap) leak it.
// Run under the shared lock: flock /tmp/labctl-daemons.lock npx vitest run test/cluster/bootstrap.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { installKubeStandIns, publishKubePackages, serveContainerd } from './standins.ts';
import { ROOT } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, inputsHash, type Plan } from '../../installer/cluster/plan.ts';
import { runPlan, type RunResult } from '../../installer/cluster/apply.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import type { Site } from '../../installer/inventory/types.ts';

const KUBEADM = resolve(ROOT, '.tools/bin/kubeadm');
const TOKEN = 'q7w8e9.a1b2c3d4e5f6g7h8';
const INPUTS = { joinToken: TOKEN, caCertHash: `sha256:${'ab'.repeat(32)}`, certificateKey: 'cd'.repeat(32) };

let rack: FakeRack;
let dir: string;
let site: Site;

/** The plan cut down to the given steps (by id), other steps and hosts dropped. */
function only(ids: string[], nodes: string[], from: Site = site): Plan {
  const plan = buildPlan(from);
  plan.phases = plan.phases
    .map((p) => ({
      ...p,
      hosts: p.hosts
        .filter((h) => nodes.includes(h.node))
        .map((h) => ({ ...h, steps: h.steps.filter((s) => ids.includes(s.id)) }))
        .filter((h) => h.steps.length),
    }))
    .filter((p) => p.hosts.length);
  return plan;
}
const edit = (plan: Plan, id: string, f: (s: string) => string) => {
  for (const p of plan.phases)
    for (const h of p.hosts)
      for (const s of h.steps)
        if (s.id === id) {
          const t = f(s.script);
          expect(t).not.toBe(s.script);
          s.script = t;
          s.inputs = inputsHash(s.id, t);
        }
  return plan;
};
const run = (plan: Plan, journal: string, inputs: Record<string, string> = {}) =>
  runPlan(site, plan, Journal.open(join(dir, journal), site.site.name), {
    privateKey: rack.privateKey,
    connectTimeoutMs: 5000,
    inputs,
  });
const outcome = (r: RunResult, h: string) => r.hosts.find((x) => x.node === h)!;
const journaled = (file: string, node: string) =>
  existsSync(join(dir, file))
    ? Object.keys(
        (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { hosts: Record<string, object> }).hosts[node] ?? {},
      )
    : [];
const kubeadmCalls = (h: string) =>
  (rack.readFile(h, '/var/log/standin/kubeadm.log') ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(0, 2).join(' '));
const setMode = (h: string, mode: 'ok' | 'fail') => rack.run(h, ['sh', '-c', `echo ${mode} > /etc/standin/mode`]);

beforeAll(async () => {
  rack = await FakeRack.create(18, [{ name: 'cp1' }, { name: 'w1' }]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-bootstrap-'));
  const file = writeInventory(
    dir,
    rackInventory(
      rack,
      [
        { name: 'cp1', roles: ['control-plane'] },
        { name: 'w1', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_BS_OSD_1'] },
      ],
      { network: { aptProxy: rack.aptProxy }, kubernetes: { packageRepo: rack.packageRepo } },
    ),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
}, 300_000);

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('containerd 2.x from the pinned release, sha256 checked (stand-in tarball served by the rack)', () => {
  it('a tampered tarball is refused and nothing is installed; the genuine one is installed, configured and journaled', async () => {
    const tampered = only(['0010-os-prep', '0020-containerd'], ['w1']);
    const { tarballSha } = serveContainerd(rack, site, tampered, { tamper: true });
    const bad = await run(tampered, 'containerd.json');
    expect(outcome(bad, 'w1')).toMatchObject({ status: 'failed', step: '0020-containerd' });
    expect(outcome(bad, 'w1').error).toMatch(
      new RegExp(
        `containerd\\.tar\\.gz from http://198\\.18\\.82\\.1:3142/artifacts/containerd-2\\.2\\.1-linux-amd64\\.tar\\.gz has sha256 [0-9a-f]{64}, expected ${tarballSha} \\(gitops/versions\\.yaml\\): refused, nothing installed`,
      ),
    );
    for (const f of ['/usr/local/bin/containerd', '/usr/local/sbin/runc', '/etc/containerd/config.toml'])
      expect(existsSync(rack.path('w1', f)), f).toBe(false);
    expect(journaled('containerd.json', 'w1')).toEqual(['0010-os-prep']);

    const genuine = only(['0010-os-prep', '0020-containerd'], ['w1']);
    serveContainerd(rack, site, genuine);
    const good = await run(genuine, 'containerd.json');
    expect(outcome(good, 'w1'), outcome(good, 'w1').error).toMatchObject({
      status: 'done',
      ran: ['0020-containerd'],
      skipped: ['0010-os-prep'],
    });
    expect(rack.run('w1', ['/usr/local/bin/containerd', '--version'])).toMatch(
      /^containerd github.com\/containerd\/containerd\/v2 v2\.2\.1 stand-in/,
    );
    expect(rack.run('w1', ['/usr/local/sbin/runc', '--version'])).toContain('runc version 1.3.4');
    const cfg = rack.readFile('w1', '/etc/containerd/config.toml')!;
    expect(cfg).toMatch(/^version = 3$/m);
    expect(cfg).toContain('sandbox = "registry.k8s.io/pause:3.10.2"');
    expect(cfg).toContain('SystemdCgroup = true');
    expect(rack.readFile('w1', '/etc/systemd/system/containerd.service')).toContain(
      'ExecStart=/usr/local/bin/containerd',
    );
    expect(journaled('containerd.json', 'w1')).toEqual(['0010-os-prep', '0020-containerd']);
  }, 600_000);
});

describe('held packages move to the pinned version (STAND-IN kubelet/kubeadm/kubectl packages, real apt and dpkg)', () => {
  const versions = (h: string) =>
    rack
      .run(h, ['dpkg-query', '-W', '-f=${Package} ${Version}\\n', 'kubelet', 'kubeadm', 'kubectl'])
      .trim()
      .split('\n')
      .sort();
  it('a node holding 1.35.0 (installed by the same step with the older pin) is moved to 1.36.4 and held again; a copy without the allowance is refused by apt', async () => {
    publishKubePackages(rack, ['1.35.0-1.1', '1.36.4-1.1']);
    const older = { ...site, kubernetes: { ...site.kubernetes, version: 'v1.35.0' } };
    const r1 = await run(only(['0030-kube-packages'], ['w1'], older), 'pkgs-old.json');
    expect(outcome(r1, 'w1'), outcome(r1, 'w1').error).toMatchObject({ status: 'done' });
    expect(versions('w1')).toEqual(['kubeadm 1.35.0-1.1', 'kubectl 1.35.0-1.1', 'kubelet 1.35.0-1.1']);
    expect(rack.run('w1', ['apt-mark', 'showhold']).trim().split('\n').sort()).toEqual([
      'kubeadm',
      'kubectl',
      'kubelet',
    ]);

    const weak = edit(only(['0030-kube-packages'], ['w1']), '0030-kube-packages', (t) =>
      t.replace(' --allow-change-held-packages', '').replace(/^\s*locked apt-mark unhold .*$/m, ''),
    );
    const r2 = await run(weak, 'pkgs-weak.json');
    expect(outcome(r2, 'w1')).toMatchObject({ status: 'failed', step: '0030-kube-packages' });
    expect(outcome(r2, 'w1').error).toMatch(/[Hh]eld packages/);
    expect(versions('w1')).toEqual(['kubeadm 1.35.0-1.1', 'kubectl 1.35.0-1.1', 'kubelet 1.35.0-1.1']);

    const r3 = await run(only(['0030-kube-packages'], ['w1']), 'pkgs.json');
    expect(outcome(r3, 'w1'), outcome(r3, 'w1').error).toMatchObject({ status: 'done', ran: ['0030-kube-packages'] });
    expect(versions('w1')).toEqual(['kubeadm 1.36.4-1.1', 'kubectl 1.36.4-1.1', 'kubelet 1.36.4-1.1']);
    expect(rack.run('w1', ['apt-mark', 'showhold']).trim().split('\n').sort()).toEqual([
      'kubeadm',
      'kubectl',
      'kubelet',
    ]);
  }, 600_000);
});

describe('kubeadm init: done by evidence, a half-done attempt reset and retried (kubeadm/kubectl STAND-INS)', () => {
  const J = 'init.json';
  it('run 1: the stand-in fails after writing admin.conf and kubelet.conf; nothing is journaled', async () => {
    installKubeStandIns(rack, 'cp1', existsSync(KUBEADM) ? KUBEADM : undefined);
    setMode('cp1', 'fail');
    const r = await run(only(['0040-kube-vip', '0050-kubeadm-init'], ['cp1']), J);
    expect(outcome(r, 'cp1')).toMatchObject({ status: 'failed', step: '0050-kubeadm-init' });
    expect(outcome(r, 'cp1').error).toContain('stand-in: the control plane did not come up');
    expect(rack.readFile('cp1', '/etc/kubernetes/admin.conf')).toBe('stand-in admin.conf\n');
    expect(journaled(J, 'cp1')).toEqual(['0040-kube-vip']);
    expect(kubeadmCalls('cp1')).toEqual(['config validate', 'init --config']);
  }, 300_000);

  it('the old judgement (skip init when admin.conf exists), as a weakened copy, journals the failed init as done', async () => {
    const weak = edit(only(['0050-kubeadm-init'], ['cp1']), '0050-kubeadm-init', (s) =>
      s.replace('if membership /etc/kubernetes/admin.conf yes; then', 'if [ -e /etc/kubernetes/admin.conf ]; then'),
    );
    const r = await run(weak, 'weak-init.json');
    expect(outcome(r, 'cp1')).toMatchObject({ status: 'done', ran: ['0050-kubeadm-init'] });
    expect(journaled('weak-init.json', 'cp1')).toEqual(['0050-kubeadm-init']);
  }, 300_000);

  it('run 2 (kubeadm still failing): no evidence, so the node is reset (kube-vip kept) and init retried; still not journaled', async () => {
    rack.run('cp1', ['sh', '-c', ': > /var/log/standin/kubeadm.log']);
    const r = await run(only(['0040-kube-vip', '0050-kubeadm-init'], ['cp1']), J);
    expect(outcome(r, 'cp1')).toMatchObject({
      status: 'failed',
      step: '0050-kubeadm-init',
      skipped: ['0040-kube-vip'],
    });
    expect(kubeadmCalls('cp1')).toEqual(['config validate', 'reset --force', 'init --config']);
    expect(rack.readFile('cp1', '/etc/kubernetes/manifests/kube-vip.yaml')).toContain(
      'path: /etc/kubernetes/super-admin.conf',
    );
    expect(journaled(J, 'cp1')).toEqual(['0040-kube-vip']);
  }, 300_000);

  it("a mistyped field: the step's `kubeadm config validate` (the REAL kubeadm v1.36.4 on the node) refuses it before init runs", async () => {
    expect(existsSync(KUBEADM), `${KUBEADM} is missing: build the real kubeadm v1.36.4 there`).toBe(true);
    rack.run('cp1', ['sh', '-c', ': > /var/log/standin/kubeadm.log']);
    const typo = edit(only(['0050-kubeadm-init'], ['cp1']), '0050-kubeadm-init', (t) =>
      t.replace('  podSubnet:', '  podSubnett:'),
    );
    const r = await run(typo, 'typo.json');
    expect(outcome(r, 'cp1')).toMatchObject({ status: 'failed', step: '0050-kubeadm-init' });
    expect(outcome(r, 'cp1').error).toContain('kubeadm config validate refuses /etc/labctl/kubeadm-init.yaml');
    expect(kubeadmCalls('cp1')).toEqual(['config validate']);
  }, 300_000);

  it('run 3 (kubeadm succeeds): reset, init, evidence found (API through the VIP, node registered, etcd member): journaled', async () => {
    rack.run('cp1', ['sh', '-c', ': > /var/log/standin/kubeadm.log']);
    setMode('cp1', 'ok');
    const r = await run(only(['0040-kube-vip', '0050-kubeadm-init'], ['cp1']), J);
    expect(outcome(r, 'cp1'), outcome(r, 'cp1').error).toMatchObject({ status: 'done', ran: ['0050-kubeadm-init'] });
    expect(kubeadmCalls('cp1')).toEqual(['config validate', 'reset --force', 'init --config']);
    const asked = rack.readFile('cp1', '/var/log/standin/kubectl.log')!;
    expect(asked).toContain(`--server https://${site.kubernetes.apiVip}:6443 --request-timeout=10s get node cp1`);
    expect(asked).toContain('exec etcd-cp1 -- etcdctl');
    expect(rack.readFile('cp1', '/etc/kubernetes/manifests/kube-vip.yaml')).toContain(
      'path: /etc/kubernetes/admin.conf',
    );
    expect(journaled(J, 'cp1')).toEqual(['0040-kube-vip', '0050-kubeadm-init']);
  }, 300_000);
});

describe('kubeadm join: the token in no process arguments and on no disk after a failure (kubeadm STAND-IN)', () => {
  const J = 'join.json';
  const leakedFiles = (h: string) =>
    rack.run(h, ['sh', '-c', `grep -rlF ${TOKEN} /etc /var/lib /var/tmp /tmp /root /run 2>/dev/null || true`]).trim();

  /** Runs the plan while reading every host process's arguments every few ms; returns the run and the leaks seen. */
  async function watched(plan: Plan): Promise<{ r: RunResult; seen: string[] }> {
    const seen = new Set<string>();
    let stop = false;
    const watch = (async () => {
      for (let i = 0; i < 100_000 && !stop; i++) {
        for (const pid of rack.pidsIn('w1')) {
          try {
            const c = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
            if (c.includes(TOKEN)) seen.add(c);
          } catch {
            /* exited */
          }
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const r = await run(plan, J, INPUTS);
    stop = true;
    await watch;
    return { r, seen: [...seen] };
  }

  it("a failed join: token in no argv (watched, and the stand-in's own snapshot), no file holds it afterwards, not journaled", async () => {
    installKubeStandIns(rack, 'w1', existsSync(KUBEADM) ? KUBEADM : undefined);
    setMode('w1', 'fail');
    const { r, seen } = await watched(only(['0070-kubeadm-join'], ['w1']));
    expect(outcome(r, 'w1')).toMatchObject({ status: 'failed', step: '0070-kubeadm-join' });
    expect(outcome(r, 'w1').error).toContain('stand-in: timed out waiting for the kubelet');
    expect(seen).toEqual([]);
    const ps = rack.readFile('w1', '/var/log/standin/ps-join.txt')!;
    expect(ps).toContain('kubeadm join --config /etc/labctl/kubeadm-join.yaml');
    expect(ps).not.toContain(TOKEN);
    expect(leakedFiles('w1')).toBe('');
    expect(journaled(J, 'w1')).toEqual([]);
  }, 300_000);

  it("weakened copies leak: the token on kubeadm's command line is in its argv; without the trap it stays on disk", async () => {
    const onArgv = edit(only(['0070-kubeadm-join'], ['w1']), '0070-kubeadm-join', (s) =>
      s.replace('kubeadm join --config "$cfg"', 'kubeadm join --token "$LABCTL_JOIN_TOKEN" --config "$cfg"'),
    );
    const a = await watched(onArgv);
    expect(outcome(a.r, 'w1').status).toBe('failed');
    expect(a.seen.some((c) => c.includes(`kubeadm join --token ${TOKEN}`))).toBe(true);
    expect(rack.readFile('w1', '/var/log/standin/ps-join.txt')).toContain(TOKEN);

    const noTrap = edit(only(['0070-kubeadm-join'], ['w1']), '0070-kubeadm-join', (s) =>
      s.replace(/^\s*trap .*$/m, ''),
    );
    const b = await watched(noTrap);
    expect(outcome(b.r, 'w1').status).toBe('failed');
    expect(leakedFiles('w1').split('\n').sort()).toEqual([
      '/etc/kubernetes/bootstrap-kubelet.conf',
      '/etc/labctl/kubeadm-join.yaml',
    ]);
    rack.run('w1', ['rm', '-f', '/etc/kubernetes/bootstrap-kubelet.conf', '/etc/labctl/kubeadm-join.yaml']);
  }, 300_000);

  it('the re-run resets the half-done join and joins; journaled only with evidence; the token is gone from disk', async () => {
    rack.run('w1', ['sh', '-c', ': > /var/log/standin/kubeadm.log']);
    setMode('w1', 'ok');
    const { r, seen } = await watched(only(['0070-kubeadm-join'], ['w1']));
    expect(outcome(r, 'w1'), outcome(r, 'w1').error).toMatchObject({ status: 'done', ran: ['0070-kubeadm-join'] });
    expect(kubeadmCalls('w1')).toEqual(['config validate', 'reset --force', 'join --config']);
    expect(seen).toEqual([]);
    expect(leakedFiles('w1')).toBe('');
    expect(journaled(J, 'w1')).toEqual(['0070-kubeadm-join']);
  }, 300_000);
});
