// labctl remove's refusals and plan as pure functions of the inventory and the Ready nodes (no hosts):
// control-plane quorum, Ceph redundancy against the failure domain and the replica count, and the
// inventory lines printed at the end (deleting exactly them leaves a valid inventory without the node).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE, labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { quorumOf, removeRefusals } from '../../installer/cluster/remove/check.ts';
import { buildRemovePlan, formatRemovePlan, RemoveRefused } from '../../installer/cluster/remove/plan.ts';
import { formatNodeLines, nodeEntryLines } from '../../installer/cluster/remove/inventory-lines.ts';
import type { Site } from '../../installer/inventory/types.ts';

const load = (file: string): Site => {
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  return r.site;
};
const site = load(EXAMPLE);
const allReady = new Set(site.nodes.map((n) => n.name));
const without = (...n: string[]) => new Set([...allReady].filter((x) => !n.includes(x)));
/** The example inventory changed by f, validated. */
function variant(f: (inv: Record<string, any>) => void): Site {
  const inv = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>;
  f(inv);
  const dir = mkdtempSync(join(tmpdir(), 'labctl-remove-'));
  writeFileSync(join(dir, 'inventory.yaml'), stringify(inv));
  return load(join(dir, 'inventory.yaml'));
}

describe('control-plane quorum', () => {
  it('quorum of n etcd members is floor(n/2)+1', () => {
    expect([1, 2, 3, 4, 5].map(quorumOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it('removing cp2 of three is allowed while cp1 and cp3 are Ready, refused when cp3 is not', () => {
    expect(removeRefusals(site, { node: 'cp2', ready: allReady })).toEqual([]);
    expect(removeRefusals(site, { node: 'cp2', ready: without('cp3') })).toEqual([
      'control-plane quorum: 3 control planes (etcd members), 1 other(s) Ready (cp1); removing cp2 needs 2 other Ready control planes',
    ]);
  });

  it('refuses the only control plane, and the first control plane (up and upgrade start there)', () => {
    const one = variant((inv) => {
      inv.nodes = inv.nodes.filter((n: any) => !['cp2', 'cp3'].includes(n.name));
    });
    expect(removeRefusals(one, { node: 'cp1', ready: allReady })[0]).toBe(
      'cp1 is the only control plane: the cluster would have no API server and no etcd',
    );
    expect(removeRefusals(site, { node: 'cp1', ready: allReady })).toEqual([
      'cp1 is the first control plane of the inventory (labctl up and upgrade start there): list another control plane first in the inventory, run labctl up, then remove cp1',
    ]);
  });

  it('an unknown node is named with the known ones', () => {
    expect(removeRefusals(site, { node: 'cp9', ready: allReady })[0]).toMatch(
      /^cp9 is not a node of the inventory \(nodes: cp1, cp2, /,
    );
  });
});

describe('Ceph redundancy', () => {
  it('rack failure domain, 3 replicas, one storage node per rack: removing any storage node is refused', () => {
    expect(removeRefusals(site, { node: 'stor2', ready: allReady })).toEqual([
      'Ceph redundancy: storage.replicas is 3 with failure domain rack; without stor2 2 rack(s) would remain (r1, r3), fewer than 3: add a storage node first, or lower storage.replicas',
    ]);
  });

  it('a second storage node in the same rack makes the removal safe; a worker without disks is never a Ceph question', () => {
    const more = variant((inv) => {
      inv.nodes.push({
        name: 'stor4',
        rack: 'r2',
        address: '10.10.2.40',
        roles: ['storage', 'worker'],
        disks: ['/dev/disk/by-id/nvme-EXTRA_4'],
      });
    });
    expect(removeRefusals(more, { node: 'stor2', ready: allReady })).toEqual([]);
    expect(removeRefusals(site, { node: 'vmh4', ready: without('vmh4') })).toEqual([]);
  });

  it('host failure domain counts storage hosts: 3 of 3 refused, 2 replicas allowed', () => {
    const host3 = variant((inv) => {
      inv.storage = { failureDomain: 'host', replicas: 3 };
    });
    expect(removeRefusals(host3, { node: 'stor1', ready: allReady })[0]).toMatch(
      /without stor1 2 storage host\(s\) would remain \(stor2, stor3\), fewer than 3/,
    );
    const host2 = variant((inv) => {
      inv.storage = { failureDomain: 'host', replicas: 2 };
    });
    expect(removeRefusals(host2, { node: 'stor1', ready: allReady })).toEqual([]);
  });
});

describe('remove plan', () => {
  it('a storage node: drain, OSDs out through the Rook toolbox and wait, reset on the node, delete the Node; kubectl on cp1', () => {
    const two = variant((inv) => {
      inv.storage = { failureDomain: 'host', replicas: 2 };
    });
    const p = buildRemovePlan(two, { node: 'stor1', ready: allReady, rebalanceTimeoutSec: 60 });
    expect(p.steps.map((s) => `${s.id}@${s.runsOn}`)).toEqual([
      '10-drain@cp1',
      '20-ceph-out@cp1',
      '30-reset@stor1',
      '40-delete-node@cp1',
    ]);
    const ceph = p.steps[1]!.script;
    expect(ceph).toContain('-n rook-ceph exec deploy/rook-ceph-tools -- ceph "$@"');
    expect(ceph).toContain('ceph osd ls-tree "$node"');
    expect(ceph).toContain('ceph osd out $ids');
    expect(ceph).toContain('ceph osd safe-to-destroy $ids');
    expect(ceph).toContain('for i in $(seq 1 6); do');
    expect(ceph).toContain('sleep 10');
    expect(
      buildRemovePlan(two, { node: 'stor1', ready: allReady, rebalanceTimeoutSec: 60, rebalanceIntervalSec: 2 })
        .steps[1]!.script,
    ).toMatch(/for i in \$\(seq 1 30\); do[\s\S]*sleep 2\n[\s\S]*after 30 tries of 2 s/);
    expect(p.steps[0]!.script).toContain('--ignore-daemonsets --delete-emptydir-data --timeout=600s');
    expect(p.steps[2]!.script).toContain('kubeadm reset --force');
    for (const s of p.steps) execFileSync('bash', ['-n'], { input: s.script });
    expect(formatRemovePlan(p)).toMatch(/^remove plan for stor1 \(site cs-lab; kubectl runs on cp1\):\n {2}10-drain/);
  });

  it('a worker has no Ceph step; removing cp2 drains it from cp1; a refusal throws with every reason', () => {
    expect(buildRemovePlan(site, { node: 'vmh1', ready: allReady }).steps.map((s) => s.id)).toEqual([
      '10-drain',
      '30-reset',
      '40-delete-node',
    ]);
    expect(buildRemovePlan(site, { node: 'cp2', ready: allReady }).apiHost).toBe('cp1');
    try {
      buildRemovePlan(site, { node: 'stor1', ready: allReady });
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(RemoveRefused);
      expect((e as RemoveRefused).message).toMatch(/^remove refused:\n {2}- Ceph redundancy: /);
    }
  });
});

describe('the inventory lines to delete', () => {
  it('names file:first-last of the node entry (flow style, one line) and other lines naming it', () => {
    const l = nodeEntryLines(EXAMPLE, 'vmh5')!;
    expect(l.first).toBe(l.last);
    expect(l.text).toBe('  - {name: vmh5, rack: r3, address: 10.10.3.21, roles: [vm-host, worker]}');
    expect(formatNodeLines(l, 'vmh5')).toContain(`${EXAMPLE}:${l.first}-${l.last}`);
  });

  it('block-style entry with a comment: deleting exactly those lines leaves a valid inventory without the node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labctl-remove-lines-'));
    const file = join(dir, 'inventory.yaml');
    const text = readFileSync(EXAMPLE, 'utf8').replace(
      '  - {name: vmh5, rack: r3, address: 10.10.3.21, roles: [vm-host, worker]}',
      '  - name: vmh5   # bought 2024\n    rack: r3\n    address: 10.10.3.21\n    roles:\n      - vm-host\n      - worker\n',
    );
    writeFileSync(file, text);
    const l = nodeEntryLines(file, 'vmh5')!;
    expect(l.last - l.first).toBe(5);
    const lines = text.split('\n');
    lines.splice(l.first - 1, l.last - l.first + 1);
    writeFileSync(file, lines.join('\n'));
    const after = load(file);
    expect(after.nodes.map((n) => n.name)).not.toContain('vmh5');
    expect(after.nodes).toHaveLength(site.nodes.length - 1);
  });
});

describe('labctl remove CLI', () => {
  it('a confirmation naming another node is refused before anything connects', async () => {
    const r = await labctl(['remove', 'vmh1', '-i', EXAMPLE, '--yes-remove', 'vmh2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('remove: confirmation --yes-remove vmh2 does not match vmh1; nothing was changed');
    const u = await labctl(['remove', 'nope', '-i', EXAMPLE]);
    expect(u.stderr).toMatch(/remove: unknown node nope \(nodes: cp1, /);
  });
});
