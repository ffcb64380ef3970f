// CSI volume snapshots: the snapshot.storage.k8s.io CRDs and the common snapshot controller of the pinned
// kubernetes-csi/external-snapshotter release (no chart is published by upstream: its release manifests,
// synced through kustomize like KubeVirt's), and the VolumeSnapshotClass of Rook's RBD driver.
//   snapshot-controller-crds  (crds tier)       the CRDs (client/config/crd at the tag), server-side applied
//   snapshot-controller       (operators tier)  the controller (deploy/kubernetes/snapshot-controller),
//                                               moved from kube-system into its own namespace
//   snapshot-classes          (resources tier)  the ceph-block VolumeSnapshotClass (snapshot-class.ts)
// On every site with Ceph (its storage nodes), not only with `backup:`: KubeVirt's Snapshot gate (staff
// snapshot a student's VM before grading) needs the same API and class; Velero's `labs` schedule moves
// such snapshots' data off the cluster (docs/decisions.md).
import type { Site } from '../../../inventory/types.ts';
import type { Component, ComponentBuilder, RenderContext } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { ROOK_NAMESPACE } from '../../platform/storage.ts';
import { SCHEMAS } from './schemas.ts';
import { rbdSnapshotClass } from './snapshot-class.ts';

export {
  DEFAULT_CLASS_ANNOTATION,
  SNAPSHOT_CLASS,
  VELERO_CLASS_LABEL,
  rbdDriver,
  rbdSnapshotClass,
} from './snapshot-class.ts';

export const SNAPSHOT_CONTROLLER_NAMESPACE = 'snapshot-controller';

/** The inventory's `backup:` (issue 15) turns Velero on; read as a presence only (its shape is Velero's). */
const hasBackup = (site: Site) => (site as { backup?: unknown }).backup !== undefined;

/** Every CRD the tag's client/config/crd kustomization installs (group snapshot ones too, as upstream does). */
export const CRD_FILES = [
  'snapshot.storage.k8s.io_volumesnapshotclasses.yaml',
  'snapshot.storage.k8s.io_volumesnapshotcontents.yaml',
  'snapshot.storage.k8s.io_volumesnapshots.yaml',
  'groupsnapshot.storage.k8s.io_volumegroupsnapshotclasses.yaml',
  'groupsnapshot.storage.k8s.io_volumegroupsnapshotcontents.yaml',
  'groupsnapshot.storage.k8s.io_volumegroupsnapshots.yaml',
];
export const CONTROLLER_FILES = ['rbac-snapshot-controller.yaml', 'setup-snapshot-controller.yaml'];

/** A file of the pinned external-snapshotter tag. */
export function snapshotterUrl(ctx: Pick<RenderContext, 'versions'>, path: string): string {
  const pin = ctx.versions.components['external-snapshotter'];
  if (!pin?.manifests) throw new Error('gitops/versions.yaml: external-snapshotter has no manifests URL');
  return `${pin.manifests}/${pin.version}/${path}`;
}

export const snapshotController: ComponentBuilder = (ctx): Component[] | null => {
  // Ceph's CSI drivers are the only ones labctl deploys: without storage nodes there is nothing to snapshot.
  if (!ctx.site.nodes.some((n) => n.roles.includes('storage'))) return null;
  return [
    {
      name: 'snapshot-controller-crds',
      namespace: SNAPSHOT_CONTROLLER_NAMESPACE,
      tier: 'crds',
      remoteManifests: CRD_FILES.map((f) => snapshotterUrl(ctx, `client/config/crd/${f}`)),
      syncOptions: ['ServerSideApply=true'],
      clusterResources: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }],
    },
    {
      name: 'snapshot-controller',
      namespace: SNAPSHOT_CONTROLLER_NAMESPACE,
      tier: 'operators',
      remoteManifests: CONTROLLER_FILES.map((f) => snapshotterUrl(ctx, `deploy/kubernetes/snapshot-controller/${f}`)),
      kustomizeNamespace: SNAPSHOT_CONTROLLER_NAMESPACE,
    },
    {
      // After the CRDs (crds tier) and Rook's operator, which creates the driver (operators tier).
      name: 'snapshot-classes',
      namespace: ROOK_NAMESPACE,
      tier: 'resources',
      manifests: [rbdSnapshotClass({ rookNamespace: ROOK_NAMESPACE, velero: hasBackup(ctx.site) })],
      // Cluster-scoped, and a kind render does not know the scope of: the resources project must allow it.
      clusterResources: [{ group: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshotClass' }],
    },
  ];
};

export const component = defineComponent({
  name: 'snapshot-controller',
  build: snapshotController,
  crdSchemas: SCHEMAS,
});
