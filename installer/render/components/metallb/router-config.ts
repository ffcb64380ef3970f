// The router side of the MetalLB sessions: one FRR configuration per campus router (neighbours = the
// nodes bgp-topology.ts says peer with it), and routers/README.md. Passwords appear only as a commented
// placeholder naming the secret-store entry; fillRouterPassword() is how a filled copy is made.
import type { RepoFile } from '../../model.ts';
import type { Site } from '../../../inventory/types.ts';
import { renderTemplate } from '../../text.ts';
import { peersOf, routerOnLink } from '../../platform/bgp-topology.ts';

/** FRR names (peer-group, prefix-lists) carry the site name so they do not clash on a shared router. */
const frrName = (site: Site, suffix: string) => `K8S-${site.site.name.toUpperCase()}${suffix}`;
const sessions = (n: number) => `${n} BGP session${n === 1 ? '' : 's'}`;

/** FRR's own ECMP limit in Debian builds; a router with more sessions than this uses 64 paths. */
const MAX_ECMP = 64;

export function routerConfig(site: Site, routerName: string): string {
  const router = site.bgp.routers.find((r) => r.name === routerName);
  if (!router) throw new Error(`no router ${routerName} in the inventory`);
  const neighbors = peersOf(site, router).map((n) => ({ address: n.address, node: n.name }));
  return renderTemplate('render/components/metallb/templates/frr-router.conf.hbs', {
    site: site.site.name,
    clusterAsn: site.bgp.clusterAsn,
    router: { name: router.name, address: router.address, asn: router.asn },
    racks: router.racks,
    group: frrName(site, ''),
    poolsList: frrName(site, '-LB-POOLS'),
    noneList: frrName(site, '-NONE'),
    passwordRef: router.passwordRef ?? '',
    bfd: router.bfd,
    multihop: !routerOnLink(site, router),
    neighbors,
    sessions: sessions(neighbors.length),
    pools: site.bgp.pools.map((p, i) => ({ seq: (i + 1) * 10, cidr: p.cidr })),
    maxPaths: Math.min(MAX_ECMP, Math.max(1, neighbors.length)),
  });
}

export function routerFiles(site: Site): RepoFile[] {
  const files = site.bgp.routers.map((r) => ({
    path: `routers/${r.name}.frr.conf`,
    content: routerConfig(site, r.name),
  }));
  files.push({
    path: 'routers/README.md',
    content: renderTemplate('render/components/metallb/templates/routers-readme.md.hbs', {
      site: site.site.name,
      domain: site.site.domain,
      clusterAsn: site.bgp.clusterAsn,
      group: frrName(site, ''),
      pools: site.bgp.pools.map((p) => `${p.name} ${p.cidr}`),
      routers: site.bgp.routers.map((r) => ({
        name: r.name,
        address: r.address,
        asn: r.asn,
        bfd: r.bfd,
        sessions: sessions(peersOf(site, r).length),
      })),
    }),
  });
  return files;
}

const PLACEHOLDER = /^(\s*)! (neighbor \S+ password) <secret-store:([^>\s]+)>$/gm;

/** The secret-store entries a rendered router configuration needs. */
export const passwordRefs = (conf: string): string[] => [...conf.matchAll(PLACEHOLDER)].map((m) => m[3]!);

/**
 * Turns the commented password placeholder into the real FRR line, with the value of the named
 * secret-store entry. For the copy that goes onto the router, never for the repository.
 */
export function fillRouterPassword(conf: string, lookup: (ref: string) => string): string {
  return conf.replace(PLACEHOLDER, (_m, indent: string, cmd: string, ref: string) => {
    const value = lookup(ref);
    // FRR takes the password as one word; Linux TCP-MD5 keys are at most 80 bytes.
    if (!/^\S{1,80}$/.test(value))
      throw new Error(`secret-store entry ${ref} is not usable as a BGP password (one word, 1-80 characters)`);
    return `${indent}${cmd} ${value}`;
  });
}
