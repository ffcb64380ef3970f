// BGP: valid AS numbers, and never two speakers (Calico and MetalLB) towards one router.
import type { Rule } from './context.ts';
import type { PathSeg } from '../../core/yaml-source.ts';

const RESERVED: Record<number, string> = {
  0: 'reserved (RFC 7607)',
  23456: 'AS_TRANS, reserved for 4-byte ASN transition (RFC 6793)',
  65535: 'reserved (RFC 7300)',
  4294967295: 'reserved (RFC 7300)',
};
const isPrivate = (n: number) => (n >= 64512 && n <= 65534) || (n >= 4200000000 && n <= 4294967294);
const isDocumentation = (n: number) => (n >= 64496 && n <= 64511) || (n >= 65536 && n <= 65551);

function checkAsn(ctx: Parameters<Rule>[0], path: PathSeg[], asn: number, own: boolean) {
  if (RESERVED[asn]) ctx.error(path, `AS number ${asn} is ${RESERVED[asn]}`, 'use a private ASN: 64512-65534 or 4200000000-4294967294');
  else if (isDocumentation(asn)) ctx.warn(path, `AS number ${asn} is reserved for documentation (RFC 5398)`);
  else if (own && !isPrivate(asn)) ctx.warn(path, `cluster AS number ${asn} is a public ASN; unless the university owns it, use a private one (64512-65534)`);
}

export const asns: Rule = (ctx) => {
  const { bgp } = ctx.site;
  checkAsn(ctx, ['bgp', 'clusterAsn'], bgp.clusterAsn, true);
  bgp.routers.forEach((r, i) => checkAsn(ctx, ['bgp', 'routers', i, 'asn'], r.asn, false));
  bgp.calicoPeers.forEach((r, i) => checkAsn(ctx, ['bgp', 'calicoPeers', i, 'asn'], r.asn, false));
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
      ctx.error(['bgp', 'calicoPeers', i, 'address'],
        `router ${p.address} is peered by both Calico (calicoPeers[${i}]) and MetalLB (${ctx.owner(['bgp', 'routers', j, 'address'])}); a router accepts only one BGP session per node, so one of the two would never come up`,
        'MetalLB announces the LoadBalancer pools to bgp.routers; give Calico a different router (e.g. a spine) or remove the calicoPeers entry');
    }
  });
};

/**
 * Speakers are the nodes without the control-plane role: kubeadm labels control-plane nodes
 * exclude-from-external-load-balancers, so MetalLB neither announces nor peers from them
 * (render/components/bgp-topology.ts uses the same definition for both ends of the sessions).
 */
export const routersReachRacks: Rule = (ctx) => {
  const { site } = ctx;
  const served = new Set(site.bgp.routers.flatMap((r) => r.racks));
  const racksWithSpeakers = new Set(site.nodes.filter((n) => !n.roles.includes('control-plane')).map((n) => n.rack));
  site.inventory.racks.forEach((r, i) => {
    if (racksWithSpeakers.has(r.name) && !served.has(r.name)) {
      ctx.warn(['racks', i, 'name'], `no BGP router serves rack ${r.name}; its nodes will not announce LoadBalancer addresses`);
    }
  });
  site.bgp.routers.forEach((r, i) => {
    if (!r.racks.some((rack) => racksWithSpeakers.has(rack))) {
      ctx.warn(['bgp', 'routers', i, 'name'], `router ${r.name} would have no BGP session: its racks (${r.racks.join(', ')}) hold no node without the control-plane role, and control-plane nodes do not announce LoadBalancer addresses`);
    }
  });
};
