// Rook-Ceph values as rendered: Ceph may only ever use the disks the inventory names, the CephCluster is
// never pruned by ArgoCD, pools follow the inventory's failure domain and replica count, and Harbor's
// bucket is wired to the object store. (helm template of the upstream charts cannot run offline: the
// keys are checked against rook v1.20.6 deploy/charts/*/values.yaml, see installer/render/components/rook-ceph.ts.)
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { STORAGE_CLASSES, OBJECT_STORE, rookClusterValues } from '../../installer/render/components/rook-ceph/index.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { rendered, siteFiles, loadSite } from './sites.ts';
import { EXAMPLE } from '../helpers.ts';

const SITES = Object.entries(siteFiles());
type Obj = Record<string, any>;

/** Every string anywhere in the values, to catch a device path or filter hiding in an unexpected key. */
function strings(v: unknown, path = ''): [string, string][] {
  if (typeof v === 'string') return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, path ? `${path}.${k}` : k));
  return [];
}

const inventoryDisks = (site: Site) => site.nodes.flatMap((n) => n.disks.map((d) => `${n.name}:${d}`)).sort();

describe.each(SITES)('%s: Rook-Ceph', (_name, file) => {
  it("the CephCluster takes exactly the inventory's by-id disks on its storage nodes, nothing else", async () => {
    const { site, result } = await rendered(file);
    const v = parse(result.files.get('components/rook-ceph-cluster/values.yaml')!) as Obj;
    const storage = v.cephClusterSpec.storage;
    expect(storage.useAllNodes).toBe(false);
    expect(storage.useAllDevices).toBe(false);
    expect(Object.keys(storage).sort()).toEqual(['nodes', 'useAllDevices', 'useAllNodes']);
    const got = (storage.nodes as Obj[])
      .flatMap((n) => {
        expect(Object.keys(n).sort()).toEqual(['devices', 'name', 'useAllDevices']);
        expect(n.useAllDevices).toBe(false);
        return (n.devices as Obj[]).map((d) => {
          expect(Object.keys(d)).toEqual(['name']);
          return `${n.name}:${d.name}`;
        });
      })
      .sort();
    expect(got).toEqual(inventoryDisks(site));
    expect(got.length).toBeGreaterThan(0);
    for (const g of got) expect(g).toMatch(/^[a-z0-9-]+:\/dev\/disk\/by-id\//);
    // Node names are inventory names (= kubernetes.io/hostname), storage role only.
    expect((storage.nodes as Obj[]).map((n) => n.name)).toEqual(
      site.nodes.filter((n) => n.roles.includes('storage')).map((n) => n.name),
    );
    // No device selection by pattern anywhere in the values.
    for (const [path] of strings(v)) expect(path).not.toMatch(/deviceFilter|devicePathFilter|useAllDevices.*true/);
    for (const [path, s] of strings(v)) {
      if (!s.startsWith('/dev/')) continue;
      expect(got.map((x) => x.split(':')[1])).toContain(s);
      expect(path).toMatch(/storage\.nodes\[\d+\]\.devices\[\d+\]\.name$/);
    }
  });

  it('ArgoCD never prunes or deletes the CephCluster; PrometheusRules are on', async () => {
    const { result } = await rendered(file);
    const v = parse(result.files.get('components/rook-ceph-cluster/values.yaml')!) as Obj;
    expect(v.cephClusterMetadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    expect(v.monitoring).toEqual({ enabled: true, createPrometheusRules: true });
    const op = parse(result.files.get('components/rook-ceph/values.yaml')!) as Obj;
    expect(op.crds.enabled).toBe(true);
    expect(op.obcAllowAdditionalConfigFields.split(',')).toContain('bucketOwner');
  });

  it('pools: failure domain and size from the inventory; one default StorageClass; RWX filesystem; bucket class', async () => {
    const { site, result } = await rendered(file);
    const v = parse(result.files.get('components/rook-ceph-cluster/values.yaml')!) as Obj;
    const fd = site.storage.failureDomain === 'rack' ? 'zone' : 'host';
    const pools: Obj[] = [
      v.cephBlockPools[0].spec,
      v.cephFileSystems[0].spec.metadataPool,
      v.cephFileSystems[0].spec.dataPools[0],
      v.cephObjectStores[0].spec.metadataPool,
      v.cephObjectStores[0].spec.dataPool,
    ];
    for (const p of pools)
      expect({ failureDomain: p.failureDomain, size: p.replicated.size }).toEqual({
        failureDomain: fd,
        size: site.storage.replicas,
      });
    const classes = [
      v.cephBlockPools[0].storageClass,
      v.cephFileSystems[0].storageClass,
      v.cephObjectStores[0].storageClass,
    ];
    expect(classes.map((c) => c.name)).toEqual([
      STORAGE_CLASSES.block,
      STORAGE_CLASSES.filesystem,
      STORAGE_CLASSES.bucket,
    ]);
    expect(classes.filter((c) => c.isDefault).map((c) => c.name)).toEqual([STORAGE_CLASSES.block]);
    expect(v.cephObjectStores[0].storageClass.reclaimPolicy).toBe('Retain');
    expect(v.cephFileSystems[0].spec.preserveFilesystemOnDelete).toBe(true);
    expect(v.cephObjectStores[0].spec.preservePoolsOnDelete).toBe(true);
    // Mons: never two on one node, spread over racks (zones).
    expect(v.cephClusterSpec.mon.allowMultiplePerNode).toBe(false);
    expect(v.cephClusterSpec.placement.mon.topologySpreadConstraints[0].topologyKey).toBe(
      'topology.kubernetes.io/zone',
    );
  });

  it('Harbor stores images in the object store, in a bucket its own keys own', async () => {
    const { result } = await rendered(file);
    const h = parse(result.files.get('components/harbor/values.yaml')!) as Obj;
    const s3 = h.persistence.imageChartStorage.s3;
    expect(h.persistence.imageChartStorage.type).toBe('s3');
    expect(s3.regionendpoint).toBe(OBJECT_STORE.endpoint);
    const objs = [...result.files.entries()]
      .filter(([p]) => p.startsWith('components/harbor/manifests/'))
      .flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as Obj));
    const obc = objs.find((o) => o.kind === 'ObjectBucketClaim')!;
    const user = objs.find((o) => o.kind === 'CephObjectStoreUser')!;
    expect(obc.spec.bucketName).toBe(s3.bucket);
    expect(obc.spec.storageClassName).toBe(STORAGE_CLASSES.bucket);
    expect(obc.spec.additionalConfig.bucketOwner).toBe(user.metadata.name);
    expect(user.spec.keys[0].accessKeyRef).toEqual({ name: s3.existingSecret, key: 'REGISTRY_STORAGE_S3_ACCESSKEY' });
    expect(user.spec.keys[0].secretKeyRef).toEqual({ name: s3.existingSecret, key: 'REGISTRY_STORAGE_S3_SECRETKEY' });
    const rook = parse(result.files.get('components/rook-ceph-cluster/values.yaml')!) as Obj;
    expect(rook.cephObjectStores[0].spec.allowUsersInNamespaces).toContain(user.metadata.namespace);
  });
});

describe('a disk the inventory did not name cannot reach Rook', () => {
  it('adding a disk to the inventory is the only way a device appears in the values', () => {
    const site = loadSite(EXAMPLE);
    const img = { repository: 'quay.io/ceph/ceph', tag: 'v20.2.4' };
    const before = strings(rookClusterValues(site, img))
      .filter(([, s]) => s.startsWith('/dev/'))
      .map(([, s]) => s);
    const extra = '/dev/disk/by-id/nvme-EXTRA_DISK_0001';
    const grown: Site = {
      ...site,
      nodes: site.nodes.map((n) => (n.name === 'stor1' ? { ...n, disks: [...n.disks, extra] } : n)),
    };
    const after = strings(rookClusterValues(grown, img))
      .filter(([, s]) => s.startsWith('/dev/'))
      .map(([, s]) => s);
    expect(after.filter((d) => !before.includes(d))).toEqual([extra]);
    // A node that loses the storage role loses its disks in the values (validate rejects disks on it).
    const shrunk: Site = {
      ...site,
      nodes: site.nodes.map((n) => (n.name === 'stor3' ? { ...n, roles: ['worker'] } : n)),
    };
    const nodes = (rookClusterValues(shrunk, img) as Obj).cephClusterSpec.storage.nodes as Obj[];
    expect(nodes.map((n) => n.name)).toEqual(['stor1', 'stor2']);
  });
});
