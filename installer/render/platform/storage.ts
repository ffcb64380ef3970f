// The storage contract: the StorageClasses and the S3 object store Rook-Ceph provides and other components
// consume (databases, Harbor, Loki, VM disks). Components import these names from here, never from rook-ceph.

export const ROOK_NAMESPACE = 'rook-ceph';
export const STORAGE_CLASSES = { block: 'ceph-block', filesystem: 'ceph-filesystem', bucket: 'ceph-bucket' } as const;
export const OBJECT_STORE = {
  name: 'ceph-objectstore',
  /** In-cluster S3 endpoint of the RGW Service Rook creates (rook-ceph-rgw-<store>). */
  endpoint: `http://rook-ceph-rgw-ceph-objectstore.${ROOK_NAMESPACE}.svc`,
  region: 'us-east-1',
} as const;
/** Namespaces whose CephObjectStoreUsers the object store accepts (Harbor owns its bucket through one). */
export const OBJECT_USER_NAMESPACES = ['harbor'];

/** ArgoCD must never prune or delete the CephCluster: deleting it destroys the cluster's data. */
export const NEVER_PRUNE = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };
