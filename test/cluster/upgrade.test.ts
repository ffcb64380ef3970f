// labctl upgrade on the fake rack (real sshd, real bash, real apt and dpkg; fakerack.ts says what is real):
// STAND-IN kubelet/kubeadm/kubectl packages at 1.35.0 and 1.36.4 in the rack's signed repository, installed
// and moved by real apt; STAND-IN kubeadm and a STAND-IN kubectl/API server (upgrade-standins.ts). Run 1
// loses the SSH connection to the API host in the middle of w1's drain; run 2 resumes: finished steps are
// not repeated (journal and the stand-ins' call logs), the rest runs, and every node ends at 1.36.4, held
// and uncordoned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { labctlAsync as labctl } from './cli.ts';
import { UPGRADE_EXAMPLE } from '../../installer/cli/commands/day2-register.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { publishKubePackages } from './standins.ts';
import { installDay2StandIns, reportKubelet, setDrainMode, standinLog } from './upgrade-standins.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, type Plan } from '../../installer/cluster/plan.ts';
import { runPlan, type UpEvent } from '../../installer/cluster/apply.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import { buildUpgradePlan } from '../../installer/cluster/upgrade/plan.ts';
import { runUpgrade, StepRunner, type UpgradeResult } from '../../installer/cluster/upgrade/run.ts';
import { observeNodes } from '../../installer/cluster/upgrade/observe.ts';
import type { Site } from '../../installer/inventory/types.ts';

const NODES = ['cp1', 'w1', 'w2'];
let rack: FakeRack;
let dir: string;
let site: Site;
let journalFile: string;
let run1: UpgradeResult;
let run2: UpgradeResult;
const events1: UpEvent[] = [];
const events2: UpEvent[] = [];
let observedBefore: Record<string, string>;
let afterRun1: Record<string, string[]>;
let file: string;

const opts = () => ({ privateKey: rack.privateKey, connectTimeoutMs: 5000 });
const versions = (h: string) =>
  rack
    .run(h, ['dpkg-query', '-W', '-f=${Package} ${Version}\\n', 'kubelet', 'kubeadm', 'kubectl'])
    .trim()
    .split('\n')
    .sort();
const node = (r: UpgradeResult, n: string) => r.nodes.find((x) => x.node === n)!;
/** The stand-in kubelet status update, when a node's kubelet step finished. */
const onEvent = (sink: UpEvent[]) => (e: UpEvent) => {
  sink.push(e);
  if (e.kind === 'done' && e.step.endsWith('/30-kubelet')) reportKubelet(rack, 'cp1', e.node);
};
async function plan(): Promise<ReturnType<typeof buildUpgradePlan>> {
  const runner = new StepRunner(site, opts());
  try {
    const seen = await observeNodes(site, runner);
    const journal = Journal.open(journalFile, site.site.name);
    return buildUpgradePlan(site, {
      target: 'v1.36.4',
      current: Object.fromEntries([...seen.nodes].map(([n, v]) => [n, v.version])),
      batchSize: 1,
      drainTimeoutSec: 30,
      finished: (n, k) => !!journal.record(n, k),
    });
  } finally {
    runner.close();
  }
}

beforeAll(async () => {
  rack = await FakeRack.create(
    47,
    NODES.map((name) => ({ name })),
  );
  dir = mkdtempSync(join(tmpdir(), 'labctl-upgrade-'));
  file = writeInventory(
    dir,
    rackInventory(
      rack,
      [
        { name: 'cp1', roles: ['control-plane'] },
        { name: 'w1', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_UPG_1'] },
        { name: 'w2', roles: ['worker'] },
      ],
      { network: { aptProxy: rack.aptProxy }, kubernetes: { packageRepo: rack.packageRepo } },
    ),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  journalFile = join(dir, 'journal.json');
  // The nodes as `up` left them with the older pin: the real os-prep and package steps at 1.35.0.
  publishKubePackages(rack, ['1.35.0-1.1', '1.36.4-1.1']);
  const older = { ...site, kubernetes: { ...site.kubernetes, version: 'v1.35.0' } };
  const p: Plan = buildPlan(older);
  p.phases = p.phases
    .filter((x) => x.phase === 'prepare')
    .map((x) => ({
      ...x,
      hosts: x.hosts.map((h) => ({
        ...h,
        steps: h.steps.filter((s) => ['0010-os-prep', '0030-kube-packages'].includes(s.id)),
      })),
    }));
  const up = await runPlan(older, p, Journal.open(join(dir, 'up.json'), site.site.name), opts());
  if (!up.ok) throw new Error(JSON.stringify(up.hosts));
  installDay2StandIns(rack, 'cp1', Object.fromEntries(NODES.map((n) => [n, 'v1.35.0'])));

  // Run 1: the connection to cp1 (where kubectl runs) is lost while w1's drain waits on an eviction.
  setDrainMode(rack, 'cp1', 'ok');
  setDrainMode(rack, 'cp1', 'hang', 'w1');
  const p1 = await plan();
  const killer = (async () => {
    for (let i = 0; i < 3000 && !standinLog(rack, 'cp1', 'kubectl').some((l) => / drain w1 /.test(l)); i++)
      await new Promise((res) => setTimeout(res, 100));
    await new Promise((res) => setTimeout(res, 500));
    rack.killSshd('cp1');
  })();
  observedBefore = Object.fromEntries(p1.batches.flat().map((n) => [n.node, n.from]));
  run1 = await runUpgrade(site, p1, Journal.open(journalFile, site.site.name), {
    ...opts(),
    onEvent: onEvent(events1),
  });
  await killer;
  afterRun1 = Object.fromEntries(NODES.map((h) => [h, versions(h)]));

  // Fault removed: sshd back, the drain goes through. Run 2 from a fresh plan (cp1 is at the target now).
  setDrainMode(rack, 'cp1', 'ok', 'w1');
  await rack.startSshd('cp1');
  run2 = await runUpgrade(site, await plan(), Journal.open(journalFile, site.site.name), {
    ...opts(),
    onEvent: onEvent(events2),
  });
}, 900_000);

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('labctl upgrade 1.35.0 → 1.36.4 on the fake rack (STAND-IN kubeadm, kubectl/API server and packages; real apt)', () => {
  it('the plan came from what the (stand-in) API reported: every node at v1.35.0, control plane first', () => {
    expect(observedBefore).toEqual({ cp1: 'v1.35.0', w1: 'v1.35.0', w2: 'v1.35.0' });
  });

  it('run 1: cp1 upgraded completely; w1 stopped at its drain naming host and step; w2 not started (one batch at a time)', () => {
    expect(node(run1, 'cp1')).toMatchObject({
      status: 'done',
      ran: ['10-kubeadm', '20-drain', '30-kubelet', '40-uncordon'],
    });
    expect(node(run1, 'w1')).toMatchObject({ status: 'failed', step: 'upgrade-v1.36.4/20-drain', ran: ['10-kubeadm'] });
    expect(node(run1, 'w1').error).toMatch(/^w1 \[upgrade-v1\.36\.4\/20-drain\]: cp1: SSH connection lost/);
    expect(node(run1, 'w2')).toMatchObject({ status: 'not started', ran: [] });
    expect(run1.ok).toBe(false);
    // w1's kubeadm moved, its kubelet not (the drain did not finish): the order kubeadm documents.
    expect(afterRun1.w1).toEqual(['kubeadm 1.36.4-1.1', 'kubectl 1.35.0-1.1', 'kubelet 1.35.0-1.1']);
    expect(afterRun1.w2).toEqual(['kubeadm 1.35.0-1.1', 'kubectl 1.35.0-1.1', 'kubelet 1.35.0-1.1']);
  });

  it('the first control plane ran kubeadm upgrade plan and apply with the target; the workers kubeadm upgrade node, w1 only once across both runs', () => {
    expect(standinLog(rack, 'cp1', 'kubeadm')).toEqual(['upgrade plan v1.36.4', 'upgrade apply -y v1.36.4']);
    expect(standinLog(rack, 'w1', 'kubeadm')).toEqual(['upgrade node']);
    expect(standinLog(rack, 'w2', 'kubeadm')).toEqual(['upgrade node']);
  });

  it('run 2 resumes: w1 skips its finished kubeadm step and drains again; cp1 is left alone (already at the target); w2 runs everything', () => {
    expect(run2.ok, JSON.stringify(run2.nodes)).toBe(true);
    expect(run2.nodes.map((n) => n.node)).toEqual(['w1', 'w2']);
    expect(node(run2, 'w1')).toMatchObject({ skipped: ['10-kubeadm'], ran: ['20-drain', '30-kubelet', '40-uncordon'] });
    expect(node(run2, 'w2')).toMatchObject({
      skipped: [],
      ran: ['10-kubeadm', '20-drain', '30-kubelet', '40-uncordon'],
    });
    expect(events2.some((e) => e.node === 'cp1')).toBe(false);
  });

  it('every node ends at 1.36.4 (real dpkg), held, registered at v1.36.4 and uncordoned', () => {
    for (const h of NODES) {
      expect(versions(h)).toEqual(['kubeadm 1.36.4-1.1', 'kubectl 1.36.4-1.1', 'kubelet 1.36.4-1.1']);
      expect(rack.run(h, ['apt-mark', 'showhold']).trim().split('\n').sort()).toEqual([
        'kubeadm',
        'kubectl',
        'kubelet',
      ]);
      expect(rack.readFile('cp1', `/var/lib/standin/nodes/${h}`)).toBe('v1.36.4');
    }
    expect(rack.run('cp1', ['ls', '/var/lib/standin/cordoned']).trim()).toBe('');
  });

  it('drains through the eviction API with the documented flags and a bounded timeout, cordon first, uncordon last', () => {
    const log = standinLog(rack, 'cp1', 'kubectl')
      .filter((l) => / (cordon|drain|uncordon) w2/.test(l))
      .map((l) => l.replace('--kubeconfig /etc/kubernetes/admin.conf ', ''));
    expect(log).toEqual([
      'cordon w2',
      'drain w2 --ignore-daemonsets --delete-emptydir-data --timeout=30s --request-timeout=30s',
      'uncordon w2',
    ]);
    expect(standinLog(rack, 'cp1', 'kubectl').join('\n')).not.toMatch(/--disable-eviction|--force/);
  });

  it('the journal keys carry the target version', () => {
    const j = Journal.open(journalFile, site.site.name).snapshot();
    expect(Object.keys(j.hosts.w1!).sort()).toEqual([
      'upgrade-v1.36.4/10-kubeadm',
      'upgrade-v1.36.4/20-drain',
      'upgrade-v1.36.4/30-kubelet',
      'upgrade-v1.36.4/40-uncordon',
    ]);
  });

  it('labctl upgrade (the CLI, plan only) then finds nothing to do, and refuses a downgrade naming each node', async () => {
    process.env.LABCTL_STATE_DIR = join(dir, '.labctl');
    // The --help example, as written, with the rack's inventory file.
    const same = await labctl(
      UPGRADE_EXAMPLE.split(' ')
        .slice(1)
        .map((a) => (a === 'inventory.yaml' ? file : a)),
    );
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain(
      'nothing to upgrade\nskipped: cp1: already at v1.36.4\nskipped: w1: already at v1.36.4\nskipped: w2: already at v1.36.4\n',
    );
    expect(same.stdout).toContain('nothing changed; run again with --yes to upgrade');
    const down = await labctl(['upgrade', '--to', 'v1.35.0', '-i', file, '--yes']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('  - cp1: is at v1.36.4, newer than v1.35.0; kubeadm does not downgrade');
    expect(down.stderr).toContain('--to v1.35.0 is not the version the inventory pins (kubernetes.version v1.36.4)');
  }, 120_000);
});
