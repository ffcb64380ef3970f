// Seams between the inventory and what reads the rendered site: merge keys read like Helm's YAML 1.1
// reader, who announces LoadBalancer addresses (kubeadm's exclusion label), control planes in one rack.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../installer/core/diagnostics.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import { fixture } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'seams-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
};
const show = (ds: Diagnostic[]) => ds.map((d) => formatDiagnostic({ ...d, file: '' }).replace(/^:/, ''));

describe('YAML merge keys (<<: *anchor) work', () => {
  it('merged node settings arrive, and a key of the node wins over the merged one', () => {
    const r = validateInventoryFile(fixture('inventory/valid/merge-keys.yaml'));
    expect(show(r.errors)).toEqual([]);
    const n = r.site!.nodes;
    expect(n.map((x) => [x.name, x.rack, x.roles.join('+'), x.ssh.user, x.ssh.port])).toEqual([
      ['node1', 'r1', 'control-plane+storage', 'labadmin', 2222],
      ['node2', 'r1', 'control-plane+storage', 'labadmin', 2222],
      ['node3', 'r1', 'control-plane+storage', 'labadmin', 2222],
      ['node4', 'r1', 'vm-host+worker', 'labadmin', 2222],
      // node5 writes ssh: {user: root}: a merge replaces whole values, it does not deep-merge (YAML 1.1 semantics).
      ['node5', 'r1', 'vm-host+worker', 'root', 22],
    ]);
  });
  it('the same file means the same to labctl as without merge keys (renders the same site as single-rack plus the ssh settings)', async () => {
    const merged = validateInventoryFile(fixture('inventory/valid/merge-keys.yaml')).site!;
    const plain = validateInventoryFile(fixture('inventory/valid/single-rack.yaml')).site!;
    expect(merged.nodes.map((x) => ({ ...x, ssh: undefined }))).toEqual(
      plain.nodes.map((x) => ({ ...x, ssh: undefined })),
    );
  });
});

/** The fixture has no backup section, which validate warns about (test/cluster/etcd-snapshot-schedule.test.ts). */
const notBackup = (w: string) => !w.includes('no backup section');

describe('addresses someone announces', () => {
  it('control planes that run workloads announce: their routers get them as neighbours and validate says nothing', async () => {
    const r = validateInventoryFile(fixture('inventory/valid/small-rack-workloads.yaml'));
    expect(show(r.errors)).toEqual([]);
    expect(show(r.warnings).filter(notBackup)).toEqual([]);
    const out = await renderSite(r.site!, readRenderInputs(r.site!));
    const frr = out.files.get('routers/core.frr.conf')!;
    for (const a of ['10.30.0.11', '10.30.0.12', '10.30.0.13']) expect(frr).toContain(`neighbor ${a} peer-group`);
    // MetalLB selects speakers by the absence of kubeadm's label; the bootstrap removes it from these nodes.
    expect(
      out.files.get('components/metallb-config/manifests.yaml') ??
        [...out.files.entries()].find(([p, c]) => p.includes('metallb') && c.includes('kind: BGPPeer'))![1],
    ).toContain('node.kubernetes.io/exclude-from-external-load-balancers');
  });
  it('control-plane-only nodes in the only served rack: an error, located at bgp.routers (fixture no-node-announces.yaml)', () => {
    const r = validateInventoryFile(fixture('inventory/invalid/no-node-announces.yaml'));
    expect(r.errors.map((d) => d.path)).toEqual(['bgp.routers']);
  });
});

describe('control planes in one rack with failureDomain: rack', () => {
  const text = readFileSync(fixture('inventory/valid/single-rack.yaml'), 'utf8')
    .replace(
      '  - {name: r1, subnet: rack}\n',
      '  - {name: r1, subnet: rack}\n  - {name: r2, subnet: rack}\n  - {name: r3, subnet: rack}\n',
    )
    .replace(
      '{name: node2, rack: r1, address: 10.30.0.12, roles: [control-plane, storage]',
      '{name: node2, rack: r1, address: 10.30.0.12, roles: [control-plane]',
    )
    .replace(
      '{name: node3, rack: r1, address: 10.30.0.13, roles: [control-plane, storage]',
      '{name: node3, rack: r1, address: 10.30.0.13, roles: [control-plane]',
    )
    .replace('ZC100002]}', 'ZC100002]}')
    .replace(
      '{name: node4, rack: r1, address: 10.30.0.14, roles: [vm-host, worker]}',
      '{name: node4, rack: r2, address: 10.30.0.14, roles: [vm-host, storage], disks: [/dev/disk/by-id/ata-ST4000NM0035_ZC100004]}',
    )
    .replace(
      '{name: node5, rack: r1, address: 10.30.0.15, roles: [vm-host, worker]}',
      '{name: node5, rack: r3, address: 10.30.0.15, roles: [vm-host, storage], disks: [/dev/disk/by-id/ata-ST4000NM0035_ZC100005]}',
    )
    .replace(/(roles: \[control-plane\]), disks: \[[^\]]+\]/g, '$1')
    .replace('tls:\n', 'storage: {failureDomain: rack}\ntls:\n');
  it('warns, naming what one rack failure takes down', () => {
    const r = validateInventoryFile(write('cp-one-rack.yaml', text));
    expect(show(r.errors)).toEqual([]);
    expect(show(r.warnings).filter(notBackup)).toEqual([
      '31:26 storage.failureDomain: warning: storage.failureDomain is rack, but all 3 control-plane node(s) (node1, node2, node3) are in rack r1: losing rack r1 takes down etcd and the Kubernetes API (no scheduling, no ArgoCD sync, no lab VM start/stop, no Ceph recovery orchestration), although Ceph still holds a copy of every object in the other racks (hint: spread the control-plane nodes over three racks)',
    ]);
  });
  it('says nothing when the control planes are spread over racks', () => {
    const spread = text
      .replace('{name: node2, rack: r1,', '{name: node2, rack: r2,')
      .replace('{name: node3, rack: r1,', '{name: node3, rack: r3,');
    const r = validateInventoryFile(write('cp-spread.yaml', spread));
    expect(show(r.errors)).toEqual([]);
    expect(show(r.warnings).filter((w) => w.includes('failureDomain is rack'))).toEqual([]);
  });
});
