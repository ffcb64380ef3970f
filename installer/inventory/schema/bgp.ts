import { obj, list, label, ipv4, cidr4, bool, asn, secretRef, opt, dflt } from './build.ts';

const router = obj('A campus router MetalLB peers with.', {
  name: label('Name of the router.'),
  address: ipv4('Router address reachable from the peering nodes.'),
  asn: asn('AS number of the router (2-byte or 4-byte).'),
  passwordRef: opt(secretRef('TCP-MD5 password of the session. Default: no password.')),
  bfd: dflt(bool('Enable BFD on the session.'), false),
  racks: opt(
    list('Racks whose nodes peer with this router. Default: all racks', label('A rack name.'), { uniqueItems: true }),
  ),
});

const calicoPeer = obj('A router Calico peers with to export pod routes.', {
  name: label('Name of the peer.'),
  address: ipv4('Peer address.'),
  asn: asn('AS number of the peer.'),
  passwordRef: opt(secretRef('TCP-MD5 password of the session. Default: no password.')),
});

const pool = obj('A LoadBalancer address pool.', {
  name: label('Name of the pool.'),
  cidr: cidr4('IPv4 CIDR of the pool.'),
  autoAssign: dflt(bool('Whether Services get addresses from it without asking for the pool by name.'), true),
});

export const bgp = obj(
  "BGP: the cluster's AS, the routers MetalLB announces LoadBalancer addresses to, and the pools.",
  {
    clusterAsn: asn("The cluster's own AS number."),
    routers: list('Campus routers MetalLB peers with.', router, { minItems: 1 }),
    calicoPeers: dflt(list('Routers Calico peers with to export pod routes; never one of `routers`.', calicoPeer), []),
    pools: list('LoadBalancer address pools.', pool, { minItems: 1 }),
  },
);
