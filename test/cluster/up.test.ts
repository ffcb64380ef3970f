// labctl up against a fake rack of real sshd hosts (fakerack.ts says what is real and what is not):
// OS preparation really done; containerd installed by the real step from a STAND-IN release tarball the rack
// serves (standins.ts: the real one is on the internet), checksum checked; the kubeadm step fails cleanly
// (no package source here has kubeadm); faults (unplugged host, wrong key, sshd killed mid-step, a step
// hanging past its timeout) are reported per host while the others go on; a re-run after the faults are
// removed resumes without repeating finished steps (journal AND the hosts' own step log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { serveContainerd } from './standins.ts';
import { labctlAsync as labctl } from './cli.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, type Plan } from '../../installer/cluster/plan.ts';
import { runPlan, type RunResult, type UpEvent } from '../../installer/cluster/apply.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import type { Site } from '../../installer/inventory/types.ts';

const HOSTS = ['cp1', 's1', 'w1', 'w2', 'wk', 'gone'];
let rack: FakeRack;
let dir: string;
let file: string;
let site: Site;
let journalFile: string;
let run1: RunResult;
let run2: RunResult;
const events1: UpEvent[] = [];
const events2: UpEvent[] = [];

const stepsLog = (h: string) =>
  (rack.readFile(h, '/var/lib/labctl/steps.log') ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[1]);
const outcome = (r: RunResult, h: string) => r.hosts.find((x) => x.node === h)!;
const MISSING =
  /package\(s\) kubelet kubeadm kubectl version 1\.36\.4 not available from http:\/\/198\.18\.66\.1:3142\/kubernetes\//;

/** The plan with a short timeout for one host's containerd step (the step the hang fault hits). */
function planWithShortTimeout(): Plan {
  const plan = servedPlan();
  for (const p of plan.phases)
    for (const h of p.hosts)
      for (const s of h.steps) if (h.node === 'w2' && s.id === '0020-containerd') s.timeoutSec = 10;
  return plan;
}

/** The plan with its containerd step pointed at the stand-in release the rack serves. */
function servedPlan(): Plan {
  const plan = buildPlan(site);
  serveContainerd(rack, site, plan);
  return plan;
}

beforeAll(async () => {
  rack = await FakeRack.create(2, [
    { name: 'cp1' },
    { name: 's1', rbd: true, disks: [{ id: 'nvme-FAKE_UP_OSD_1' }] },
    { name: 'w1' },
    { name: 'w2' },
    { name: 'wk', acceptKey: 'other' }, // fault: sshd does not accept our key
    { name: 'gone' }, // fault: cable unplugged during run 1
  ]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-up-'));
  file = writeInventory(
    dir,
    rackInventory(
      rack,
      [
        { name: 'cp1', roles: ['control-plane'] },
        { name: 's1', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_UP_OSD_1'] },
        { name: 'w1', roles: ['worker'] },
        { name: 'w2', roles: ['worker'] },
        { name: 'wk', roles: ['worker'] },
        { name: 'gone', roles: ['worker'] },
      ],
      { network: { aptProxy: rack.aptProxy }, kubernetes: { packageRepo: rack.packageRepo } },
    ),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  process.env.LABCTL_STATE_DIR = join(dir, '.labctl'); // the CLI runs below share the journal with run 1
  journalFile = join(dir, '.labctl', 'journal.json');

  // Run 1, with the faults.
  rack.linkDown('gone');
  rack.stall('w2'); // the mirror stops answering w2: its containerd step hangs past its timeout
  rack.stall('w1'); // w1's apt waits on the mirror, so sshd is killed while the step surely runs
  const killer = (async () => {
    for (let i = 0; i < 600 && rack.stalledRequests('w1') === 0; i++) await new Promise((res) => setTimeout(res, 100));
    rack.killSshd('w1');
    rack.unstall('w1');
  })();
  run1 = await runPlan(site, planWithShortTimeout(), Journal.open(journalFile, site.site.name), {
    privateKey: rack.privateKey,
    connectTimeoutMs: 3000,
    onEvent: (e) => events1.push(e),
  });
  await killer;

  // Remove every fault, then run 2.
  rack.linkUp('gone');
  rack.unstall('w2');
  await rack.startSshd('w1');
  rack.acceptKey('wk', 'test');
  run2 = await runPlan(site, servedPlan(), Journal.open(journalFile, site.site.name), {
    privateKey: rack.privateKey,
    connectTimeoutMs: 3000,
    onEvent: (e) => events2.push(e),
  });
}, 600_000);

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('labctl up on the fake rack: faults in run 1', () => {
  it('reports each fault on its own host, naming host and step', () => {
    expect(outcome(run1, 'gone')).toMatchObject({ status: 'failed', step: '0010-os-prep' });
    expect(outcome(run1, 'gone').error).toMatch(/^gone \[0010-os-prep\]: cannot reach sshd: root@198\.18\.66\.15:22: /);
    expect(outcome(run1, 'wk')).toMatchObject({ status: 'failed', step: '0010-os-prep' });
    expect(outcome(run1, 'wk').error).toMatch(/^wk \[0010-os-prep\]: SSH login refused \(wrong key or user\)/);
    expect(outcome(run1, 'w1')).toMatchObject({ status: 'failed', step: '0020-containerd' });
    expect(outcome(run1, 'w1').error).toMatch(/^w1 \[0020-containerd\]: SSH connection lost/);
    expect(outcome(run1, 'w2')).toMatchObject({ status: 'failed', step: '0020-containerd' });
    expect(outcome(run1, 'w2').error).toBe('w2 [0020-containerd]: timed out after 10 s (stopped on the host)');
  });

  it('lets the other hosts complete up to the kubeadm packages, which fail cleanly naming host, step and package', () => {
    for (const h of ['cp1', 's1']) {
      expect(outcome(run1, h).ran).toEqual(['0010-os-prep', '0020-containerd']);
      expect(outcome(run1, h)).toMatchObject({ status: 'failed', step: '0030-kube-packages' });
      expect(outcome(run1, h).error).toMatch(new RegExp(`^${h} \\[0030-kube-packages\\]: ${MISSING.source}`));
    }
  });

  it('blocks the phases that need the first control plane and says why', () => {
    expect(run1.initDone).toBe(false);
    const blocked = events1.filter((e) => e.kind === 'blocked');
    // every host already failed in the prepare phase, so nothing is left to block in later phases
    expect(blocked).toEqual([]);
    expect(run1.ok).toBe(false);
  });
});

describe('labctl up on the fake rack: run 2 after removing the faults', () => {
  it('does not repeat finished steps (journal)', () => {
    for (const h of ['cp1', 's1']) expect(outcome(run2, h).skipped).toEqual(['0010-os-prep', '0020-containerd']);
    for (const h of ['w1', 'w2']) expect(outcome(run2, h).skipped).toEqual(['0010-os-prep']);
    for (const h of ['gone', 'wk']) expect(outcome(run2, h).skipped).toEqual([]);
    const j = JSON.parse(readFileSync(journalFile, 'utf8'));
    for (const h of HOSTS) expect(Object.keys(j.hosts[h]).sort(), h).toEqual(['0010-os-prep', '0020-containerd']);
  });

  it("does not repeat finished steps (each host's own step log has every step exactly once)", () => {
    for (const h of HOSTS) expect(stepsLog(h), h).toEqual(['0010-os-prep', '0020-containerd']);
  });

  it('reaches the kubeadm packages step on every host and fails there cleanly; the step stays resumable', () => {
    for (const h of HOSTS) {
      expect(outcome(run2, h), h).toMatchObject({ status: 'failed', step: '0030-kube-packages' });
      expect(outcome(run2, h).error).toMatch(MISSING);
    }
    const j = JSON.parse(readFileSync(journalFile, 'utf8'));
    expect(j.hosts.cp1['0030-kube-packages']).toBeUndefined();
  });

  it('installed containerd 2.x (the STAND-IN release the rack serves, checksum checked) and configured it on every host', () => {
    for (const h of HOSTS) {
      expect(rack.run(h, ['/usr/local/bin/containerd', '--version']), h).toMatch(
        /^containerd github.com\/containerd\/containerd\/v2 v2\.2\.1 stand-in/,
      );
      const cfg = rack.readFile(h, '/etc/containerd/config.toml')!;
      expect(cfg).toMatch(/^version = 3$/m);
      expect(cfg).toContain('SystemdCgroup = true');
      expect(cfg).toContain('config_path = "/etc/containerd/certs.d"');
      expect(rack.readFile(h, '/etc/containerd/certs.d/quay.io/hosts.toml')).toContain(
        `[host."https://${site.registry.hostname}/v2/quay"]`,
      );
      expect(
        rack.run(h, ['/usr/local/bin/containerd', '--config', '/etc/containerd/config.toml', 'config', 'dump']),
      ).toContain('SystemdCgroup = true');
    }
  });

  it('prepared the OS: apt proxy, modules-load and sysctl files; lvm2 only on the storage node', () => {
    for (const h of HOSTS) {
      expect(rack.readFile(h, '/etc/apt/apt.conf.d/90labctl-proxy')).toBe(`Acquire::http::Proxy "${rack.aptProxy}";\n`);
      expect(rack.readFile(h, '/etc/modules-load.d/kubernetes.conf')).toContain('br_netfilter');
      expect(rack.readFile(h, '/etc/sysctl.d/99-kubernetes.conf')).toContain('net.ipv4.ip_forward = 1');
    }
    expect(rack.readFile('s1', '/etc/modules-load.d/kubernetes.conf')).toContain('rbd');
    expect(rack.run('s1', ['sh', '-c', 'command -v lvm || true']).trim()).toBe('/usr/sbin/lvm');
    expect(rack.run('cp1', ['sh', '-c', 'command -v lvm || true']).trim()).toBe('');
  });

  it('changed only the host a step ran on: nothing outside the fake hosts', () => {
    expect(rack.readFile('cp1', '/etc/containerd/config.toml')).toBeDefined();
    // the test machine itself got no containerd config from the steps
    expect(() => readFileSync('/etc/apt/apt.conf.d/90labctl-proxy')).toThrow();
  });
});

describe('labctl up / reset through the CLI', () => {
  it('up: resumes from the journal, prints progress per host and step, exits 1 naming host, step and package', async () => {
    // The CLI renders the real release URL (the journal holds the stand-in URL's hash), so 0020 runs again:
    // the pinned version is installed, so it downloads nothing and changes nothing.
    const r = await labctl(['up', '-i', file, '--skip-preflight', '--nodes', 'cp1,w1', '--connect-timeout', '3']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/cp1\s+0010-os-prep\s+skipped \(finished in an earlier run\)/);
    expect(r.stdout).toMatch(/cp1\s+0020-containerd\s+done/);
    expect(r.stdout).toMatch(
      /cp1\s+0030-kube-packages\s+FAILED: cp1 \[0030-kube-packages\]: package\(s\) kubelet kubeadm kubectl/,
    );
    expect(r.stdout).toContain('hand-over: not started (needs cp1 0050-kubeadm-init)');
    expect(r.stderr).toContain('up did not finish: cp1 (0030-kube-packages), w1 (0030-kube-packages)');
    // the failure names the step's log in the state dir, which holds the whole output (apt's included)
    const stepLog = join(dir, '.labctl', 'logs', 'cp1', '0030-kube-packages.log');
    expect(r.stdout).toContain(`(full output: ${stepLog})`);
    expect(readFileSync(stepLog, 'utf8')).toMatch(/^! LABCTL_ERROR: package\(s\) kubelet kubeadm kubectl/m);
    expect(readFileSync(stepLog, 'utf8')).toMatch(/^# exit 1, /m);
    for (const h of ['cp1', 'w1']) expect(stepsLog(h)).toEqual(['0010-os-prep', '0020-containerd', '0020-containerd']);
  });

  it('up: preflight excludes a failing host and works on the others', async () => {
    rack.linkDown('gone');
    try {
      const r = await labctl(['up', '-i', file, '--nodes', 'gone,w2', '--connect-timeout', '2', '--output', 'json']);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.hosts.find((h: { node: string }) => h.node === 'gone')).toMatchObject({
        status: 'failed',
        step: 'preflight',
      });
      expect(j.hosts.find((h: { node: string }) => h.node === 'w2')).toMatchObject({
        status: 'failed',
        step: '0030-kube-packages',
        skipped: ['0010-os-prep'],
        ran: ['0020-containerd'],
      });
    } finally {
      rack.linkUp('gone');
    }
  });

  it('reset refuses without the node name as confirmation, and changes nothing', async () => {
    // Both refusals change nothing, so they run side by side.
    const [none, wrong] = await Promise.all([
      labctl(['reset', 'w2', '-i', file]),
      labctl(['reset', 'w2', '-i', file, '--yes-reset', 'yes']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('reset needs a confirmation: --yes-reset w2');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('confirmation "yes" does not match w2; nothing was changed');
    expect(stepsLog('w2')).toEqual(['0010-os-prep', '0020-containerd', '0020-containerd']);
  });

  it('reset NODE --yes-reset NODE resets only that node and keeps its disks and packages', async () => {
    rack.run('w2', [
      'sh',
      '-c',
      'mkdir -p /etc/kubernetes/manifests && echo x > /etc/kubernetes/manifests/kube-vip.yaml',
    ]);
    const r = await labctl(['reset', 'w2', '-i', file, '--yes-reset', 'w2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('w2: reset\n');
    expect(rack.readFile('w2', '/etc/kubernetes/manifests/kube-vip.yaml')).toBeUndefined();
    expect(rack.readFile('w2', '/var/lib/labctl/steps.log')).toMatch(/ reset\n$/);
    expect(rack.run('w2', ['/usr/local/bin/containerd', '--version'])).toMatch(/^containerd /);
    const j = JSON.parse(readFileSync(journalFile, 'utf8'));
    expect(j.hosts.w2).toEqual({}); // reset forgets all of the host's steps: the next up checks them all again
  });

  it('status shows nodes with journal progress; the cluster sections say why they are unavailable', async () => {
    const r = await labctl(['status', '-i', file, '--output', 'json', '--connect-timeout', '3']);
    // No admin kubeconfig yet: the cluster sections are unavailable, which is not healthy (exit 1).
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('application unavailable: no admin kubeconfig');
    const j = JSON.parse(r.stdout);
    expect(j.nodes.find((n: { node: string }) => n.node === 'cp1')).toMatchObject({
      reachable: true,
      member: false,
      kubelet: 'no-systemd',
      steps: '2/6',
    });
    expect(j.nodes.find((n: { node: string }) => n.node === 'w1')).toMatchObject({ reachable: true, steps: '2/4' });
    expect(j.applications).toMatchObject({ available: false });
    expect(j.applications.reason).toMatch(/no admin kubeconfig/);
  });
});
