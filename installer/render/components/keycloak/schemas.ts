// The Keycloak operator's Keycloak CR (k8s.keycloak.org/v2alpha1): generated from the upstream CRD (scripts/crds,
// source keycloak; stored tag 26.0.0 for the pin 26.6.0, see sources.ts). Nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { KEYCLOAK_SCHEMAS } from '../../schemas/generated/keycloak.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...KEYCLOAK_SCHEMAS };
