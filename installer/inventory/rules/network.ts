// Addresses and ranges: no overlaps, every address where it belongs, nothing used twice.
import type { Rule } from './context.ts';
import type { PathSeg } from '../../core/yaml-source.ts';
import { canonical, contains, hasHostBits, overlaps, firstUsable } from '../../core/ip.ts';

interface Range {
  cidr: string;
  path: PathSeg[];
  what: string;
}

export const cidrHostBits: Rule = (ctx) => {
  for (const r of ranges(ctx.site)) {
    if (hasHostBits(r.cidr)) ctx.error(r.path, `${r.cidr} has host bits set`, `did you mean ${canonical(r.cidr)}?`);
  }
  // The campus networks labs may not reach: not among the ranges above, as they may overlap the site's own
  // (a BMC network holding a node subnet is fine), but a host address typed with the prefix is a mistake too.
  (ctx.site.labs.protectedCidrs ?? []).forEach((c, i) => {
    if (hasHostBits(c))
      ctx.error(['labs', 'protectedCidrs', i], `${c} has host bits set`, `did you mean ${canonical(c)}?`);
    // Every address: it swallows the platform's own ranges, and the chart's internet rule (0.0.0.0/0) can
    // except only a smaller range, so a lab with internet: true reached every address, the nodes included.
    else if (c.endsWith('/0'))
      ctx.error(
        ['labs', 'protectedCidrs', i],
        `${c} is every address: the internet rule of a lab with internet: true (0.0.0.0/0) cannot except it, so such a lab would reach every address, the platform's own included`,
        'list the campus networks themselves; a lab that must reach nothing outside leaves network.internet false',
      );
  });
};

function ranges(site: import('../types.ts').Site): Range[] {
  const inv = site.inventory;
  return [
    ...inv.network.subnets.map((s, i) => ({
      cidr: s.cidr,
      path: ['network', 'subnets', i, 'cidr'] as PathSeg[],
      what: `subnet ${s.name}`,
    })),
    { cidr: site.network.podCidr, path: ['network', 'podCidr'], what: 'the pod CIDR' },
    { cidr: site.network.serviceCidr, path: ['network', 'serviceCidr'], what: 'the service CIDR' },
    ...inv.bgp.pools.map((p, i) => ({
      cidr: p.cidr,
      path: ['bgp', 'pools', i, 'cidr'] as PathSeg[],
      what: `LoadBalancer pool ${p.name}`,
    })),
  ];
}

export const cidrOverlaps: Rule = (ctx) => {
  const all = ranges(ctx.site);
  for (let i = 0; i < all.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = all[i]!,
        b = all[j]!;
      if (overlaps(a.cidr, b.cidr)) {
        ctx.error(a.path, `${a.what} ${a.cidr} overlaps ${b.what} ${b.cidr} at ${ctx.owner(b.path)}`);
      }
    }
  }
};

export const addresses: Rule = (ctx) => {
  const { site } = ctx;
  const subnets = new Map(site.inventory.network.subnets.map((s, i) => [s.name, { ...s, i }]));
  // Every address in the inventory, so a collision names both owners.
  const used = new Map<string, PathSeg[]>();
  const claim = (ip: string, path: PathSeg[], what: string) => {
    const prev = used.get(ip);
    if (prev) ctx.error(path, `${what} ${ip} is already used by ${ctx.owner(prev)}`);
    else used.set(ip, path);
  };
  site.inventory.network.subnets.forEach((s, i) => {
    if (!contains(s.cidr, s.gateway))
      ctx.error(['network', 'subnets', i, 'gateway'], `gateway ${s.gateway} is not inside subnet ${s.name} ${s.cidr}`);
    claim(s.gateway, ['network', 'subnets', i, 'gateway'], 'gateway');
  });
  site.nodes.forEach((n) => {
    const path: PathSeg[] = ['nodes', n.index, 'address'];
    const sn = subnets.get(n.subnet);
    if (sn && !contains(sn.cidr, n.address)) {
      const fit = site.inventory.network.subnets.find((s) => contains(s.cidr, n.address));
      ctx.error(
        path,
        `${n.address} is not inside subnet ${sn.name} ${sn.cidr} of node ${n.name}`,
        fit
          ? `the address is in subnet ${fit.name}; set nodes[${n.index}].subnet: ${fit.name} or fix the address`
          : undefined,
      );
    } else if (sn && n.address === canonical(sn.cidr).split('/')[0]) {
      ctx.error(path, `${n.address} is the network address of subnet ${sn.name} ${sn.cidr}`);
    }
    claim(n.address, path, 'address');
  });
  const vip = site.kubernetes.apiVip;
  claim(vip, ['kubernetes', 'apiVip'], 'API VIP');
  const cps = site.nodes.filter((n) => n.roles.includes('control-plane'));
  for (const cp of cps) {
    const sn = subnets.get(cp.subnet);
    if (sn && !contains(sn.cidr, vip)) {
      ctx.error(
        ['kubernetes', 'apiVip'],
        `API VIP ${vip} is not inside subnet ${sn.name} ${sn.cidr} of control-plane node ${cp.name}; kube-vip moves the VIP by ARP, so it must share the control-plane nodes' subnet`,
      );
      break;
    }
  }
  // A node whose rack is not known has no subnet: that is its rack's error, not a second subnet here.
  const cpSubnets = new Set(cps.filter((n) => subnets.has(n.subnet)).map((n) => n.subnet));
  if (cpSubnets.size > 1) {
    const [a, b] = [...cpSubnets];
    const other = cps.find((n) => n.subnet === b)!;
    ctx.error(
      ['nodes', other.index, 'subnet'],
      `control-plane node ${other.name} is in subnet ${b} but other control-plane nodes are in ${a}; the API VIP needs all control-plane nodes in one subnet (one L2 segment)`,
    );
  }
  site.bgp.routers.forEach((r, i) => {
    if (site.nodes.some((n) => n.address === r.address))
      claim(r.address, ['bgp', 'routers', i, 'address'], 'router address');
  });
  // The ingress address must come from its pool.
  const pool = site.bgp.pools.find((p) => p.name === site.ingress.pool);
  if (pool && site.inventory.ingress?.address !== undefined && !contains(pool.cidr, site.ingress.address)) {
    ctx.error(
      ['ingress', 'address'],
      `ingress address ${site.ingress.address} is not inside pool ${pool.name} ${pool.cidr}`,
      `e.g. ${firstUsable(pool.cidr)}`,
    );
  }
};

/**
 * Addresses outside the cluster that nodes or pods must reach: inside the pod or service CIDR, packets to
 * them would be routed into the cluster (Calico's routes, kube-proxy's service rules) and never leave.
 */
export const externalAddresses: Rule = (ctx) => {
  const { site } = ctx;
  const internal = [
    { cidr: site.network.podCidr, path: ['network', 'podCidr'] as PathSeg[], what: 'the pod CIDR' },
    { cidr: site.network.serviceCidr, path: ['network', 'serviceCidr'] as PathSeg[], what: 'the service CIDR' },
  ];
  const ip = /^\d+\.\d+\.\d+\.\d+$/;
  const outside: { ip: string; path: PathSeg[]; what: string }[] = [
    ...site.network.dnsServers.map((a, i) => ({
      ip: a,
      path: ['network', 'dnsServers', i] as PathSeg[],
      what: 'DNS server',
    })),
    ...site.network.ntpServers
      .filter((a) => ip.test(a))
      .map((a) => ({
        ip: a,
        path: ['network', 'ntpServers', site.network.ntpServers.indexOf(a)] as PathSeg[],
        what: 'NTP server',
      })),
    ...site.network.subnets.map((s, i) => ({
      ip: s.gateway,
      path: ['network', 'subnets', i, 'gateway'] as PathSeg[],
      what: `gateway of subnet ${s.name}`,
    })),
    ...site.bgp.routers.map((r, i) => ({
      ip: r.address,
      path: ['bgp', 'routers', i, 'address'] as PathSeg[],
      what: `BGP router ${r.name}`,
    })),
    ...site.bgp.calicoPeers.map((r, i) => ({
      ip: r.address,
      path: ['bgp', 'calicoPeers', i, 'address'] as PathSeg[],
      what: `Calico peer ${r.name}`,
    })),
  ];
  for (const o of outside) {
    const r = internal.find((x) => contains(x.cidr, o.ip));
    // Inside a node subnet that overlaps the range: cidrOverlaps already reports the cause, once.
    if (r && !site.network.subnets.some((s) => contains(s.cidr, o.ip) && overlaps(s.cidr, r.cidr))) {
      ctx.error(
        o.path,
        `${o.what} ${o.ip} is inside ${r.what} ${r.cidr} (${ctx.source.has(r.path) ? ctx.owner(r.path) : 'the default'}); traffic to it would be routed into the cluster and never reach it`,
        `move ${r.what} (network.${r.path[1]}) to a range the campus does not use`,
      );
    }
  }
};
