// Schemas for the custom resources that no @kubernetes-models package covers, keyed
// `<apiVersion>/<Kind>`. Each module is written from the upstream CRD (see its header for the source)
// and covers the fields the platform uses; objects are closed so a typo in a builder fails the render.
import type { Schema } from '../../inventory/schema/dsl.ts';

export const CRD_SCHEMAS: Record<string, Schema> = {};

/** Registers schemas; each schema module calls this at import time. */
export function register(schemas: Record<string, Schema>): void {
  Object.assign(CRD_SCHEMAS, schemas);
}
