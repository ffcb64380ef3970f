// KubeVirt and CDI: the operators from their pinned upstream release manifests (no upstream Helm chart
// exists; ArgoCD syncs them through kustomize), then their CRs and the cluster-wide instance types of the
// lab size classes. The CRs wait for the operators' CRDs (operators tier first); the instance-type CRD
// is created by virt-operator at run time, hence SkipDryRunOnMissingResource.
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { STORAGE_CLASSES } from '../../platform/storage.ts';
import { CLONER_ROLE } from '../../platform/labs.ts';
import { effectiveOvercommit } from '../../../labs/capacity.ts';
import { SIZE_CLASSES, instancetypeName } from '../../../labs/sizes.ts';
import type { Component, ComponentBuilder, K8sObject, RenderContext } from '../../model.ts';
import { k8s } from '../../model.ts';
import { VM_HOST_SELECTOR } from '../../platform/scheduling.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { SCHEMAS } from './schemas.ts';

export const KUBEVIRT_NAMESPACE = 'kubevirt';
export const CDI_NAMESPACE = 'cdi';
const LABELS = { 'app.kubernetes.io/part-of': 'campus-lab-platform', 'app.kubernetes.io/component': 'kubevirt' };
/**
 * Gates the labs rely on. Both are beta in KubeVirt 1.9 (on by default) and listed so a later default
 * change does not silently take them away: Snapshot (staff snapshot a student's VM before grading),
 * KubevirtSeccompProfile (virt-launcher under a seccomp profile). No alpha gate is needed.
 */
export const FEATURE_GATES = ['KubevirtSeccompProfile', 'Snapshot'];

function releaseUrl(ctx: RenderContext, component: 'kubevirt' | 'cdi', file: string): string {
  const pin = ctx.versions.components[component];
  if (!pin?.manifests) throw new Error(`gitops/versions.yaml: ${component} has no manifests URL`);
  return `${pin.manifests}/${pin.version}/${file}`;
}

export function kubevirtResources(ctx: RenderContext): K8sObject[] {
  const oc = effectiveOvercommit(ctx.site);
  const kubevirt: K8sObject = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'KubeVirt',
    metadata: { name: 'kubevirt', namespace: KUBEVIRT_NAMESPACE, labels: LABELS },
    spec: {
      configuration: {
        developerConfiguration: {
          featureGates: FEATURE_GATES,
          // The same overcommit `labctl labs capacity` and the vm-lab chart's quotas assume.
          cpuAllocationRatio: oc.cpuAllocationRatio,
          memoryOvercommit: oc.memoryOvercommitPercent,
        },
        // A node drain live-migrates students' VMs instead of killing them (the default is None);
        // "IfPossible": a VM that cannot migrate (RWO disk) is evicted rather than blocking the drain.
        evictionStrategy: 'LiveMigrateIfPossible',
      },
      // virt-handler (and with it every VM: KubeVirt schedules VMs only where it runs) on VM hosts only;
      // the label comes from the inventory's vm-host role at join (installer/cluster/artifacts.ts).
      workloads: { nodePlacement: { nodeSelector: { ...VM_HOST_SELECTOR } } },
      // Removing the CR must never delete students' VMs.
      uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
      workloadUpdateStrategy: { workloadUpdateMethods: ['LiveMigrate'] },
    },
  };
  const cdi: K8sObject = {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'CDI',
    metadata: { name: 'cdi', labels: LABELS },
    spec: {
      config: { scratchSpaceStorageClass: STORAGE_CLASSES.block, featureGates: [] },
      uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
    },
  };
  const types: K8sObject[] = Object.entries(SIZE_CLASSES).map(([size, c]) => ({
    apiVersion: 'instancetype.kubevirt.io/v1beta1',
    kind: 'VirtualMachineClusterInstancetype',
    metadata: {
      name: instancetypeName(size),
      labels: LABELS,
      annotations: { 'labctl.dev/description': c.description },
    },
    spec: { cpu: { guest: c.cpu }, memory: { guest: c.memory } },
  }));
  return [kubevirt, cdi, ...types];
}

export function clonerRole(): K8sObject {
  const role: IClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: CLONER_ROLE, labels: LABELS },
    rules: [{ apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes/source'], verbs: ['create'] }],
  };
  return k8s(role);
}

export const kubevirt: ComponentBuilder = (ctx): Component[] => [
  {
    name: 'kubevirt',
    namespace: KUBEVIRT_NAMESPACE,
    tier: 'operators',
    remoteManifests: [releaseUrl(ctx, 'kubevirt', 'kubevirt-operator.yaml')],
    // The KubeVirt CRD is too big for client-side apply's last-applied annotation.
    syncOptions: ['ServerSideApply=true'],
    clusterResources: [
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'scheduling.k8s.io', kind: 'PriorityClass' },
    ],
  },
  {
    name: 'cdi',
    namespace: CDI_NAMESPACE,
    tier: 'operators',
    remoteManifests: [releaseUrl(ctx, 'cdi', 'cdi-operator.yaml')],
    syncOptions: ['ServerSideApply=true'],
    clusterResources: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }],
  },
  {
    name: 'kubevirt-config',
    namespace: KUBEVIRT_NAMESPACE,
    tier: 'resources',
    manifests: [...kubevirtResources(ctx), clonerRole()],
    syncOptions: ['SkipDryRunOnMissingResource=true'],
    clusterResources: [
      { group: 'cdi.kubevirt.io', kind: 'CDI' },
      { group: 'instancetype.kubevirt.io', kind: 'VirtualMachineClusterInstancetype' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    ],
  },
];

export const component = defineComponent({ name: 'kubevirt', build: kubevirt, alerts, crdSchemas: SCHEMAS });
