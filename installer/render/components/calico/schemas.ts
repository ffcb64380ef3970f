// Calico's BGPConfiguration, BGPPeer and FelixConfiguration (projectcalico.org/v3, cluster-scoped): generated
// from the pinned upstream CRDs (scripts/crds, source calico). Nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { CALICO_SCHEMAS } from '../../schemas/generated/calico.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...CALICO_SCHEMAS };
