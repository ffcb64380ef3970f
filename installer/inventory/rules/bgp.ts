// BGP: valid AS numbers, and never two speakers (Calico and MetalLB) towards one router.
import type { Rule } from './context.ts';
import type { PathSeg } from '../../core/yaml-source.ts';
import { announcesLoadBalancers } from '../roles.ts';

const RESERVED: Record<number, string> = {
  0: 'reserved (RFC 7607)',
  23456: 'AS_TRANS, reserved for 4-byte ASN transition (RFC 6793)',
  65535: 'reserved (RFC 7300)',
  4294967295: 'reserved (RFC 7300)',
};
const isPrivate = (n: number) => (n >= 64512 && n <= 65534) || (n >= 4200000000 && n <= 4294967294);
const isDocumentation = (n: number) => (n >= 64496 && n <= 64511) || (n >= 65536 && n <= 65551);

function checkAsn(ctx: Parameters<Rule>[0], path: PathSeg[], asn: number, own: boolean) {
  if (RESERVED[asn])
    ctx.error(path, `AS number ${asn} is ${RESERVED[asn]}`, 'use a private ASN: 64512-65534 or 4200000000-4294967294');
  else if (isDocumentation(asn)) ctx.warn(path, `AS number ${asn} is reserved for documentation (RFC 5398)`);
  else if (own && !isPrivate(asn))
    ctx.warn(
      path,
      `cluster AS number ${asn} is a public ASN; unless the university owns it, use a private one (64512-65534)`,
    );
}

export const asns: Rule = (ctx) => {
  const { bgp } = ctx.site;
  checkAsn(ctx, ['bgp', 'clusterAsn'], bgp.clusterAsn, true);
  bgp.routers.forEach((r, i) => checkAsn(ctx, ['bgp', 'routers', i, 'asn'], r.asn, false));
  bgp.calicoPeers.forEach((r, i) => checkAsn(ctx, ['bgp', 'calicoPeers', i, 'asn'], r.asn, false));
};

/**
 * A router in the cluster's own AS is an iBGP neighbour. MetalLB speaks iBGP too, so it is no error, but the
 * design assumes eBGP (docs/decisions.md, "Calico and MetalLB BGP"): the router side render writes
 * (routers/<name>.frr.conf) spreads each address over the nodes with FRR's `maximum-paths`, which counts eBGP
 * paths only, and an iBGP router passes what it learns to its other iBGP neighbours only as a route reflector.
 * Often a copied ASN, so said where it is written.
 */
export const ibgpRouters: Rule = (ctx) => {
  const { bgp } = ctx.site;
  bgp.routers.forEach((r, i) => {
    if (r.asn !== bgp.clusterAsn) return;
    ctx.warn(
      ['bgp', 'routers', i, 'asn'],
      `router ${r.name} has the cluster's own AS number (bgp.clusterAsn ${bgp.clusterAsn}), so MetalLB's sessions with it are iBGP: ` +
        `routers/${r.name}.frr.conf spreads each LoadBalancer address over the nodes with maximum-paths, which counts only eBGP paths, so the router would send each address to one node, ` +
        `and it passes the pool routes on to its other iBGP neighbours only as a route reflector. Calico never peers with bgp.routers, so its node-to-node mesh is not affected`,
      `if ${r.name} is not in the cluster's AS, set its asn to the AS it has, or give the cluster a private AS number of its own (bgp.clusterAsn, 64512-65534, none of the routers' asn); if iBGP is meant, the router needs "maximum-paths ibgp" and to reflect or redistribute the pool routes`,
    );
  });
};

/**
 * A router accepts one BGP session per node address. If Calico and MetalLB both peered with it, the
 * second session would be rejected as a duplicate (MetalLB docs, "Calico"): we let MetalLB own the
 * router sessions and allow Calico only towards other routers (docs/decisions.md).
 */
export const oneSpeakerPerRouter: Rule = (ctx) => {
  const { bgp } = ctx.site;
  bgp.calicoPeers.forEach((p, i) => {
    const j = bgp.routers.findIndex((r) => r.address === p.address);
    if (j >= 0) {
      ctx.error(
        ['bgp', 'calicoPeers', i, 'address'],
        `router ${p.address} is peered by both Calico (calicoPeers[${i}]) and MetalLB (${ctx.owner(['bgp', 'routers', j, 'address'])}); a router accepts only one BGP session per node, so one of the two would never come up`,
        'MetalLB announces the LoadBalancer pools to bgp.routers; give Calico a different router (e.g. a spine) or remove the calicoPeers entry',
      );
    }
  });
};

/**
 * Speakers are the nodes that run workloads (inventory/roles.ts): kubeadm labels control-plane nodes
 * exclude-from-external-load-balancers and MetalLB neither announces nor peers from them, unless the
 * bootstrap removed the label because they take workloads. The BGPPeer node selectors and the router
 * neighbour lists (render/components/bgp-topology.ts) use the same definition.
 */
export const routersReachRacks: Rule = (ctx) => {
  const { site } = ctx;
  const served = new Set(site.bgp.routers.flatMap((r) => r.racks));
  const speakers = site.nodes.filter((n) => announcesLoadBalancers(site, n));
  const racksWithSpeakers = new Set(speakers.map((n) => n.rack));
  site.inventory.racks.forEach((r, i) => {
    if (racksWithSpeakers.has(r.name) && !served.has(r.name)) {
      ctx.warn(
        ['racks', i, 'name'],
        `no BGP router serves rack ${r.name}; its nodes will not announce LoadBalancer addresses`,
      );
    }
  });
  const sessions = site.bgp.routers.map((r) => speakers.filter((n) => r.racks.includes(n.rack)));
  if (site.bgp.routers.length > 0 && sessions.every((s) => s.length === 0)) {
    // Nothing announces the pools: every LoadBalancer address (the ingress first) would be unreachable.
    const excluded = site.nodes
      .filter((n) => served.has(n.rack) && !announcesLoadBalancers(site, n))
      .map((n) => n.name);
    ctx.error(
      ['bgp', 'routers'],
      `no node can announce the LoadBalancer pools (${site.bgp.pools.map((p) => `${p.name} ${p.cidr}`).join(', ')}) to any router: ` +
        (excluded.length
          ? `the nodes in the routers' racks (${excluded.join(', ')}) are control-plane only, and kubeadm labels them node.kubernetes.io/exclude-from-external-load-balancers`
          : `no node is in a rack the routers serve (${[...served].join(', ')})`) +
        `; the ingress address ${site.ingress.address} would be unreachable`,
      'give a node in a served rack the worker or vm-host role (control planes that run workloads announce), or set bgp.routers[].racks to racks with such nodes',
    );
    return;
  }
  site.bgp.routers.forEach((r, i) => {
    if (sessions[i]!.length === 0) {
      ctx.warn(
        ['bgp', 'routers', i, 'name'],
        `router ${r.name} would have no BGP session: its racks (${r.racks.join(', ')}) hold no node that runs workloads, and control-plane-only nodes do not announce LoadBalancer addresses`,
      );
    }
  });
};
