// KubeVirt and CDI custom resources: the ones this component writes (the KubeVirt and CDI CRs, the size
// classes), the lab VMs and disks charts/vm-lab makes, and the image catalog's DataSources and
// DataImportCrons. All generated from the pinned upstream CRDs (scripts/crds, sources kubevirt,
// kubevirt-vm and cdi); nothing here is written by hand.
import type { Schema } from '../../../inventory/schema/dsl.ts';
import { CDI_SCHEMAS } from '../../schemas/generated/cdi.ts';
import { KUBEVIRT_VM_SCHEMAS } from '../../schemas/generated/kubevirt-vm.ts';
import { KUBEVIRT_SCHEMAS } from '../../schemas/generated/kubevirt.ts';

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = { ...KUBEVIRT_SCHEMAS, ...KUBEVIRT_VM_SCHEMAS, ...CDI_SCHEMAS };
