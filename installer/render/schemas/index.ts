// Schemas for the custom resources that no @kubernetes-models package covers, keyed
// `<apiVersion>/<Kind>`: gathered from the components (each declares its own in components/<name>/
// schemas.ts, written from the upstream CRD; see its header for the source). Objects are closed so a typo
// in a builder fails the render.
import type { Schema } from '../../inventory/schema/dsl.ts';
import { COMPONENTS } from '../components/index.ts';
import { gatherSchemas } from '../platform/component.ts';

export const CRD_SCHEMAS: Record<string, Schema> = gatherSchemas(COMPONENTS);
