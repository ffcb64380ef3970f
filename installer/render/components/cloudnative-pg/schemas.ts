// CloudNativePG Cluster (postgresql.cnpg.io/v1): generated from the pinned upstream CRD (scripts/crds, source
// cloudnative-pg). Nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { CLOUDNATIVE_PG_SCHEMAS } from '../../schemas/generated/cloudnative-pg.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...CLOUDNATIVE_PG_SCHEMAS };
