// MetalLB custom resources (IPAddressPool, BGPPeer v1beta2, BFDProfile, BGPAdvertisement): generated from the
// pinned upstream CRDs (scripts/crds, source metallb). Nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { METALLB_SCHEMAS } from '../../schemas/generated/metallb.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...METALLB_SCHEMAS };
