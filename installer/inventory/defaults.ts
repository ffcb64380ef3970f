// Defaults: a pure function from the file's Inventory to the Site every command consumes. The static
// defaults are the schema's own (`default` in schema/, filled in by fillDefaults); what is
// left here is derived from other keys. Runs only after the schema check passed, so shapes are known;
// cross-field problems are left to rules.
import type { Inventory, PlainSectionKey, Site, SiteNode } from './types.ts';
import { inventorySchema } from './schema/index.ts';
import { fillDefaults } from './schema/build.ts';
import { COMPONENT_SECTIONS } from './schema/component-sections.ts';
import { pinnedVersions, minorOf } from '../core/versions.ts';
import { firstUsable } from '../core/ip.ts';

type Defaulted = Inventory &
  Required<Pick<Inventory, 'ssh' | 'ingress' | 'registry' | 'storage' | 'monitoring' | 'labs' | 'versions'>>;

/** The inventory with every declared default filled in (a copy: `inv` itself stays as written). */
export const declaredDefaults = (inv: Inventory): Defaulted => fillDefaults(inventorySchema, inv) as Defaulted;

/** <repo>/-/blob/<rev> for https Git URLs (GitLab/Gitea/Forgejo understand it; GitHub needs gitBrowseUrl). */
export function browseUrl(gitRepo: string, rev: string): string {
  const m = /^https?:\/\/(.+?)(\.git)?$/.exec(gitRepo);
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+?)(\.git)?$/.exec(gitRepo);
  const base = m ? `https://${m[1]}` : ssh ? `https://${ssh[1]}/${ssh[2]}` : gitRepo;
  return `${base}/-/blob/${rev}`;
}

/** "4Ti" -> 4096, "500Gi" -> 500 (the schema allows Gi and Ti only). */
export const sizeGiB = (s: string): number => Number(s.slice(0, -2)) * (s.endsWith('Ti') ? 1024 : 1);

export function withDefaults(inv: Inventory, file: string): Site {
  const d = declaredDefaults(inv);
  const k8sVersion = d.kubernetes.version ?? pinnedVersions().kubernetes.default;
  const minor = minorOf(k8sVersion);
  const gitRevision = d.site.gitRevision!;
  const rackSubnet = new Map(d.racks.map((r) => [r.name, r.subnet]));
  const nodes: SiteNode[] = d.nodes.map((n, index) => ({
    ...n,
    subnet: n.subnet ?? rackSubnet.get(n.rack) ?? '',
    disks: n.disks!.map((x) => (typeof x === 'string' ? x : x.path)),
    diskSizesGiB: n.disks!.map((x) => (typeof x === 'string' || !x.size ? undefined : sizeGiB(x.size))),
    ssh: { ...d.ssh, ...n.ssh } as SiteNode['ssh'],
    index,
  }));
  const pools = d.bgp.pools as Site['bgp']['pools'];
  const ingressPool = d.ingress.pool ?? pools[0]!.name;
  const poolCidr = pools.find((p) => p.name === ingressPool)?.cidr;
  const domain = d.site.domain;
  const monitoring = d.monitoring as Site['monitoring'];
  const out: Omit<Site, PlainSectionKey> = {
    file,
    inventory: inv,
    site: { ...d.site, gitBrowseUrl: d.site.gitBrowseUrl ?? browseUrl(d.site.gitRepo, gitRevision) } as Site['site'],
    network: { aptProxy: '', ...d.network } as Site['network'],
    kubernetes: {
      version: k8sVersion,
      packageRepo: d.kubernetes.packageRepo ?? `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`,
      containerdPackage: d.kubernetes.containerdPackage ?? 'containerd',
      ...d.kubernetes,
      minor,
    } as Site['kubernetes'],
    racks: d.racks,
    nodes,
    bgp: {
      clusterAsn: d.bgp.clusterAsn,
      routers: d.bgp.routers.map((r) => ({ ...r, bfd: r.bfd!, racks: r.racks ?? d.racks.map((x) => x.name) })),
      calicoPeers: d.bgp.calicoPeers!,
      pools,
    },
    ingress: {
      controller: d.ingress.controller!,
      pool: ingressPool,
      address: d.ingress.address ?? (poolCidr ? firstUsable(poolCidr) : ''),
    },
    tls: d.tls,
    identity: { ...d.identity, realm: d.identity.realm ?? d.site.name },
    registry: { ...d.registry, hostname: d.registry.hostname ?? `harbor.${domain}` } as Site['registry'],
    storage: d.storage as Site['storage'],
    monitoring: { ...monitoring, labHours: monitoring.labHours ?? monitoring.workingHours },
    labs: d.labs as Site['labs'],
    ...(d.backup ? { backup: d.backup as Site['backup'] } : {}),
    versions: d.versions,
    hosts: {
      argocd: `argocd.${domain}`,
      harbor: d.registry.hostname ?? `harbor.${domain}`,
      sso: d.identity.hostname ?? `sso.${domain}`,
      grafana: `grafana.${domain}`,
      labs: `labs.${domain}`,
      api: d.kubernetes.apiDnsName,
    },
  };
  // A component's own section (its inventory.ts) without a derivation above: its declared defaults filled in.
  const plain = COMPONENT_SECTIONS.filter(({ key }) => !(key in out)).map(({ key }) => [key, d[key]]);
  return { ...out, ...Object.fromEntries(plain) } as Site;
}
