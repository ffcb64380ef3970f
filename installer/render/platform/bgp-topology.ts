// Who peers with whom: the one place both ends of the MetalLB sessions are derived from, so the
// BGPPeer node selectors (cluster side) and the neighbour lists (router side) can never disagree.
import type { Site, SiteNode } from '../../inventory/types.ts';
import { contains } from '../../core/ip.ts';
import { announcesLoadBalancers } from '../../inventory/roles.ts';

export const METALLB_NAMESPACE = 'metallb-system';
/** Set on every node by the bootstrap (one value per rack); the BGPPeer node selectors use it. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/**
 * kubeadm puts this label on every control-plane node, and MetalLB announces nothing from a node that
 * carries it; such nodes therefore do not peer either (and the routers do not list them). The bootstrap
 * removes it from control planes that run workloads (inventory/roles.ts).
 */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** BFD timers of the one profile routers with `bfd: true` use (ms; 3 x 300 ms = 0.9 s to detect a failure). */
export const BFD = { profile: 'campus-routers', receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 };

type Router = Site['bgp']['routers'][number];

/** Nodes that announce LoadBalancer addresses: those that run workloads (inventory/roles.ts). */
export const speakerNodes = (site: Site): SiteNode[] => site.nodes.filter((n) => announcesLoadBalancers(site, n));

/** The nodes that open a session to `router`: speakers in the router's racks, in inventory order. */
export const peersOf = (site: Site, router: Router): SiteNode[] =>
  speakerNodes(site).filter((n) => router.racks.includes(n.rack));

/** Secret (in MetalLB's namespace) holding the TCP-MD5 password of a router's sessions. */
export const routerSecretName = (router: Router) => `bgp-${router.name}`;

/** The subnet CIDR of each node, for Calico's address autodetection and the encapsulation choice. */
export function nodeSubnetCidrs(site: Site): string[] {
  const byName = new Map(site.network.subnets.map((s) => [s.name, s.cidr]));
  const used = new Set(site.nodes.map((n) => byName.get(n.subnet)).filter((c): c is string => !!c));
  return site.network.subnets.map((s) => s.cidr).filter((c) => used.has(c));
}

/** Whether a router is directly connected to all its peers (one hop); otherwise sessions need multi-hop. */
export const routerOnLink = (site: Site, router: Router): boolean => {
  const byName = new Map(site.network.subnets.map((s) => [s.name, s.cidr]));
  return peersOf(site, router).every((n) => {
    const c = byName.get(n.subnet);
    return !!c && contains(c, router.address);
  });
};
