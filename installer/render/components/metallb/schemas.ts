// MetalLB custom resources, for the fields the platform uses. Written from the upstream CRDs at
// metallb/metallb@v0.16.1 config/crd/bases/metallb.io_{ipaddresspools,bgppeers,bfdprofiles,bgpadvertisements}.yaml:
// BGPPeer v1beta2 is the storage version (v1beta1 is deprecated), the others are v1beta1. All are namespaced
// and must live in MetalLB's namespace.
import { bool, int, list, obj, str, type Schema } from '../../../inventory/schema/dsl.ts';
import { labelSelector, resource } from '../../platform/crd-schema.ts';

const u32 = (d: string) => int(d, { minimum: 0, maximum: 4294967295 });
const names = (d: string) => list(d, str('A name.', { minLength: 1 }));

const ipAddressPool = resource(
  'metallb.io/v1beta1',
  'IPAddressPool',
  true,
  obj(
    'Addresses MetalLB may hand out.',
    {
      addresses: list('Ranges: CIDRs or from-to ranges.', str('A CIDR or a range a.b.c.d-e.f.g.h.', { minLength: 1 }), {
        minItems: 1,
      }),
      autoAssign: bool('Whether Services get addresses from this pool without asking for it. Upstream default true.'),
      avoidBuggyIPs: bool('Skip addresses ending in .0 and .255.'),
    },
    ['addresses'],
  ),
);

const bgpPeer = resource(
  'metallb.io/v1beta2',
  'BGPPeer',
  true,
  obj(
    'A BGP session the speakers open.',
    {
      myASN: u32('AS number of the local (cluster) end.'),
      peerASN: u32('AS number expected from the router; exclusive with dynamicASN.'),
      peerAddress: str('Address the speakers dial.', { minLength: 1 }),
      peerPort: int('TCP port of the router.', { minimum: 1, maximum: 16384 }),
      holdTime: str('BGP hold time as a duration (e.g. 90s).'),
      keepaliveTime: str('BGP keepalive time as a duration.'),
      connectTime: str('Wait between connection attempts, as a duration.'),
      ebgpMultiHop: bool('Whether the router is more than one hop away.'),
      bfdProfile: str('Name of a BFDProfile for this session.', { minLength: 1 }),
      passwordSecret: obj(
        'Secret (type kubernetes.io/basic-auth, key "password") holding the TCP-MD5 password; same namespace as MetalLB.',
        {
          name: str('Secret name.', { minLength: 1 }),
          namespace: str('Secret namespace.'),
        },
        ['name'],
      ),
      nodeSelectors: list('Only nodes matching one of these selectors open the session.', labelSelector),
      enableGracefulRestart: bool('Keep forwarding while the speaker restarts.'),
    },
    ['myASN'],
  ),
);

const bfdProfile = resource(
  'metallb.io/v1beta1',
  'BFDProfile',
  true,
  obj('BFD timers shared by sessions.', {
    receiveInterval: int('Minimum receive interval in ms.', { minimum: 10, maximum: 60000 }),
    transmitInterval: int('Minimum transmit interval in ms.', { minimum: 10, maximum: 60000 }),
    detectMultiplier: int('Packets lost before the session is declared down.', { minimum: 2, maximum: 255 }),
    echoMode: bool('Echo mode.'),
    echoInterval: int('Echo interval in ms.', { minimum: 10, maximum: 60000 }),
    passiveMode: bool('Wait for the peer to start BFD.'),
    minimumTtl: int('Minimum TTL (multi-hop only).', { minimum: 1, maximum: 254 }),
  }),
  [],
);

const bgpAdvertisement = resource(
  'metallb.io/v1beta1',
  'BGPAdvertisement',
  true,
  obj('How the addresses of pools are announced.', {
    ipAddressPools: names('Pools announced, by name.'),
    ipAddressPoolSelectors: list('Pools announced, by label.', labelSelector),
    aggregationLength: int('Prefix length of the announcements (32 = one route per address).', {
      minimum: 1,
      maximum: 32,
    }),
    localPref: u32('LOCAL_PREF (iBGP only).'),
    communities: list('BGP communities attached.', str('A community (aa:bb) or a Community object name.')),
    peers: names('Only these BGPPeers get the announcement (empty = all).'),
    nodeSelectors: list('Nodes that announce as next hops.', labelSelector),
  }),
  [],
);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'metallb.io/v1beta1/IPAddressPool': ipAddressPool,
  'metallb.io/v1beta2/BGPPeer': bgpPeer,
  'metallb.io/v1beta1/BFDProfile': bfdProfile,
  'metallb.io/v1beta1/BGPAdvertisement': bgpAdvertisement,
};
