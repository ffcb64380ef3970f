// Lab disks in the backup (issue 15): lab VM disks are block volumes, which Velero's file-system backup
// skips, so the `labs` Schedule moves CSI snapshot data instead (the node agent uploads a transient
// snapshot's content to the backup target). Rendered from the example inventory: the Schedule's volume
// options, the snapshot-controller component (CRDs, controller, the ceph-block VolumeSnapshotClass) in tiers
// that order the CRDs before the class, and every object valid against its upstream CRD schema (a misspelt
// field fails). Not proven here: no Velero, snapshot controller or Ceph runs on this machine, so that a real
// backup carries a disk's blocks is NOT shown (docs/decisions.md).
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { TIER_WAVE, type K8sObject } from '../../installer/render/model.ts';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import { validateObjects } from '../../installer/render/validate-objects.ts';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { SCHEDULES } from '../../installer/render/components/velero/index.ts';
import {
  CONTROLLER_FILES,
  CRD_FILES,
  DEFAULT_CLASS_ANNOTATION,
  SNAPSHOT_CLASS,
  SNAPSHOT_CONTROLLER_NAMESPACE,
  VELERO_CLASS_LABEL,
  component,
  rbdSnapshotClass,
  snapshotController,
} from '../../installer/render/components/snapshot-controller/index.ts';
import { ROOK_NAMESPACE } from '../../installer/render/platform/storage.ts';
import { EXAMPLE } from '../helpers.ts';

function exampleSite(extra: Record<string, unknown> = {}): Site {
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  return { ...v.site, ...extra } as Site;
}

/** The example's own backup: section (validated, with its defaults). */
const BACKUP = exampleSite().backup;

/** The example with backup: deleted from a copy. */
function withoutBackup(): Site {
  const site = structuredClone(exampleSite()) as Site & { backup?: unknown };
  expect(site.backup).toBeDefined();
  delete site.backup;
  return site;
}

async function render(site: Site): Promise<RenderResult> {
  const r = await renderSite(site, readRenderInputs(site));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r;
}
const doc = (r: RenderResult, path: string) => {
  const t = r.files.get(path);
  if (t === undefined) throw new Error(`${path} not rendered`);
  return parse(t);
};
/** Every rendered object of a kind, with its file. */
const objectsOf = (r: RenderResult, kind: string) =>
  [...r.files.entries()]
    .filter(([p]) => p.endsWith('.yaml') && p.startsWith('components/'))
    .map(([file, t]) => ({ file, object: parse(t) as K8sObject }))
    .filter(({ object }) => object?.kind === kind);
const wave = (app: { metadata: { annotations: Record<string, string> } }) =>
  Number(app.metadata.annotations['argocd.argoproj.io/sync-wave']);

describe('lab-snapshots: the labs Schedule moves snapshot data, platform keeps file-system backup', () => {
  it('labs: snapshotMoveData, snapshots on, no fs-backup; platform: fs-backup, no snapshots', async () => {
    const r = await render(exampleSite({ backup: BACKUP }));
    const labs = doc(r, `components/velero/manifests/schedule-velero-${SCHEDULES.labs}.yaml`).spec.template;
    expect(labs).toMatchObject({ snapshotMoveData: true, snapshotVolumes: true, defaultVolumesToFsBackup: false });
    const platform = doc(r, `components/velero/manifests/schedule-velero-${SCHEDULES.platform}.yaml`).spec.template;
    expect(platform).toMatchObject({ defaultVolumesToFsBackup: true, snapshotVolumes: false });
    expect(platform.snapshotMoveData).toBeUndefined();
    // Velero 1.18 still gates its CSI paths behind the EnableCSI feature flag; the node agent runs the mover.
    const values = doc(r, 'components/velero/values.yaml');
    expect(values.configuration.features).toBe('EnableCSI');
    expect(values.deployNodeAgent).toBe(true);
    // No kept snapshot: no VolumeSnapshotLocation, nothing keeps a snapshot past its upload.
    expect(values.snapshotsEnabled).toBe(false);
  });
});

describe('lab-snapshots: the snapshot-controller component', () => {
  it('CRDs (crds tier) before the controller (operators) before the ceph-block class (resources), after Rook', async () => {
    const r = await render(exampleSite({ backup: BACKUP }));
    const crds = doc(r, 'apps/snapshot-controller-crds.yaml');
    const controller = doc(r, 'apps/snapshot-controller.yaml');
    const classes = doc(r, 'apps/snapshot-classes.yaml');
    const rook = doc(r, 'apps/rook-ceph.yaml');
    expect(crds.metadata.labels['labctl.dev/tier']).toBe('crds');
    expect(controller.metadata.labels['labctl.dev/tier']).toBe('operators');
    expect(classes.metadata.labels['labctl.dev/tier']).toBe('resources');
    expect(wave(crds)).toBe(TIER_WAVE.crds);
    expect(wave(crds)).toBeLessThan(wave(classes));
    expect(wave(controller)).toBeLessThan(wave(classes));
    // The class names Rook's driver: Rook's operator (which registers it) syncs in an earlier wave.
    expect(wave(rook)).toBeLessThan(wave(classes));
    expect(crds.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    // Each tier's AppProject lets its Application create what it holds: ArgoCD refuses a cluster-scoped kind
    // its project does not list, and the class is one.
    const projects = parseAllDocuments(r.files.get('apps/projects.yaml')!).map((d) => d.toJS());
    const project = (tier: string) => projects.find((p) => p.metadata.name === tier);
    expect(project('resources').spec.clusterResourceWhitelist).toContainEqual({
      group: 'snapshot.storage.k8s.io',
      kind: 'VolumeSnapshotClass',
    });
    expect(project('crds').spec.clusterResourceWhitelist).toContainEqual({
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
    });
    for (const p of ['crds', 'operators'])
      expect(project(p).spec.destinations.map((d: { namespace: string }) => d.namespace)).toContain(
        SNAPSHOT_CONTROLLER_NAMESPACE,
      );
    expect(project('resources').spec.destinations.map((d: { namespace: string }) => d.namespace)).toContain(
      ROOK_NAMESPACE,
    );
  });

  it('the upstream files of the pinned tag; the controller moved out of kube-system', async () => {
    const r = await render(exampleSite());
    const pin = pinnedVersions().components['external-snapshotter']!;
    const base = `https://raw.githubusercontent.com/kubernetes-csi/external-snapshotter/${pin.version}`;
    expect(pin.manifests).toBe('https://raw.githubusercontent.com/kubernetes-csi/external-snapshotter');
    const crdK = doc(r, 'components/snapshot-controller-crds/kustomization.yaml');
    expect(crdK.resources).toEqual(CRD_FILES.map((f) => `${base}/client/config/crd/${f}`));
    const ctlK = doc(r, 'components/snapshot-controller/kustomization.yaml');
    expect(ctlK.resources).toEqual(CONTROLLER_FILES.map((f) => `${base}/deploy/kubernetes/snapshot-controller/${f}`));
    expect(ctlK.namespace).toBe(SNAPSHOT_CONTROLLER_NAMESPACE);
    // No project may deploy into kube-system (platform/priority-classes keeps it out for the same reason).
    const text = r.files.get('apps/projects.yaml')!;
    expect(text).not.toMatch(/namespace: kube-system/);
    expect(text).toContain(`namespace: ${SNAPSHOT_CONTROLLER_NAMESPACE}`);
  });

  it('the VolumeSnapshotClass: Rook RBD driver of the site, clusterID and snapshotter secret, Delete, Velero label', async () => {
    const r = await render(exampleSite({ backup: BACKUP }));
    const classes = objectsOf(r, 'VolumeSnapshotClass');
    expect(classes).toHaveLength(1);
    expect(classes[0]!.file).toMatch(/^components\/snapshot-classes\/manifests\//);
    const c = classes[0]!.object as unknown as Record<string, any>;
    expect(c.metadata.name).toBe(SNAPSHOT_CLASS);
    expect(c.metadata.labels).toEqual({ [VELERO_CLASS_LABEL]: 'true' });
    expect(c.metadata.annotations[DEFAULT_CLASS_ANNOTATION]).toBe('true');
    expect(c.driver).toBe(`${ROOK_NAMESPACE}.rbd.csi.ceph.com`);
    expect(c.parameters).toEqual({
      clusterID: ROOK_NAMESPACE,
      'csi.storage.k8s.io/snapshotter-secret-name': 'rook-csi-rbd-provisioner',
      'csi.storage.k8s.io/snapshotter-secret-namespace': ROOK_NAMESPACE,
    });
    expect(c.deletionPolicy).toBe('Delete');
    // The same driver the ceph-block StorageClass provisions with (rook-ceph-cluster chart: operatorNamespace).
    const rookValues = doc(r, 'components/rook-ceph-cluster/values.yaml');
    expect(`${rookValues.operatorNamespace}.rbd.csi.ceph.com`).toBe(c.driver);
    expect(rookValues.clusterName).toBe(c.parameters.clusterID);
    // Another Rook namespace moves driver, clusterID and secret namespace together.
    const other = rbdSnapshotClass({ rookNamespace: 'storage', velero: true }) as unknown as Record<string, any>;
    expect(other.driver).toBe('storage.rbd.csi.ceph.com');
    expect(other.parameters.clusterID).toBe('storage');
    expect(other.parameters['csi.storage.k8s.io/snapshotter-secret-namespace']).toBe('storage');
  });

  it('without backup: the class for KubeVirt stays, without any Velero label', async () => {
    const r = await render(withoutBackup());
    const classes = objectsOf(r, 'VolumeSnapshotClass');
    expect(classes).toHaveLength(1);
    expect(classes[0]!.object.metadata.labels).toBeUndefined();
    expect(r.files.has('apps/velero.yaml')).toBe(false);
  });

  it('no storage nodes (no Ceph driver): no snapshot component at all', () => {
    const site = exampleSite({ backup: BACKUP });
    const noStorage = {
      ...site,
      nodes: site.nodes.map((n) => ({ ...n, roles: n.roles.filter((x) => x !== 'storage') })),
    };
    const inputs = readRenderInputs(site);
    expect(snapshotController({ site: noStorage as Site, ...inputs } as never)).toBeNull();
    expect(snapshotController({ site, ...inputs } as never)).not.toBeNull();
  });
});

describe('lab-snapshots: valid against the upstream CRDs', () => {
  it('the schema table holds the external-snapshotter VolumeSnapshotClass', () => {
    expect(Object.keys(component.crdSchemas!)).toEqual(['snapshot.storage.k8s.io/v1/VolumeSnapshotClass']);
  });

  it('the class and the labs Schedule validate; a misspelt field or a wrong deletionPolicy fails', async () => {
    const r = await render(exampleSite({ backup: BACKUP }));
    const [cls] = objectsOf(r, 'VolumeSnapshotClass');
    const labs = objectsOf(r, 'Schedule').find((s) => s.object.metadata.name === SCHEDULES.labs)!;
    expect(await validateObjects([cls!, labs])).toEqual([]);

    const badClass = structuredClone(cls!) as { object: any; file: string };
    badClass.object.deletonPolicy = badClass.object.deletionPolicy;
    delete badClass.object.deletionPolicy;
    const m1 = (await validateObjects([badClass])).map((d) => d.message).join('\n');
    expect(m1).toMatch(/deletonPolicy/);

    const keep = structuredClone(cls!) as { object: any; file: string };
    keep.object.deletionPolicy = 'Keep';
    expect((await validateObjects([keep])).length).toBeGreaterThan(0);

    const badSchedule = structuredClone(labs) as { object: any; file: string };
    badSchedule.object.spec.template.snapshotMoveDate = true;
    delete badSchedule.object.spec.template.snapshotMoveData;
    const m2 = (await validateObjects([badSchedule])).map((d) => d.message).join('\n');
    expect(m2).toMatch(/must NOT have additional properties \(snapshotMoveDate\)/);

    // snapshotMoveData is a boolean upstream: a string is refused, not coerced.
    const str = structuredClone(labs) as { object: any; file: string };
    str.object.spec.template.snapshotMoveData = 'true';
    expect((await validateObjects([str])).length).toBeGreaterThan(0);
  });
});
