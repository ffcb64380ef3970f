// Velero's Schedule, BackupStorageLocation, Backup and Restore (velero.io/v1): generated from the pinned
// upstream CRDs (scripts/crds, source velero). Backup and Restore are what `labctl backup now` and
// `labctl restore` create; the render validates the Schedules and the storage location against them.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { VELERO_SCHEMAS } from '../../schemas/generated/velero.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...VELERO_SCHEMAS };
