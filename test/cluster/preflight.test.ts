// labctl preflight against a fake rack of real sshd hosts (see fakerack.ts for what is real and what is not).
import { cpus } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { runPreflight } from '../../installer/cluster/run-preflight.ts';
import type { HostReport } from '../../installer/cluster/preflight.ts';
import type { Site } from '../../installer/inventory/types.ts';

const OSD = 'nvme-FAKE_OSD_0001';
const OSD_USED = 'nvme-FAKE_OSD_0002';

let rack: FakeRack;
let dir: string;
let file: string;
let site: Site;
let reports: Map<string, HostReport>;

const status = (node: string, id: string) => reports.get(node)!.checks.find((c) => c.id === id);
const failing = (node: string) =>
  reports
    .get(node)!
    .checks.filter((c) => c.status === 'fail')
    .map((c) => c.id);

beforeAll(async () => {
  rack = await FakeRack.create(1, [
    { name: 'cp1' },
    { name: 'vmh1', kvm: true },
    { name: 'vmh2', kvm: false }, // fault: vm-host without /dev/kvm
    { name: 'stor1', rbd: true, disks: [{ id: OSD }, { id: OSD_USED, filesystem: 'ext4' }] }, // fault: ext4 on a Ceph disk
    { name: 'w1', swap: true }, // fault: swap on
    { name: 'w2', hostname: 'localhost-42' }, // fault: wrong hostname
  ]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-preflight-'));
  file = writeInventory(
    dir,
    rackInventory(rack, [
      { name: 'cp1', roles: ['control-plane'] },
      { name: 'vmh1', roles: ['vm-host', 'worker'] },
      { name: 'vmh2', roles: ['vm-host', 'worker'] },
      { name: 'stor1', roles: ['storage', 'worker'], disks: [`/dev/disk/by-id/${OSD}`, `/dev/disk/by-id/${OSD_USED}`] },
      { name: 'w1', roles: ['worker'] },
      { name: 'w2', roles: ['worker'] },
    ]),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  const pre = await runPreflight(site, { privateKey: rack.privateKey });
  reports = new Map(pre.hosts.map((h) => [h.node, h]));
});

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('preflight facts from real sshd hosts', () => {
  it('reports the facts each host really has', () => {
    const f = reports.get('cp1')!.facts!;
    expect(f.osId).toBe('debian');
    expect(f.osVersionId).toBe('12');
    expect(f.hostname).toBe('cp1');
    expect(f.uid).toBe(0);
    expect(f.cgroupFs).toBe('cgroup2fs');
    expect(f.addresses).toContain(`eth0 ${rack.address('cp1')}/24`);
    expect(f.listening).toContain(22);
    expect(f.swaps).toEqual([]);
    expect(reports.get('vmh1')!.facts!.kvm).toBe(true);
    expect(reports.get('vmh2')!.facts!.kvm).toBe(false);
    expect(reports.get('w2')!.facts!.hostname).toBe('localhost-42');
    const disks = reports.get('stor1')!.facts!.disks;
    expect(disks.map((d) => [d.path, d.exists, d.block])).toEqual([
      [`/dev/disk/by-id/${OSD}`, true, true],
      [`/dev/disk/by-id/${OSD_USED}`, true, true],
    ]);
    expect(disks[0]!.signatures).toEqual([]);
    expect(disks[1]!.signatures.join(' ')).toMatch(/^ext4 0x438$/);
  });

  it('passes the healthy hosts', () => {
    for (const n of ['cp1', 'vmh1']) expect(failing(n), n).toEqual([]);
    expect(status('cp1', 'address')).toMatchObject({ status: 'pass', reason: `${rack.address('cp1')} on eth0` });
    expect(status('vmh1', 'virtualization')!.status).toBe('pass');
    expect(status('cp1', 'virtualization')!.status).toBe('n/a');
  });

  it('fails a vm-host without /dev/kvm, and only for that', () => {
    expect(failing('vmh2')).toEqual(['virtualization']);
    expect(status('vmh2', 'virtualization')!.reason).toMatch(/\/dev\/kvm/);
  });

  it('fails a storage host whose Ceph disk holds a filesystem, naming the disk and what is on it', () => {
    // Two OSD disks: the agents' CPU plus one per OSD (Rook's request) = 3; this machine's facts may have fewer.
    expect(failing('stor1')).toEqual(cpus().length >= 3 ? ['disks'] : ['cpu', 'disks']);
    if (cpus().length < 3)
      expect(status('stor1', 'cpu')!.reason).toContain(
        'need at least 3 (1 cpu/1024 MiB kubelet + agents +2 cpu/6144 MiB storage x2 disks',
      );
    const reason = status('stor1', 'disks')!.reason!;
    expect(reason).toContain(`/dev/disk/by-id/${OSD_USED}`);
    expect(reason).toContain('ext4');
    expect(reason).not.toContain(`by-id/${OSD} `);
    expect(reason).toMatch(/never wipes/);
  });

  it('fails a host with swap on', () => {
    expect(failing('w1')).toEqual(['swap']);
    expect(status('w1', 'swap')!.reason).toMatch(/swap is on \(\/dev\/sdb2\)/);
  });

  it('fails a host whose hostname differs from the inventory', () => {
    expect(failing('w2')).toEqual(['hostname']);
    expect(status('w2', 'hostname')!.reason).toContain('"localhost-42", the inventory says "w2"');
  });

  it('warns (does not fail) where the fake rack differs from a server: no systemd as PID 1', () => {
    expect(status('cp1', 'systemd')).toMatchObject({ status: 'warn' });
  });
});

describe('labctl preflight (CLI)', () => {
  it('prints the hosts x checks table with reasons and exits 1', async () => {
    const r = await labctl(['preflight', '-i', file]);
    expect(r.code, r.stderr).toBe(1);
    // this machine first (helm and kubectl from .tools/bin; no secret store next to this inventory yet)
    expect(r.stdout).toMatch(
      /^local helm +ok +v4\.1\.4 .*\nlocal kubectl +ok +v1\.35\.2 .*\nlocal site-key warn .*labctl secrets init -r .*\nnode\s+ssh\s+root\s+os\s+kernel/,
    );
    expect(r.stdout).toMatch(/\nvmh2 .*FAIL/);
    expect(r.stdout).toContain('vmh2: virtualization: FAIL:');
    expect(r.stdout).toContain(`stor1: disks: FAIL: /dev/disk/by-id/${OSD_USED}`);
    // the version report: OS and runtime per host against the support matrix (docs/bootstrap.md)
    expect(r.stdout).toMatch(/^cp1: os debian 12 \(supported\), kernel \S+, containerd none \(up installs 2\.2\.1\)$/m);
    expect(r.stderr).toContain('preflight failed on 4 of 6 node(s): vmh2, stor1, w1, w2');
  });

  it('--output json, and exit 0 when only healthy nodes are checked', async () => {
    const r = await labctl(['preflight', '-i', file, '--output', 'json', '--nodes', 'cp1,vmh1']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(true);
    expect(j.hosts.map((h: HostReport) => h.node)).toEqual(['cp1', 'vmh1']);
  });

  it('reports an unknown --nodes name as a usage error', async () => {
    const r = await labctl(['preflight', '-i', file, '--nodes', 'cp9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--nodes: unknown node(s): cp9');
  });
});
