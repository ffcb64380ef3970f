// The inventory as written in the file (after schema validation). Optional keys are optional here;
// `defaults.ts` turns this into a `Site` where every default is filled in.
export type Role = 'control-plane' | 'vm-host' | 'storage' | 'worker';
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export interface SshSettings { user?: string; port?: number; privateKeyFile?: string; jumpHost?: string; knownHostsFile?: string; hostKeys?: string[] }
export interface Subnet { name: string; cidr: string; gateway: string; vlan?: number }
export interface Rack { name: string; subnet: string }
export interface Node {
  name: string; rack: string; address: string; roles: Role[];
  subnet?: string; disks?: (string | { path: string; size?: string })[]; interface?: string; ssh?: SshSettings;
  /** CPU threads and memory (e.g. 512Gi), for labs capacity. */
  cpu?: number; memory?: string;
}
export interface Router { name: string; address: string; asn: number; passwordRef?: string; bfd?: boolean; racks?: string[] }
export interface CalicoPeer { name: string; address: string; asn: number; passwordRef?: string }
export interface Pool { name: string; cidr: string; autoAssign?: boolean }
export type TlsMode = 'acme-http01' | 'acme-dns01' | 'internal-ca';
export type ReceiverType = 'email' | 'webhook' | 'slack' | 'msteams' | 'matrix' | 'ntfy';
export interface Receiver { name: string; type: ReceiverType; to?: string; urlRef?: string }
export interface RosterEntry { name: string; email?: string; pageUrlRef?: string }
export interface Override { from: string; to: string; person: string; reason?: string }
export interface MaintenanceWindow { name: string; weekdays: Weekday[]; start: string; end: string }
export interface Course { name: string; title?: string; staff?: string[] }

export interface Inventory {
  apiVersion: 1;
  site: { name: string; domain: string; timezone: string; gitRepo: string; gitRevision?: string; gitBrowseUrl?: string };
  network: { subnets: Subnet[]; podCidr?: string; serviceCidr?: string; dnsServers: string[]; ntpServers?: string[]; aptProxy?: string };
  kubernetes: { version?: string; apiVip: string; apiDnsName: string; packageRepo?: string; containerdPackage?: string; releaseMirror?: string };
  ssh?: SshSettings;
  racks: Rack[];
  nodes: Node[];
  bgp: { clusterAsn: number; routers: Router[]; calicoPeers?: CalicoPeer[]; pools: Pool[] };
  ingress?: { controller?: 'ingress-nginx' | 'calico-gateway'; pool?: string; address?: string };
  tls: {
    mode: TlsMode;
    acme?: { server: string; email: string };
    rfc2136?: { nameserver: string; tsigKeyName: string; tsigAlgorithm?: string; tsigSecretRef: string };
    internalCa?: { commonName: string; keyPairRef: string };
  };
  identity: {
    realm?: string; hostname?: string; admins: string[];
    federation?: {
      ldap?: { url: string; bindDn: string; bindPasswordRef: string; usersDn: string; usernameAttribute?: string };
      saml?: { alias: string; metadataUrl: string };
      oidc?: { alias: string; issuer: string; clientId: string; clientSecretRef: string };
    };
  };
  registry?: {
    hostname?: string;
    projects?: { name: string; public?: boolean }[];
    proxyCaches?: { name: string; upstream: string; type?: 'docker-hub' | 'docker-registry' | 'quay' | 'github-ghcr' }[];
  };
  storage?: { failureDomain?: 'host' | 'rack'; replicas?: number };
  monitoring?: {
    retention?: string; logRetention?: string;
    receivers?: Receiver[];
    smtp?: { smarthost: string; from: string; username?: string; passwordRef?: string };
    teamReceiver?: string;
    workingHours?: { days: Weekday[]; start: string; end: string };
    labHours?: { days: Weekday[]; start: string; end: string };
    heartbeatUrlRef?: string;
    oncall?: {
      roster: RosterEntry[];
      rotation: { start: string; handoverDay?: Weekday; handoverTime?: string; order?: string[] };
      renderUntil?: string;
      escalateAfterMinutes?: number;
      overrides?: Override[];
    };
    maintenanceWindows?: MaintenanceWindow[];
  };
  labs?: { path?: string; overcommit?: { cpu?: number; memory?: number }; vmHost?: { cpu: number; memory: string }; courses?: Course[] };
  versions?: Record<string, string>;
}

type DeepRequired<T> = T extends (infer U)[] ? DeepRequired<U>[] : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;

/** A node with every default resolved. */
export interface SiteNode extends Omit<Node, 'subnet' | 'disks' | 'ssh'> {
  subnet: string;
  /** Disk paths (the inventory's strings, or the path of its {path, size} entries). */
  disks: string[];
  /** Size of each disk in GiB where the inventory gives one (same order as disks). */
  diskSizesGiB: (number | undefined)[];
  ssh: Required<Omit<SshSettings, 'jumpHost' | 'knownHostsFile' | 'hostKeys'>> & { jumpHost?: string; knownHostsFile?: string; hostKeys?: string[] };
  /** Index in the inventory's nodes list, for error positions. */
  index: number;
}

/**
 * The validated inventory with every default filled in: what render, plan and the other commands consume.
 * Optional sections that have no sensible default (federation, oncall, acme...) stay optional.
 */
export interface Site {
  file: string;
  inventory: Inventory;
  site: Required<Inventory['site']>;
  network: Required<Inventory['network']>;
  kubernetes: Required<Inventory['kubernetes']> & { minor: string };
  racks: Rack[];
  nodes: SiteNode[];
  bgp: { clusterAsn: number; routers: (Router & { bfd: boolean; racks: string[] })[]; calicoPeers: CalicoPeer[]; pools: Required<Pool>[] };
  ingress: { controller: 'ingress-nginx' | 'calico-gateway'; pool: string; address: string };
  tls: Inventory['tls'];
  identity: Omit<Inventory['identity'], 'realm' | 'hostname'> & { realm: string };
  registry: DeepRequired<Omit<NonNullable<Inventory['registry']>, 'proxyCaches'>> & {
    proxyCaches: { name: string; upstream: string; type: 'docker-hub' | 'docker-registry' | 'quay' | 'github-ghcr' }[];
  };
  storage: { failureDomain: 'host' | 'rack'; replicas: number };
  monitoring: Omit<NonNullable<Inventory['monitoring']>, 'retention' | 'logRetention' | 'receivers' | 'workingHours' | 'labHours' | 'maintenanceWindows'> & {
    retention: string; logRetention: string; receivers: Receiver[];
    workingHours: { days: Weekday[]; start: string; end: string };
    labHours: { days: Weekday[]; start: string; end: string };
    maintenanceWindows: MaintenanceWindow[];
  };
  labs: { path: string; overcommit: { cpu: number; memory: number }; vmHost?: { cpu: number; memory: string }; courses: Course[] };
  versions: Record<string, string>;
  /** Host names of the platform services, derived from the domain. */
  hosts: { argocd: string; harbor: string; sso: string; grafana: string; labs: string; api: string };
}
