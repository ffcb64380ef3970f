// The VolumeSnapshotClass of Rook's RBD driver (the ceph-block StorageClass, where lab VM disks live).
// Velero picks the class of a PVC's driver that carries its label (CSI snapshot data movement of the `labs`
// schedule); KubeVirt and CDI take the driver's default class (VM snapshots, smart clones). Our manifest,
// not the rook-ceph-cluster chart's cephBlockPoolsVolumeSnapshotClass: ArgoCD renders chart output, so
// labctl could not validate the chart's class against the upstream CRD; this one is checked at render.
import type { K8sObject } from '../../model.ts';
import { k8s } from '../../model.ts';
import { ROOK_NAMESPACE } from '../../platform/storage.ts';

export const SNAPSHOT_CLASS = 'ceph-block';
/** The label Velero's CSI support selects a VolumeSnapshotClass by (one per driver). */
export const VELERO_CLASS_LABEL = 'velero.io/csi-volumesnapshot-class';
/** Kubernetes' default-class annotation (per driver): what KubeVirt and CDI look for. */
export const DEFAULT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

/** Rook's RBD CSI driver: `<operator namespace>.rbd.csi.ceph.com` (Rook v1.20 without csiDriverNamePrefix). */
export const rbdDriver = (rookNamespace: string) => `${rookNamespace}.rbd.csi.ceph.com`;

/**
 * The class as Rook documents it (Storage-Configuration/Ceph-CSI/ceph-csi-snapshot, RBD snapshots): clusterID
 * is the CephCluster's namespace, the snapshotter secret the RBD provisioner's. Delete: Velero's data mover
 * deletes its transient snapshot after the upload, and the Ceph snapshot must go with it.
 */
export function rbdSnapshotClass(opts: { rookNamespace?: string; velero: boolean }): K8sObject {
  const rookNamespace = opts.rookNamespace ?? ROOK_NAMESPACE;
  return k8s({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    metadata: {
      name: SNAPSHOT_CLASS,
      // Velero's label only where Velero runs (the inventory's `backup:`): nothing of Velero otherwise.
      ...(opts.velero ? { labels: { [VELERO_CLASS_LABEL]: 'true' } } : {}),
      annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' },
    },
    driver: rbdDriver(rookNamespace),
    parameters: {
      clusterID: rookNamespace,
      'csi.storage.k8s.io/snapshotter-secret-name': 'rook-csi-rbd-provisioner',
      'csi.storage.k8s.io/snapshotter-secret-namespace': rookNamespace,
    },
    deletionPolicy: 'Delete',
  });
}
