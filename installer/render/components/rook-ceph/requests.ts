// What each Ceph daemon asks the scheduler for: rendered into the Rook cluster values (rook-ceph.ts) and
// counted by `labs capacity` and preflight (labs/capacity.ts), so both sides use the same numbers.
export const ROOK_SOURCE = 'rook-ceph-cluster v1.20.6 chart values.yaml';
/** Rook's requests per daemon (the pinned chart's defaults: cephClusterSpec.resources, cephFileSystems[0]
 *  metadataServer.resources, cephObjectStores[0] gateway.resources). */
export const ROOK_REQUESTS = {
  osd: { cpu: 1, memoryMiB: 4096 },
  mon: { cpu: 1, memoryMiB: 1024 },
  mgr: { cpu: 0.6, memoryMiB: 552 }, // mgr 500m/512Mi + mgr-sidecar 100m/40Mi
  mds: { cpu: 1, memoryMiB: 4096 },
  rgw: { cpu: 1, memoryMiB: 1024 },
  perNode: { cpu: 0.15, memoryMiB: 110 }, // crashcollector 100m/60Mi + exporter 50m/50Mi on each Ceph node
};
