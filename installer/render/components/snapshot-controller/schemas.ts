// VolumeSnapshotClass (snapshot.storage.k8s.io/v1), generated from the pinned external-snapshotter CRD
// (scripts/crds, source external-snapshotter): the render validates the class this component writes.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { EXTERNAL_SNAPSHOTTER_SCHEMAS } from '../../schemas/generated/external-snapshotter.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...EXTERNAL_SNAPSHOTTER_SCHEMAS };
