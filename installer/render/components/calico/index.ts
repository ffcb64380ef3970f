// Calico through the tigera-operator: the CRD chart (crds tier; server-side apply because some CRDs are
// too large for client-side apply), the operator chart whose values become the Installation CR (the
// chart renders Installation/APIServer from them), and, only when the inventory names calicoPeers,
// the BGPConfiguration and BGPPeers for those routers (never the campus routers MetalLB peers with:
// docs/decisions.md, "Calico and MetalLB BGP").
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { Component, ComponentBuilder, K8sObject, SecretNeed } from '../../model.ts';
import { k8s } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { SCHEMAS } from './schemas.ts';
import type { Site } from '../../../inventory/types.ts';
import { nodeSubnetCidrs } from '../../platform/bgp-topology.ts';
import { felixMetricsObjects } from './metrics.ts';

const OPERATOR_NAMESPACE = 'tigera-operator';
/** Where the operator runs calico-node; BGP password Secrets must live here (confd reads its own namespace). */
const CALICO_NAMESPACE = 'calico-system';

export type Encapsulation = 'None' | 'VXLANCrossSubnet';

export interface NetworkPlan {
  encapsulation: Encapsulation;
  bgp: 'Enabled' | 'Disabled';
  subnets: string[];
}

/**
 * One subnet: pods are routed natively and the node-to-node BGP mesh distributes the routes.
 * Routed racks (nodes in more than one subnet): VXLAN between subnets, native within one; Felix programs
 * those routes itself, so BGP is only switched on when Calico has peers of its own (bgp.calicoPeers).
 */
export function networkPlan(site: Site): NetworkPlan {
  const subnets = nodeSubnetCidrs(site);
  const encapsulation: Encapsulation = subnets.length > 1 ? 'VXLANCrossSubnet' : 'None';
  const bgp = encapsulation === 'None' || site.bgp.calicoPeers.length > 0 ? 'Enabled' : 'Disabled';
  return { encapsulation, bgp, subnets };
}

export function tigeraOperatorValues(site: Site): Record<string, unknown> {
  const plan = networkPlan(site);
  const prefix = Number(site.network.podCidr.split('/')[1]);
  return {
    installation: {
      enabled: true,
      // No registry mirror: Harbor runs on the pod network Calico provides, so Calico cannot pull through it.
      calicoNetwork: {
        bgp: plan.bgp,
        linuxDataplane: 'Iptables',
        ipPools: [
          {
            name: 'default-ipv4',
            cidr: site.network.podCidr, // equals kubeadm's networking.podSubnet
            encapsulation: plan.encapsulation,
            natOutgoing: 'Enabled', // pod traffic leaves with the node's address: the campus has no routes to pods
            blockSize: Math.max(26, prefix),
            nodeSelector: 'all()',
          },
        ],
        // Pick the address in the inventory's node subnets, not a lab bridge or a VM's tap device.
        nodeAddressAutodetectionV4: { cidrs: plan.subnets },
      },
    },
    apiServer: { enabled: true }, // serves projectcalico.org/v3 (BGPConfiguration, BGPPeer)
    // The flow-log UI is not part of the platform; a site can switch it on in its inventory fork.
    goldmane: { enabled: false },
    whisker: { enabled: false },
    // The CRDs belong to the calico-crds Application alone; the operator must not apply its own copies.
    manageCRDs: false,
  };
}

// Local types for Calico's projectcalico.org/v3 kinds (schemas/calico.ts validates them).
export interface CalicoBGPConfiguration {
  apiVersion: 'projectcalico.org/v3';
  kind: 'BGPConfiguration';
  metadata: { name: 'default' };
  spec: { asNumber: number; nodeToNodeMeshEnabled: boolean };
}
export interface CalicoBGPPeer {
  apiVersion: 'projectcalico.org/v3';
  kind: 'BGPPeer';
  metadata: { name: string };
  spec: {
    peerIP: string;
    asNumber: number;
    nodeSelector: string;
    password?: { secretKeyRef: { name: string; key: string } };
  };
}

const peerSecretName = (name: string) => `bgp-${name}`;

export function calicoBgpObjects(site: Site): K8sObject[] {
  const peers = site.bgp.calicoPeers;
  if (!peers.length) return [];
  const config: CalicoBGPConfiguration = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPConfiguration',
    metadata: { name: 'default' },
    // The mesh stays on: it carries pod routes between nodes whatever the spine does with them.
    spec: { asNumber: site.bgp.clusterAsn, nodeToNodeMeshEnabled: true },
  };
  const bgpPeers = peers.map(
    (p): CalicoBGPPeer => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'BGPPeer',
      metadata: { name: p.name },
      spec: {
        peerIP: p.address,
        asNumber: p.asn,
        nodeSelector: 'all()',
        ...(p.passwordRef ? { password: { secretKeyRef: { name: peerSecretName(p.name), key: 'password' } } } : {}),
      },
    }),
  );
  const secrets = peers
    .filter((p) => p.passwordRef)
    .map((p) => peerSecretName(p.name))
    .sort();
  const rbac: K8sObject[] = secrets.length
    ? [
        k8s<IRole>({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'calico-node-bgp-passwords', namespace: CALICO_NAMESPACE },
          rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: ['get', 'list', 'watch'] }],
        }),
        k8s<IRoleBinding>({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'calico-node-bgp-passwords', namespace: CALICO_NAMESPACE },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'calico-node-bgp-passwords' },
          subjects: [{ kind: 'ServiceAccount', name: 'calico-node', namespace: CALICO_NAMESPACE }],
        }),
      ]
    : [];
  return [config as unknown as K8sObject, ...bgpPeers.map((b) => b as unknown as K8sObject), ...rbac];
}

function calicoSecrets(site: Site): SecretNeed[] {
  return site.bgp.calicoPeers
    .filter((p) => p.passwordRef)
    .map((p) => ({
      ref: p.passwordRef!,
      namespace: CALICO_NAMESPACE,
      name: peerSecretName(p.name),
      key: 'password',
      generate: { kind: 'external' },
      purpose: `TCP-MD5 password of Calico's BGP sessions to ${p.name} (${p.address}); must match that router`,
    }));
}

const PSA_PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

export const calico: ComponentBuilder = ({ site }) => {
  const out: Component[] = [
    {
      name: 'calico-crds',
      namespace: OPERATOR_NAMESPACE,
      tier: 'crds',
      chart: { component: 'calico-crds', values: {} },
      syncOptions: ['ServerSideApply=true'],
    },
    {
      name: 'tigera-operator',
      namespace: OPERATOR_NAMESPACE,
      tier: 'operators',
      namespaceLabels: PSA_PRIVILEGED, // the operator runs with host networking
      chart: { component: 'tigera-operator', values: tigeraOperatorValues(site) },
      clusterResources: [
        { group: 'operator.tigera.io', kind: 'Installation' },
        { group: 'operator.tigera.io', kind: 'APIServer' },
      ],
    },
  ];
  out.push({
    name: 'calico-metrics',
    namespace: CALICO_NAMESPACE,
    tier: 'resources',
    manifests: felixMetricsObjects(),
    // projectcalico.org/v3 is served by Calico's API server, which exists only once Calico runs.
    syncOptions: ['SkipDryRunOnMissingResource=true'],
    clusterResources: [{ group: 'projectcalico.org', kind: 'FelixConfiguration' }],
  });
  const bgp = calicoBgpObjects(site);
  if (bgp.length) {
    out.push({
      name: 'calico-bgp',
      namespace: CALICO_NAMESPACE,
      tier: 'resources',
      manifests: bgp,
      // projectcalico.org/v3 is served by Calico's API server, which exists only once Calico runs.
      syncOptions: ['SkipDryRunOnMissingResource=true'],
      clusterResources: [
        { group: 'projectcalico.org', kind: 'BGPConfiguration' },
        { group: 'projectcalico.org', kind: 'BGPPeer' },
      ],
      secrets: calicoSecrets(site),
    });
  }
  return out;
};

export const component = defineComponent({ name: 'calico', build: calico, alerts, crdSchemas: SCHEMAS });
