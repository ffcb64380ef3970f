// The inventory as written in the file (after schema validation): the Static type of the one declaration
// in schema/, so a key added there is typed here. Optional keys are optional here; `defaults.ts` turns
// this into a `Site` where every default is filled in.
import type { Static } from './schema/build.ts';
import type { inventoryDeclaration } from './schema/index.ts';
import type { COMPONENT_SECTIONS } from './schema/component-sections.ts';

export type Inventory = Static<typeof inventoryDeclaration>;

export type Node = Inventory['nodes'][number];
export type Role = Node['roles'][number];
export type SshSettings = NonNullable<Node['ssh']>;
export type Subnet = Inventory['network']['subnets'][number];
export type Rack = Inventory['racks'][number];
export type Router = Inventory['bgp']['routers'][number];
export type CalicoPeer = NonNullable<Inventory['bgp']['calicoPeers']>[number];
export type Pool = Inventory['bgp']['pools'][number];
export type TlsMode = Inventory['tls']['mode'];
type Monitoring = NonNullable<Inventory['monitoring']>;
type Oncall = NonNullable<Monitoring['oncall']>;
export type Weekday = NonNullable<Monitoring['workingHours']>['days'][number];
export type Receiver = NonNullable<Monitoring['receivers']>[number];
export type ReceiverType = Receiver['type'];
export type RosterEntry = Oncall['roster'][number];
export type Override = NonNullable<Oncall['overrides']>[number];
export type MaintenanceWindow = NonNullable<Monitoring['maintenanceWindows']>[number];
export type Course = NonNullable<NonNullable<Inventory['labs']>['courses']>[number];
export type IngressController = NonNullable<NonNullable<Inventory['ingress']>['controller']>;
/** The backup section with its defaults filled in (installer/inventory/schema/backup.ts). */
export type SiteBackup = DeepRequired<NonNullable<Inventory['backup']>>;
type ProxyCache = NonNullable<NonNullable<Inventory['registry']>['proxyCaches']>[number];

type DeepRequired<T> = T extends (infer U)[]
  ? DeepRequired<U>[]
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<T[K]> }
    : T;

/** A node with every default resolved. */
export interface SiteNode extends Omit<Node, 'subnet' | 'disks' | 'ssh'> {
  subnet: string;
  /** Disk paths (the inventory's strings, or the path of its {path, size} entries). */
  disks: string[];
  /** Size of each disk in GiB where the inventory gives one (same order as disks). */
  diskSizesGiB: (number | undefined)[];
  ssh: Required<Omit<SshSettings, 'jumpHost' | 'knownHostsFile' | 'hostKeys'>> & {
    jumpHost?: string;
    knownHostsFile?: string;
    hostKeys?: string[];
  };
  /** Index in the inventory's nodes list, for error positions. */
  index: number;
}

/**
 * A component's own section (render/components/<name>/inventory.ts) as the Site holds it: the inventory's
 * block with its declared defaults filled in (defaults.ts); the type leaves its keys as the file has them.
 * Sections with derived defaults (registry, monitoring) are typed in Site itself.
 */
type ComponentSections = {
  [K in (typeof COMPONENT_SECTIONS)[number]['key'] & keyof Inventory]: NonNullable<Inventory[K]>;
};
/** The component sections Site holds as declared (the others' keys are written out below). */
export type PlainSectionKey = Exclude<keyof ComponentSections, 'registry' | 'monitoring'>;

/**
 * The validated inventory with every default filled in: what render, plan and the other commands consume.
 * Optional sections that have no sensible default (federation, oncall, acme...) stay optional.
 */
export interface Site extends Pick<ComponentSections, PlainSectionKey> {
  file: string;
  inventory: Inventory;
  site: Required<Inventory['site']>;
  network: Required<Inventory['network']>;
  kubernetes: Required<Inventory['kubernetes']> & { minor: string };
  racks: Rack[];
  nodes: SiteNode[];
  bgp: {
    clusterAsn: number;
    routers: (Router & { bfd: boolean; racks: string[] })[];
    calicoPeers: CalicoPeer[];
    pools: Required<Pool>[];
  };
  ingress: { controller: IngressController; pool: string; address: string };
  tls: Inventory['tls'];
  identity: Omit<Inventory['identity'], 'realm' | 'hostname'> & { realm: string };
  registry: DeepRequired<Omit<NonNullable<Inventory['registry']>, 'proxyCaches'>> & {
    proxyCaches: Required<ProxyCache>[];
  };
  storage: Required<NonNullable<Inventory['storage']>>;
  monitoring: Omit<
    NonNullable<Inventory['monitoring']>,
    'retention' | 'logRetention' | 'receivers' | 'workingHours' | 'labHours' | 'maintenanceWindows'
  > & {
    retention: string;
    logRetention: string;
    receivers: Receiver[];
    workingHours: { days: Weekday[]; start: string; end: string };
    labHours: { days: Weekday[]; start: string; end: string };
    maintenanceWindows: MaintenanceWindow[];
  };
  labs: {
    path: string;
    overcommit: { cpu: number; memory: number };
    vmHost?: { cpu: number; memory: string };
    /** Campus networks labs may not reach (besides the platform's own: installer/labs/protected.ts). */
    protectedCidrs: string[];
    /** Courses; `backup` is filled in by the defaults (true unless the course opts out). */
    courses: Course[];
  };
  /** Backups off the cluster; absent: the site takes none (validate warns). */
  backup?: SiteBackup;
  versions: Record<string, string>;
  /** Host names of the platform services, derived from the domain. */
  hosts: { argocd: string; harbor: string; sso: string; grafana: string; labs: string; api: string };
}
