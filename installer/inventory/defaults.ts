// Derived defaults: a pure function from the file's Inventory to the Site every command consumes.
// Runs only after the schema check passed, so shapes are known; cross-field problems are left to rules.
import type { Inventory, Site, SiteNode } from './types.ts';
import { pinnedVersions, minorOf } from '../core/versions.ts';
import { firstUsable } from '../core/ip.ts';

export const DEFAULTS = {
  podCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/12',
  gitRevision: 'main',
  ssh: { user: 'root', port: 22, privateKeyFile: '~/.ssh/id_ed25519' },
  storage: { failureDomain: 'host' as const, replicas: 3 },
  retention: '15d',
  logRetention: '14d',
  workingHours: { days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const, start: '08:00', end: '18:00' },
  labsPath: 'labs',
  overcommit: { cpu: 4, memory: 1.0 },
};

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
  const k8sVersion = inv.kubernetes.version ?? pinnedVersions().kubernetes.default;
  const minor = minorOf(k8sVersion);
  const gitRevision = inv.site.gitRevision ?? DEFAULTS.gitRevision;
  const rackSubnet = new Map(inv.racks.map((r) => [r.name, r.subnet]));
  const sshDefaults = { ...DEFAULTS.ssh, ...inv.ssh };
  const nodes: SiteNode[] = inv.nodes.map((n, index) => ({
    ...n,
    subnet: n.subnet ?? rackSubnet.get(n.rack) ?? '',
    disks: (n.disks ?? []).map((d) => (typeof d === 'string' ? d : d.path)),
    diskSizesGiB: (n.disks ?? []).map((d) => (typeof d === 'string' || !d.size ? undefined : sizeGiB(d.size))),
    ssh: { ...sshDefaults, ...n.ssh },
    index,
  }));
  const pools = inv.bgp.pools.map((p) => ({ ...p, autoAssign: p.autoAssign ?? true }));
  const ingressPool = inv.ingress?.pool ?? pools[0]!.name;
  const poolCidr = pools.find((p) => p.name === ingressPool)?.cidr;
  const domain = inv.site.domain;
  return {
    file,
    inventory: inv,
    site: { gitRevision, gitBrowseUrl: inv.site.gitBrowseUrl ?? browseUrl(inv.site.gitRepo, gitRevision), ...inv.site } as Site['site'],
    network: {
      podCidr: DEFAULTS.podCidr, serviceCidr: DEFAULTS.serviceCidr, ntpServers: [], aptProxy: '', ...inv.network,
    },
    kubernetes: {
      version: k8sVersion,
      packageRepo: inv.kubernetes.packageRepo ?? `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`,
      containerdPackage: inv.kubernetes.containerdPackage ?? 'containerd',
      ...inv.kubernetes,
      minor,
    } as Site['kubernetes'],
    racks: inv.racks,
    nodes,
    bgp: {
      clusterAsn: inv.bgp.clusterAsn,
      routers: inv.bgp.routers.map((r) => ({ ...r, bfd: r.bfd ?? false, racks: r.racks ?? inv.racks.map((x) => x.name) })),
      calicoPeers: inv.bgp.calicoPeers ?? [],
      pools,
    },
    ingress: {
      controller: inv.ingress?.controller ?? 'ingress-nginx',
      pool: ingressPool,
      address: inv.ingress?.address ?? (poolCidr ? firstUsable(poolCidr) : ''),
    },
    tls: inv.tls,
    identity: { ...inv.identity, realm: inv.identity.realm ?? inv.site.name },
    registry: {
      hostname: inv.registry?.hostname ?? `harbor.${domain}`,
      projects: (inv.registry?.projects ?? [{ name: 'labs' }]).map((p) => ({ name: p.name, public: p.public ?? false })),
      proxyCaches: (inv.registry?.proxyCaches ?? []).map((p) => ({ ...p, type: p.type ?? 'docker-registry' })),
    },
    storage: { ...DEFAULTS.storage, ...inv.storage },
    monitoring: {
      ...inv.monitoring,
      retention: inv.monitoring?.retention ?? DEFAULTS.retention,
      logRetention: inv.monitoring?.logRetention ?? DEFAULTS.logRetention,
      receivers: inv.monitoring?.receivers ?? [],
      workingHours: inv.monitoring?.workingHours ?? { ...DEFAULTS.workingHours, days: [...DEFAULTS.workingHours.days] },
      maintenanceWindows: inv.monitoring?.maintenanceWindows ?? [],
      labHours: inv.monitoring?.labHours ?? inv.monitoring?.workingHours ?? { ...DEFAULTS.workingHours, days: [...DEFAULTS.workingHours.days] },
    },
    labs: {
      path: inv.labs?.path ?? DEFAULTS.labsPath,
      overcommit: { ...DEFAULTS.overcommit, ...inv.labs?.overcommit },
      courses: inv.labs?.courses ?? [],
      ...(inv.labs?.vmHost ? { vmHost: inv.labs.vmHost } : {}),
    },
    versions: inv.versions ?? {},
    hosts: {
      argocd: `argocd.${domain}`,
      harbor: inv.registry?.hostname ?? `harbor.${domain}`,
      sso: inv.identity.hostname ?? `sso.${domain}`,
      grafana: `grafana.${domain}`,
      labs: `labs.${domain}`,
      api: inv.kubernetes.apiDnsName,
    },
  };
}
