// labctl remove, the real CLI against the fake rack (real sshd and bash; STAND-IN kubeadm and a STAND-IN
// kubectl/API server with Rook toolbox answers, upgrade-standins.ts): refusals change nothing; a drain that a
// PodDisruptionBudget blocks stops the removal with host and step; the re-run resumes, marks the node's OSDs
// out, waits for Ceph, resets the node, deletes the Node, forgets its journal and prints the inventory lines,
// and deleting exactly those lines leaves a valid inventory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { labctlAsync as labctl } from './cli.ts';
import { installDay2StandIns, setDrainMode, standinLog } from './upgrade-standins.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { REMOVE_PLAN_EXAMPLE, REMOVE_YES_EXAMPLE } from '../../installer/cli/commands/day2-register.ts';

let rack: FakeRack;
let dir: string;
let file: string;
let strict: string;
const nodes = () => rack.run('cp1', ['ls', '/var/lib/standin/nodes']).trim().split('\n').filter(Boolean);
const mutating = () => standinLog(rack, 'cp1', 'kubectl').filter((l) => !/ get nodes /.test(l));
/** A --help example as written, for this rack: its node w3 is s2 here, inventory.yaml the rack's file. */
const asWritten = (example: string) =>
  example
    .split(' ')
    .slice(1)
    .map((a) => (a === 'w3' ? 's2' : a === 'inventory.yaml' ? file : a));

beforeAll(async () => {
  rack = await FakeRack.create(48, [{ name: 'cp1' }, { name: 's1' }, { name: 's2' }]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-remove-'));
  const nodesSpec = [
    { name: 'cp1', roles: ['control-plane'] },
    { name: 's1', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_RM_1'] },
    { name: 's2', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_RM_2'] },
  ];
  file = writeInventory(dir, rackInventory(rack, nodesSpec)); // storage.replicas 1
  const two = rackInventory(rack, nodesSpec);
  two.storage = { failureDomain: 'host', replicas: 2 };
  strict = writeInventory(dir, two, 'replicas2.yaml');
  process.env.LABCTL_STATE_DIR = join(dir, '.labctl');
  installDay2StandIns(rack, 'cp1', { cp1: 'v1.36.4', s1: 'v1.36.4', s2: 'v1.36.4' }, { s2: ['3', '4'] });
  for (const h of ['s1', 's2']) writeFileSync(rack.path(h, '/etc/kubernetes/kubelet.conf'), 'stand-in kubelet.conf\n');
}, 300_000);

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('labctl remove on the fake rack (STAND-IN kubeadm, kubectl/API server and Rook toolbox)', () => {
  it('refuses when Ceph would lose redundancy (2 replicas, 2 storage hosts) and when the only control plane would go; nothing changes', async () => {
    const ceph = await labctl(['remove', 's2', '-i', strict, '--yes-remove', 's2']);
    expect(ceph.code).toBe(1);
    expect(ceph.stderr).toContain(
      'remove refused:\n  - Ceph redundancy: storage.replicas is 2 with failure domain host; without s2 1 storage host(s) would remain (s1), fewer than 2',
    );
    expect(ceph.stderr).toContain('nothing was changed');
    const cp = await labctl(['remove', 'cp1', '-i', file, '--yes-remove', 'cp1']);
    expect(cp.code).toBe(1);
    expect(cp.stderr).toContain('cp1 is the only control plane');
    expect(mutating()).toEqual([]);
    expect(nodes()).toEqual(['cp1', 's1', 's2']);
  });

  it('without --yes-remove (the first --help example, as written) it shows the plan and changes nothing', async () => {
    const r = await labctl(asWritten(REMOVE_PLAN_EXAMPLE));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /remove plan for s2 \(site [a-z0-9-]+; kubectl runs on cp1\):\n {2}10-drain .*\[on cp1\]\n {2}20-ceph-out .*\n {2}30-reset .*\n {2}40-delete-node .*\[on cp1\]/,
    );
    // The command it names keeps the -i typed (the second --help example): copied, it removes from this site.
    expect(r.stdout).toContain(`nothing changed; to run it: labctl remove s2 -i ${file} --yes-remove s2\n`);
    expect(asWritten(REMOVE_YES_EXAMPLE)).toEqual(['remove', 's2', '-i', file, '--yes-remove', 's2']);
    expect(mutating()).toEqual([]);
  });

  it('a drain blocked by a PodDisruptionBudget stops at the drain, naming host and step; s2 stays cordoned and in the cluster', async () => {
    setDrainMode(rack, 'cp1', 'pdb', 's2');
    const r = await labctl(['remove', 's2', '-i', file, '--yes-remove', 's2', '--drain-timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'remove stopped at s2 [remove/10-drain]: drain of s2 did not finish within 2 s (a PodDisruptionBudget, a VM that cannot migrate, or a pod no controller manages; see',
    );
    expect(r.stderr).toContain(`fix the cause and run labctl remove s2 -i ${file} --yes-remove s2 again`);
    expect(existsSync(rack.path('cp1', '/var/lib/standin/cordoned/s2'))).toBe(true);
    expect(nodes()).toEqual(['cp1', 's1', 's2']);
    expect(standinLog(rack, 'cp1', 'ceph')).toEqual([]);
    expect(standinLog(rack, 's2', 'kubeadm')).toEqual([]);
  }, 120_000);

  let done: { code: number | null; stdout: string; stderr: string };
  it('the re-run resumes: drain, OSDs 3 and 4 out, waits until Ceph says safe, kubeadm reset on s2, Node deleted', async () => {
    setDrainMode(rack, 'cp1', 'ok', 's2');
    // The second --help example as written, with the waits shortened for the stand-ins.
    done = await labctl([
      ...asWritten(REMOVE_YES_EXAMPLE),
      '--drain-timeout',
      '2',
      '--rebalance-timeout',
      '60',
      // Ceph is asked every second instead of every 10 s: the stand-in answers at once (the default is
      // checked in remove-plan.test.ts).
      '--rebalance-interval',
      '1',
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(standinLog(rack, 'cp1', 'ceph')).toEqual([
      'ceph osd ls-tree s2',
      'ceph osd out 3 4',
      'ceph osd safe-to-destroy 3 4',
      'ceph osd safe-to-destroy 3 4',
      'ceph osd safe-to-destroy 3 4',
    ]);
    expect(standinLog(rack, 's2', 'kubeadm')).toEqual([expect.stringMatching(/^reset --force --cri-socket /)]);
    expect(existsSync(rack.path('s2', '/etc/kubernetes/kubelet.conf'))).toBe(false);
    expect(nodes()).toEqual(['cp1', 's1']);
    expect(standinLog(rack, 's1', 'kubeadm')).toEqual([]);
    const journal = JSON.parse(readFileSync(join(dir, '.labctl', 'journal.json'), 'utf8')) as {
      hosts: Record<string, unknown>;
    };
    expect(Object.keys(journal.hosts.s2 ?? {})).toEqual([]); // forgotten: a node added again is bootstrapped from the start
  }, 300_000);

  it('prints the inventory lines to delete and the OSDs to purge; deleting exactly those lines leaves a valid inventory without s2', () => {
    const m = new RegExp(
      `delete these lines of ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(the entry of s2\\), then commit:\\n  \\S+:(\\d+)-(\\d+)\\n`,
    ).exec(done.stdout);
    expect(m, done.stdout).not.toBeNull();
    expect(done.stdout).toContain('ceph osd purge <id> --yes-i-really-mean-it for 3, 4');
    const lines = readFileSync(file, 'utf8').split('\n');
    const [first, last] = [Number(m![1]), Number(m![2])];
    expect(lines[first - 1]).toMatch(/^\s*- (name: s2|address: )/);
    lines.splice(first - 1, last - first + 1);
    writeFileSync(file, lines.join('\n'));
    const r = requireSite(file);
    if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
    expect(r.site.nodes.map((n) => n.name)).toEqual(['cp1', 's1']);
  });
});
