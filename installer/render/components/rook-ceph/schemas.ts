// Rook's custom resources we write directly (the CephCluster and pools come from the rook-ceph-cluster chart):
// CephObjectStoreUser (ceph.rook.io/v1) and ObjectBucketClaim (objectbucket.io/v1alpha1), generated from the
// pinned upstream CRDs (scripts/crds, source rook-ceph). Nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { ROOK_CEPH_SCHEMAS } from '../../schemas/generated/rook-ceph.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...ROOK_CEPH_SCHEMAS };
