// MetalLB in BGP mode: the chart (operators tier, with the frr-k8s backend that is the 0.16 default) and
// our configuration (resources tier, after the chart's CRDs and webhook are up): one IPAddressPool and
// one BGPAdvertisement per inventory pool, one BGPPeer per campus router, one BFD profile.
// MetalLB owns the sessions to the campus routers; Calico never peers with them (docs/decisions.md,
// "Calico and MetalLB BGP"). The router side of the same sessions is written by router-config.ts.
import type { Component, ComponentBuilder, K8sObject, SecretNeed } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { dashboards } from './dashboards.ts';
import { SCHEMAS } from './schemas.ts';
import type { Site } from '../../../inventory/types.ts';
import {
  BFD,
  EXCLUDE_LB_LABEL,
  METALLB_NAMESPACE,
  ZONE_LABEL,
  routerOnLink,
  routerSecretName,
} from '../../platform/bgp-topology.ts';
import { routerFiles } from './router-config.ts';
import { dnsZoneFile } from './dns-zone.ts';

const PSA_PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

// Local types for the MetalLB CRDs (schemas/metallb.ts validates them).
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
interface Meta {
  name: string;
  namespace: string;
}
export interface IPAddressPool {
  apiVersion: 'metallb.io/v1beta1';
  kind: 'IPAddressPool';
  metadata: Meta;
  spec: { addresses: string[]; autoAssign: boolean };
}
export interface BGPPeer {
  apiVersion: 'metallb.io/v1beta2';
  kind: 'BGPPeer';
  metadata: Meta;
  spec: {
    myASN: number;
    peerASN: number;
    peerAddress: string;
    passwordSecret?: { name: string; namespace: string };
    bfdProfile?: string;
    ebgpMultiHop?: boolean;
    nodeSelectors: Selector[];
  };
}
export interface BFDProfile {
  apiVersion: 'metallb.io/v1beta1';
  kind: 'BFDProfile';
  metadata: Meta;
  spec: { receiveInterval: number; transmitInterval: number; detectMultiplier: number };
}
export interface BGPAdvertisement {
  apiVersion: 'metallb.io/v1beta1';
  kind: 'BGPAdvertisement';
  metadata: Meta;
  spec: { ipAddressPools: string[]; aggregationLength: number };
}

const meta = (name: string): Meta => ({ name, namespace: METALLB_NAMESPACE });
const asObject = (o: object) => o as K8sObject;

export function metallbObjects(site: Site): {
  pools: IPAddressPool[];
  peers: BGPPeer[];
  bfd: BFDProfile[];
  adverts: BGPAdvertisement[];
} {
  const { bgp } = site;
  const pools = bgp.pools.map(
    (p): IPAddressPool => ({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: meta(p.name),
      spec: { addresses: [p.cidr], autoAssign: p.autoAssign },
    }),
  );
  // One route per address: the campus routers learn /32s and spread traffic over every announcing node.
  const adverts = bgp.pools.map(
    (p): BGPAdvertisement => ({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: meta(p.name),
      spec: { ipAddressPools: [p.name], aggregationLength: 32 },
    }),
  );
  const peers = bgp.routers.map(
    (r): BGPPeer => ({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: meta(r.name),
      spec: {
        myASN: bgp.clusterAsn,
        peerASN: r.asn,
        peerAddress: r.address,
        ...(r.passwordRef ? { passwordSecret: { name: routerSecretName(r), namespace: METALLB_NAMESPACE } } : {}),
        ...(r.bfd ? { bfdProfile: BFD.profile } : {}),
        ...(routerOnLink(site, r) ? {} : { ebgpMultiHop: true }),
        // The bootstrap labels each node topology.kubernetes.io/zone=<rack>: only the nodes of the racks
        // this router serves peer with it. Control-plane nodes carry kubeadm's exclude label and stay out,
        // exactly like the neighbour list router-config.ts writes for the router.
        nodeSelectors: [
          {
            matchExpressions: [
              { key: ZONE_LABEL, operator: 'In', values: [...r.racks].sort() },
              { key: EXCLUDE_LB_LABEL, operator: 'DoesNotExist' },
            ],
          },
        ],
      },
    }),
  );
  const bfd: BFDProfile[] = bgp.routers.some((r) => r.bfd)
    ? [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'BFDProfile',
          metadata: meta(BFD.profile),
          spec: {
            receiveInterval: BFD.receiveInterval,
            transmitInterval: BFD.transmitInterval,
            detectMultiplier: BFD.detectMultiplier,
          },
        },
      ]
    : [];
  return { pools, peers, bfd, adverts };
}

export function metallbSecrets(site: Site): SecretNeed[] {
  return site.bgp.routers
    .filter((r) => r.passwordRef)
    .map((r) => ({
      ref: r.passwordRef!,
      namespace: METALLB_NAMESPACE,
      name: routerSecretName(r),
      key: 'password',
      // The router's password is configured on the router by the campus network team: the site supplies it.
      generate: { kind: 'external' },
      type: 'kubernetes.io/basic-auth',
      purpose: `TCP-MD5 password of the BGP sessions to router ${r.name} (${r.address}); must match the router`,
    }));
}

export const metallb: ComponentBuilder = ({ site }): Component[] => {
  const o = metallbObjects(site);
  return [
    {
      name: 'metallb',
      namespace: METALLB_NAMESPACE,
      tier: 'operators',
      namespaceLabels: PSA_PRIVILEGED, // speakers and frr-k8s run with host networking and NET_ADMIN
      chart: {
        component: 'metallb',
        values: {
          crds: { enabled: true, validationFailurePolicy: 'Fail' },
          frrk8s: { enabled: true, external: false }, // the 0.16 default; FRR mode is deprecated
          speaker: { enabled: true, frr: { enabled: false }, tolerateMaster: true },
          // kube-prometheus-stack's Prometheus reads every namespace and may GET /metrics: no extra RBAC.
          prometheus: { rbacPrometheus: false, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
          'frr-k8s': { prometheus: { serviceMonitor: { enabled: true } } },
        },
      },
      // The controller injects its CA into the conversion webhook of the BGPPeer CRD and into the
      // validating webhooks at run time; without this ArgoCD would undo it on every sync.
      ignoreDifferences: [
        {
          group: 'apiextensions.k8s.io',
          kind: 'CustomResourceDefinition',
          name: 'bgppeers.metallb.io',
          jsonPointers: ['/spec/conversion/webhook/clientConfig/caBundle'],
        },
        {
          group: 'admissionregistration.k8s.io',
          kind: 'ValidatingWebhookConfiguration',
          jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
        },
      ],
    },
    {
      name: 'metallb-config',
      namespace: METALLB_NAMESPACE,
      tier: 'resources',
      manifests: [...o.pools, ...o.bfd, ...o.peers, ...o.adverts].map(asObject),
      secrets: metallbSecrets(site),
      // What the campus side needs for LoadBalancer addresses to work: router configs and DNS records.
      files: [...routerFiles(site), dnsZoneFile(site)],
    },
  ];
};

export const component = defineComponent({ name: 'metallb', build: metallb, alerts, dashboards, crdSchemas: SCHEMAS });
