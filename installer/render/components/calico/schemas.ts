// Calico BGP resources (projectcalico.org/v3, served by the Calico API server), for the fields the
// platform uses. Written from projectcalico/calico@v3.32.1 libcalico-go/config/crd/
// crd.projectcalico.org_{bgpconfigurations,bgppeers}.yaml (the v1 CRDs back the v3 API with the same
// spec). Both kinds are cluster-scoped; neither has required spec fields upstream.
import { bool, int, obj, str, list, type Schema } from '../../../inventory/schema/dsl.ts';
import { resource } from '../../platform/crd-schema.ts';

const asNumber = (d: string) => int(d, { minimum: 1, maximum: 4294967295 });

const bgpConfiguration = resource(
  'projectcalico.org/v3',
  'BGPConfiguration',
  false,
  obj('Cluster-wide BGP settings (name "default").', {
    asNumber: asNumber('Default AS number of the nodes.'),
    nodeToNodeMeshEnabled: bool('Full iBGP mesh between the nodes.'),
    logSeverityScreen: {
      enum: ['Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal'],
      description: 'BIRD log level (upstream matches case-insensitively).',
    },
    listenPort: int('BGP listen port of the nodes.', { minimum: 1, maximum: 65535 }),
    bindMode: { enum: ['None', 'NodeIP'], description: 'Listen on all addresses (None) or the node IP only.' },
    serviceLoadBalancerIPs: list(
      'Service LoadBalancer CIDRs Calico announces (not used: MetalLB announces).',
      obj('A CIDR.', { cidr: str('CIDR.') }, ['cidr']),
    ),
  }),
  [],
);

const bgpPeer = resource(
  'projectcalico.org/v3',
  'BGPPeer',
  false,
  obj('A BGP peer of (some) nodes.', {
    peerIP: str('Address of the peer, optionally with :port.', { minLength: 1, maxLength: 64 }),
    asNumber: asNumber('AS number of the peer.'),
    node: str('Only this node peers (exclusive with nodeSelector).', { maxLength: 253 }),
    nodeSelector: str('Calico selector of the nodes that peer (e.g. all()).', { maxLength: 4096 }),
    password: obj('TCP-MD5 password of the session.', {
      secretKeyRef: obj(
        "Key of a Secret in calico-node's namespace.",
        {
          name: str('Secret name.', { minLength: 1 }),
          key: str('Key in the Secret.', { minLength: 1 }),
          optional: bool('Whether the Secret may be absent.'),
        },
        ['key'],
      ),
    }),
    keepOriginalNextHop: bool('Keep the original next hop instead of the node.'),
    sourceAddress: { enum: ['UseNodeIP', 'None'], description: 'Source address of the session.' },
    keepaliveTime: str('BGP keepalive time as a duration.'),
  }),
  [],
);

// FelixConfiguration, for the one field pair the platform sets (felixconfig.go at v3.32.1:
// prometheusMetricsEnabled default false, prometheusMetricsPort default 9091). Cluster-scoped.
const felixConfiguration = resource(
  'projectcalico.org/v3',
  'FelixConfiguration',
  false,
  obj('Felix settings (name "default": every node).', {
    prometheusMetricsEnabled: bool("Serve Felix's Prometheus metrics."),
    prometheusMetricsPort: int('Port of the metrics server.', { minimum: 1, maximum: 65535 }),
  }),
  [],
);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'projectcalico.org/v3/FelixConfiguration': felixConfiguration,
  'projectcalico.org/v3/BGPConfiguration': bgpConfiguration,
  'projectcalico.org/v3/BGPPeer': bgpPeer,
};
