// labs capacity and preflight count what really runs on a node: node agents, control plane, one Ceph OSD
// per disk and the floating Ceph daemons at Rook's requests, when roles share nodes; and the labs' disks
// x replicas against the raw storage the inventory's disk sizes give.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { capacityReport, hostCapacity, storageCheck, ROOK_REQUESTS } from '../../installer/labs/capacity.ts';
import { parse } from 'yaml';
import { loadLabs } from '../../installer/labs/load.ts';
import { minimumsFor } from '../../installer/cluster/preflight.ts';
import { EXAMPLE, fixture, labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'capacity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const site = (text: string, name: string) => {
  const f = join(tmp, name);
  writeFileSync(f, text);
  const r = validateInventoryFile(f);
  if (!r.site) throw new Error(JSON.stringify(r.errors));
  return r.site;
};
// Three servers, each control plane + VM host + Ceph (one 1 TiB disk), 32 threads and 128 GiB.
const small = (disk = '1Ti') =>
  readFileSync(fixture('inventory/valid/small-rack-workloads.yaml'), 'utf8').replace(
    /disks: \[(\/dev\/disk\/by-id\/[^\]]+)\]\}/g,
    `disks: [{path: $1, size: ${disk}}], cpu: 32, memory: 128Gi}`,
  );

describe('capacity when roles share nodes', () => {
  it('control plane, OSD, crash collector and the floating Ceph daemons come off the VM capacity', () => {
    const c = hostCapacity(site(small(), 'small.yaml'));
    expect(c.hosts.map((h) => h.name)).toEqual(['node1', 'node2', 'node3']);
    expect(c.kept.node1!.map((l) => [l.what, l.cpu, l.memoryMiB])).toEqual([
      ['node agents (kubelet, containerd, Calico, CSI, OS)', 2, 8192],
      ['control plane (etcd, API server, controllers)', 2, 1700],
      ['Ceph OSD (one per disk)', 1, 4096],
      ['Ceph crash collector + exporter', 0.15, 110],
    ]);
    // Every workload node is a VM host: mons x3, mgr x2, MDS x2, RGW x2 land on them.
    expect(c.floating.chargedToVmHosts).toBe(true);
    expect(c.floating.loads.map((l) => [l.what, l.count, l.cpu, l.memoryMiB])).toEqual([
      ['Ceph mon', 3, 3, 3072],
      ['Ceph mgr', 2, 1.2, 1104],
      ['CephFS MDS (active + standby)', 2, 2, 8192],
      ['Ceph RGW', 2, 2, 2048],
    ]);
    // 3 x (32 - 5.15) - 8.2 = 72.35 -> 72 cpu x overcommit 4; 3 x (131072 - 14098) - 14416 MiB.
    expect(c.vcpu).toBe(288);
    expect(c.memoryMiB).toBe(336506);
    // The reserve-only model this replaces promised 3 x (32 - 2) x 4 = 360 vCPU and 3 x 120 GiB.
    expect(c.vcpu).toBeLessThan(360);
  });

  it('dedicated VM hosts lose only the node agents; Ceph daemons go to the storage nodes (the example: numbers unchanged)', () => {
    const c = hostCapacity(validateInventoryFile(EXAMPLE).site!);
    expect(c.floating.chargedToVmHosts).toBe(false);
    expect(c.floating.why).toContain('stor1, stor2, stor3');
    expect([c.vcpu, c.memoryMiB / 1024]).toEqual([1744, 3536]);
  });

  it('the CLI prints every number with its source', async () => {
    const r = await labctl(['labs', 'capacity', '-i', EXAMPLE, '--labs', 'test/fixtures/labs/valid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'vmh1: node agents (kubelet, containerd, Calico, CSI, OS): 2 cpu, 8Gi (source: labctl HOST_RESERVE (installer/labs/sizes.ts))',
    );
    expect(r.stdout).toContain(
      'cluster: CephFS MDS (active + standby) x2: 2 cpu, 8Gi (source: rook-ceph-cluster v1.20.6 chart values.yaml cephFileSystems[0].spec.metadataServer.resources; placed on the nodes that run workloads but no VMs (stor1, stor2, stor3))',
    );
    expect(r.stdout).toMatch(
      /storage: lab disks need \d+Gi raw .* of 18237Gi usable \(21456Gi raw from nodes\[\]\.disks\[\]\.size x 0\.85 Ceph nearfull ratio\)/,
    );
  });
});

describe('storage: lab disks x replicas against raw capacity', () => {
  const labsDir = (disk: string, students: number, persistence = 'persistent') => {
    const d = join(tmp, `labs-${disk}-${students}-${persistence}`, 'phys210');
    mkdirSync(d, { recursive: true });
    writeFileSync(
      join(d, 'big.yaml'),
      `apiVersion: 1\ntitle: Big\ncourse: phys210\nimage: ubuntu-24.04\nsize: small\ndisk: ${disk}\npersistence: ${persistence}\nstudents: [${Array.from({ length: students }, (_, i) => `s${i}`).join(', ')}]\n`,
    );
    const l = loadLabs([join(d, '..')]);
    expect(l.errors).toEqual([]);
    return l.labs;
  };
  it('persistent: students x disk x replicas past the nearfull ratio does not fit', () => {
    const s = site(small('1Ti'), 'small-1t.yaml'); // raw 3072Gi, usable 2611Gi
    const fits = storageCheck(labsDir('20Gi', 40), s); // 40 x 20 x 3 = 2400Gi
    expect([fits.rawGiB, fits.usableGiB, fits.needGiB, fits.over]).toEqual([3072, 2611, 2400, false]);
    const over = storageCheck(labsDir('20Gi', 50), s); // 3000Gi
    expect([over.needGiB, over.over]).toEqual([3000, true]);
    // Ephemeral labs share one golden disk: 50 students cost one disk.
    expect(storageCheck(labsDir('20Gi', 50, 'ephemeral'), s).needGiB).toBe(60);
  });
  it('a lab disk larger than all raw storage is named', () => {
    const s = site(small('100Gi'), 'small-100g.yaml');
    const st = storageCheck(labsDir('400Gi', 1, 'ephemeral'), s);
    expect(st.tooBig.map((l) => l.name)).toEqual(['big']);
    expect(capacityReport(labsDir('400Gi', 1, 'ephemeral'), s).explain).toContain(
      "storage: phys210/big: one disk of 400Gi is larger than the cluster's raw storage 300Gi",
    );
  });
  it('disks without a size: the check says what it cannot know instead of passing', () => {
    const st = storageCheck([], validateInventoryFile(fixture('inventory/valid/single-rack.yaml')).site!);
    expect(st.unknownDisks).toHaveLength(3);
    expect(st.over).toBe(false);
  });
});

describe("preflight minimums add up over a node's roles", () => {
  it('single roles keep their named minimums', () => {
    expect(minimumsFor(['control-plane'])).toMatchObject({ cpus: 2, memoryMiB: 1700 });
    expect(minimumsFor(['storage'])).toMatchObject({ cpus: 2, memoryMiB: 4096 });
    expect(minimumsFor(['vm-host', 'worker'])).toMatchObject({ cpus: 2, memoryMiB: 4096 });
  });
  it('control plane + VM host + storage with two disks: agents once, then each role, an OSD per disk', () => {
    const m = minimumsFor(['control-plane', 'vm-host', 'storage'], 2);
    expect([m.cpus, m.memoryMiB]).toEqual([1 + 1 + 1 + 2, 1024 + 676 + 3072 + 2 * 3072]);
    expect(m.why).toBe(
      '1 cpu/1024 MiB kubelet + agents +1 cpu/676 MiB control-plane (kubeadm control-plane minimum) +1 cpu/3072 MiB vm-host (node agents + one lab VM) +2 cpu/6144 MiB storage x2 disks (one Ceph OSD (osd_memory_target 4 GiB))',
    );
  });
});

describe('labs validate: one lab disk larger than all raw storage', () => {
  it('is refused at the disk line of the lab file', async () => {
    const d = mkdtempSync(join(tmp, 'v-'));
    writeFileSync(
      join(d, 'inventory.yaml'),
      small('100Gi').replace(
        '    - {name: phys210, title: Computational Physics, staff: [pmaxwell]}',
        '    - {name: phys210, title: Computational Physics, staff: [pmaxwell]}\n  vmHost: {cpu: 32, memory: 128Gi}',
      ),
    );
    mkdirSync(join(d, 'labs/phys210'), { recursive: true });
    writeFileSync(
      join(d, 'labs/phys210/huge.yaml'),
      'apiVersion: 1\ntitle: Huge\ncourse: phys210\nimage: ubuntu-24.04\nsize: small\ndisk: 400Gi\nstudents: [ada]\n',
    );
    const r = await labctl(['labs', 'validate', '-i', 'inventory.yaml', 'labs'], { cwd: d });
    expect(r.stderr).toContain(
      "labs/phys210/huge.yaml:6:7 disk: disk 400Gi per VM is larger than the cluster's whole raw storage (300Gi from nodes[].disks[].size)",
    );
    expect(r.code).toBe(1);
  });
});

describe('what capacity counts is what the site asks the scheduler for', () => {
  it('the rendered Rook MDS and RGW requests are the numbers labs capacity charges (one source: rook-requests.ts)', () => {
    const text = readFileSync(
      join(import.meta.dirname, '../golden/example/components/rook-ceph-cluster/values.yaml'),
      'utf8',
    );
    const values = parse(text) as any;
    const asked = (r: { cpu: number; memoryMiB: number }) => ({
      requests: { cpu: `${Math.round(r.cpu * 1000)}m`, memory: `${r.memoryMiB}Mi` },
    });
    expect(values.cephFileSystems[0].spec.metadataServer.resources).toEqual(asked(ROOK_REQUESTS.mds));
    expect(values.cephObjectStores[0].spec.gateway.resources).toEqual(asked(ROOK_REQUESTS.rgw));
  });
});
