// Rook-Ceph: the operator chart, and the rook-ceph-cluster chart whose CephCluster takes ONLY the disks the
// inventory names (useAllNodes/useAllDevices off, by-id paths per storage node), a replicated block pool
// as the default StorageClass, a CephFS (ReadWriteMany, for VM live migration) and an object store with a
// bucket StorageClass. Values follow rook v1.20.6 deploy/charts/{rook-ceph,rook-ceph-cluster}/values.yaml.
import type { Site } from '../../../inventory/types.ts';
import type { Component, ComponentBuilder } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { dashboards } from './dashboards.ts';
import { SCHEMAS } from './schemas.ts';
import { ROOK_REQUESTS } from './requests.ts';
import { PRIORITY } from '../../platform/scheduling.ts';

/** Requests of one Ceph daemon, the numbers `labs capacity` counts (rook-requests.ts). Our file system and
 *  object store lists replace the chart's, and with them its default requests, so they are set here. */
const daemonResources = (r: { cpu: number; memoryMiB: number }) => ({
  requests: { cpu: `${Math.round(r.cpu * 1000)}m`, memory: `${r.memoryMiB}Mi` },
});

export {
  ROOK_NAMESPACE,
  STORAGE_CLASSES,
  OBJECT_STORE,
  OBJECT_USER_NAMESPACES,
  NEVER_PRUNE,
} from '../../platform/storage.ts';
import {
  ROOK_NAMESPACE,
  STORAGE_CLASSES,
  OBJECT_STORE,
  OBJECT_USER_NAMESPACES,
  NEVER_PRUNE,
} from '../../platform/storage.ts';

const PSA_PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

/**
 * The CRUSH failure domain for the inventory's. Racks are labelled topology.kubernetes.io/zone=<rack> on
 * their nodes (the bootstrap does this for every node), and Rook turns that label into a CRUSH bucket of
 * type "zone" (Rook docs, CephCluster CRD "OSD Topology"), so a rack failure domain is CRUSH type zone.
 */
export function crushFailureDomain(site: Site): 'host' | 'zone' {
  return site.storage.failureDomain === 'rack' ? 'zone' : 'host';
}
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Storage nodes and their disks, exactly as the inventory lists them (kubernetes.io/hostname = node name). */
export function storageNodes(site: Site): { name: string; useAllDevices: false; devices: { name: string }[] }[] {
  return site.nodes
    .filter((n) => n.roles.includes('storage') && n.disks.length > 0)
    .map((n) => ({ name: n.name, useAllDevices: false as const, devices: n.disks.map((d) => ({ name: d })) }));
}

const csiParams = (kind: 'rbd' | 'cephfs') => ({
  'csi.storage.k8s.io/provisioner-secret-name': `rook-csi-${kind}-provisioner`,
  'csi.storage.k8s.io/provisioner-secret-namespace': ROOK_NAMESPACE,
  'csi.storage.k8s.io/controller-expand-secret-name': `rook-csi-${kind}-provisioner`,
  'csi.storage.k8s.io/controller-expand-secret-namespace': ROOK_NAMESPACE,
  'csi.storage.k8s.io/node-stage-secret-name': `rook-csi-${kind}-node`,
  'csi.storage.k8s.io/node-stage-secret-namespace': ROOK_NAMESPACE,
  'csi.storage.k8s.io/fstype': 'ext4',
});

export function rookClusterValues(site: Site, cephImage: { repository: string; tag: string }): Record<string, unknown> {
  const failureDomain = crushFailureDomain(site);
  const size = site.storage.replicas;
  const replicated = { failureDomain, replicated: { size } };
  const racks = new Set(site.nodes.map((n) => n.rack)).size;
  const monCount = site.nodes.length >= 3 ? 3 : 1;
  return {
    operatorNamespace: ROOK_NAMESPACE,
    clusterName: ROOK_NAMESPACE,
    cephClusterMetadata: { annotations: NEVER_PRUNE },
    cephImage: { ...cephImage, allowUnsupported: false },
    // PrometheusRules and ServiceMonitors: the monitoring CRDs are installed in the crds wave.
    monitoring: { enabled: true, createPrometheusRules: true },
    toolbox: { enabled: true },
    cephClusterSpec: {
      dataDirHostPath: '/var/lib/rook',
      mon: { count: monCount, allowMultiplePerNode: false },
      mgr: { count: site.nodes.length >= 2 ? 2 : 1, allowMultiplePerNode: false },
      dashboard: { enabled: true, ssl: true },
      placement: {
        // One mon per rack where there are enough racks; otherwise spread as well as possible.
        mon: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: ZONE_LABEL,
              whenUnsatisfiable: racks >= monCount ? 'DoNotSchedule' : 'ScheduleAnyway',
              labelSelector: { matchLabels: { app: 'rook-ceph-mon' } },
            },
          ],
        },
      },
      // Never "all nodes" or "all devices": only the by-id disks of the inventory's storage nodes.
      storage: { useAllNodes: false, useAllDevices: false, nodes: storageNodes(site) },
    },
    cephBlockPools: [
      {
        name: 'ceph-blockpool',
        spec: replicated,
        storageClass: {
          enabled: true,
          name: STORAGE_CLASSES.block,
          isDefault: true,
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
          volumeBindingMode: 'Immediate',
          parameters: { imageFormat: '2', imageFeatures: 'layering', ...csiParams('rbd') },
        },
      },
    ],
    cephFileSystems: [
      {
        name: 'ceph-filesystem',
        spec: {
          metadataPool: replicated,
          dataPools: [{ name: 'data0', ...replicated }],
          preserveFilesystemOnDelete: true,
          metadataServer: {
            activeCount: 1,
            activeStandby: true,
            priorityClassName: 'system-cluster-critical',
            resources: daemonResources(ROOK_REQUESTS.mds),
          },
        },
        // ReadWriteMany volumes (VM live migration, shared course data).
        storageClass: {
          enabled: true,
          isDefault: false,
          name: STORAGE_CLASSES.filesystem,
          pool: 'data0',
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
          volumeBindingMode: 'Immediate',
          parameters: csiParams('cephfs'),
        },
      },
    ],
    cephObjectStores: [
      {
        name: OBJECT_STORE.name,
        spec: {
          metadataPool: replicated,
          // Replicated like the other pools: erasure coding 2+1 would need three failure domains.
          dataPool: { ...replicated, parameters: { bulk: 'true' } },
          preservePoolsOnDelete: true,
          allowUsersInNamespaces: OBJECT_USER_NAMESPACES,
          gateway: {
            port: 80,
            instances: 2,
            priorityClassName: 'system-cluster-critical',
            resources: daemonResources(ROOK_REQUESTS.rgw),
          },
        },
        // Retain: deleting an ObjectBucketClaim must not delete the images in its bucket.
        storageClass: {
          enabled: true,
          name: STORAGE_CLASSES.bucket,
          reclaimPolicy: 'Retain',
          volumeBindingMode: 'Immediate',
          parameters: { region: OBJECT_STORE.region },
        },
        ingress: { enabled: false },
        route: { enabled: false },
      },
    ],
  };
}

export const rookCeph: ComponentBuilder = ({ site, versions }) => {
  if (!site.nodes.some((n) => n.roles.includes('storage'))) return null;
  const ceph = versions.components.ceph;
  if (!ceph?.image) throw new Error('gitops/versions.yaml: components.ceph.image is missing');
  const operator: Component = {
    name: 'rook-ceph',
    namespace: ROOK_NAMESPACE,
    tier: 'operators',
    namespaceLabels: PSA_PRIVILEGED,
    // The Ceph CRDs are large; client-side apply would exceed the annotation size limit.
    syncOptions: ['ServerSideApply=true'],
    chart: {
      component: 'rook-ceph',
      values: {
        // Only ever true: turning CRD management off later can destroy the cluster (values.yaml warning).
        crds: { enabled: true },
        // The operator heals storage; mon/osd/mgr keep the cluster chart's system-*-critical classes.
        priorityClassName: PRIORITY.platformCritical.name,
        monitoring: { enabled: true },
        enableDiscoveryDaemon: false,
        csi: { installCsiOperator: true },
        // Harbor's bucket is owned by its own CephObjectStoreUser (bucketOwner), see components/harbor.ts.
        obcAllowAdditionalConfigFields: 'maxObjects,maxSize,bucketOwner',
      },
    },
  };
  const cluster: Component = {
    name: 'rook-ceph-cluster',
    namespace: ROOK_NAMESPACE,
    tier: 'resources',
    namespaceLabels: PSA_PRIVILEGED,
    chart: {
      component: 'rook-ceph-cluster',
      values: rookClusterValues(site, { repository: ceph.image, tag: ceph.version }),
    },
    clusterResources: [{ group: 'storage.k8s.io', kind: 'StorageClass' }],
  };
  return [operator, cluster];
};

export const component = defineComponent({
  name: 'rook-ceph',
  build: rookCeph,
  alerts,
  dashboards,
  crdSchemas: SCHEMAS,
});
