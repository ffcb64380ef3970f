// `labs capacity`: what the labs ask for at their busiest overlapping hours against what the VM hosts
// of the inventory offer with the allowed overcommit. Pure: labs + site in, a report out.
//
// Model: a lab needs students x (vCPU, guest memory + VM overhead) while it runs. A lab with a schedule
// runs during its weekly windows between term start and end; one without runs all the time. Terms cut
// the calendar into periods; inside a period the week repeats, so the load is evaluated per minute of
// the week. Students starting their VM outside lab hours are not counted (the quota still caps them).
import type { Diagnostic } from '../core/diagnostics.ts';
import { loadYamlFile } from '../core/yaml-source.ts';
import type { Site, SiteNode, Weekday } from '../inventory/types.ts';
import { runsWorkloads } from '../inventory/roles.ts';
import { HOST_RESERVE, VM_MEMORY_OVERHEAD_MIB, toMiB } from './sizes.ts';
import { LAB_DEFAULTS, type Lab } from './types.ts';
import { ROOK_REQUESTS, ROOK_SOURCE } from '../render/components/rook-ceph/requests.ts';

export const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEK = 7 * 1440;

export interface VmHost {
  name: string;
  cpu: number;
  memoryMiB: number;
}
/** One line of what runs on a node besides the VMs, with where its numbers come from. */
export interface Load {
  what: string;
  count: number;
  cpu: number;
  memoryMiB: number;
  source: string;
}
export interface HostCapacity {
  hosts: VmHost[];
  missing: string[];
  vcpu: number;
  memoryMiB: number;
  overcommit: { cpu: number; memory: number };
  /** Per VM host: what is kept out of the VM capacity. */
  kept: Record<string, Load[]>;
  /** Ceph daemons the scheduler places on any workload node, and whether they were charged to the VM hosts. */
  floating: { loads: Load[]; chargedToVmHosts: boolean; why: string };
}

export { ROOK_REQUESTS };

/** etcd, API server, controller manager, scheduler: kubeadm's control-plane minimum (also preflight's). */
export const CONTROL_PLANE_LOAD = { cpu: 2, memoryMiB: 1700 };

/** How many of each Ceph daemon the rendered CephCluster runs (render/components/rook-ceph.ts). */
export function cephDaemons(site: Site): { mon: number; mgr: number; mds: number; rgw: number } {
  if (!site.nodes.some((n) => n.roles.includes('storage'))) return { mon: 0, mgr: 0, mds: 0, rgw: 0 };
  return {
    mon: site.nodes.length >= 3 ? 3 : 1,
    mgr: site.nodes.length >= 2 ? 2 : 1,
    mds: 2 /* 1 active + standby */,
    rgw: 2,
  };
}

const load = (what: string, count: number, per: { cpu: number; memoryMiB: number }, source: string): Load => ({
  what,
  count,
  cpu: count * per.cpu,
  memoryMiB: count * per.memoryMiB,
  source,
});

/** What runs on a node besides lab VMs, from its roles and disks. */
export function nodeLoads(node: SiteNode): Load[] {
  const out: Load[] = [
    load(
      'node agents (kubelet, containerd, Calico, CSI, OS)',
      1,
      HOST_RESERVE,
      'labctl HOST_RESERVE (installer/labs/sizes.ts)',
    ),
  ];
  if (node.roles.includes('control-plane'))
    out.push(
      load('control plane (etcd, API server, controllers)', 1, CONTROL_PLANE_LOAD, 'kubeadm control-plane minimum'),
    );
  if (node.roles.includes('storage') && node.disks.length) {
    out.push(
      load(
        'Ceph OSD (one per disk)',
        node.disks.length,
        ROOK_REQUESTS.osd,
        `${ROOK_SOURCE} cephClusterSpec.resources.osd`,
      ),
    );
    out.push(
      load('Ceph crash collector + exporter', 1, ROOK_REQUESTS.perNode, `${ROOK_SOURCE} cephClusterSpec.resources`),
    );
  }
  return out;
}

/** VM hosts with their size (own cpu/memory, else labs.vmHost) and the capacity left for VMs after what else runs there. */
export function hostCapacity(site: Site): HostCapacity {
  const hosts: VmHost[] = [];
  const missing: string[] = [];
  const kept: Record<string, Load[]> = {};
  const d = cephDaemons(site);
  const floatingLoads = [
    load('Ceph mon', d.mon, ROOK_REQUESTS.mon, `${ROOK_SOURCE} cephClusterSpec.resources.mon`),
    load('Ceph mgr', d.mgr, ROOK_REQUESTS.mgr, `${ROOK_SOURCE} cephClusterSpec.resources.mgr + mgr-sidecar`),
    load(
      'CephFS MDS (active + standby)',
      d.mds,
      ROOK_REQUESTS.mds,
      `${ROOK_SOURCE} cephFileSystems[0].spec.metadataServer.resources`,
    ),
    load('Ceph RGW', d.rgw, ROOK_REQUESTS.rgw, `${ROOK_SOURCE} cephObjectStores[0].spec.gateway.resources`),
  ].filter((l) => l.count > 0);
  // The scheduler may put mons, mgrs, MDS and RGW on any node that runs workloads. With nodes that run
  // workloads but no VMs, count them there; when every such node is a VM host, they take VM capacity.
  const elsewhere = site.nodes.filter((n) => runsWorkloads(site, n) && !n.roles.includes('vm-host'));
  const chargedToVmHosts = floatingLoads.length > 0 && elsewhere.length === 0;
  for (const n of site.nodes.filter((x) => x.roles.includes('vm-host'))) {
    const cpu = n.cpu ?? site.labs.vmHost?.cpu;
    const mem = n.memory ?? site.labs.vmHost?.memory;
    kept[n.name] = nodeLoads(n);
    if (cpu === undefined || mem === undefined) missing.push(n.name);
    else hosts.push({ name: n.name, cpu, memoryMiB: toMiB(mem) });
  }
  const oc = {
    cpu: effectiveOvercommit(site).cpuAllocationRatio,
    memory: effectiveOvercommit(site).memoryOvercommitPercent / 100,
  };
  const sum = (ls: Load[], k: 'cpu' | 'memoryMiB') => ls.reduce((s, l) => s + l[k], 0);
  const floatCpu = chargedToVmHosts ? sum(floatingLoads, 'cpu') : 0;
  const floatMem = chargedToVmHosts ? sum(floatingLoads, 'memoryMiB') : 0;
  return {
    hosts,
    missing,
    overcommit: oc,
    kept,
    floating: {
      loads: floatingLoads,
      chargedToVmHosts,
      why: chargedToVmHosts
        ? 'every node that runs workloads is a VM host: they take VM capacity'
        : floatingLoads.length
          ? `placed on the nodes that run workloads but no VMs (${elsewhere.map((n) => n.name).join(', ')})`
          : 'no Ceph on this site',
    },
    vcpu: Math.max(
      0,
      Math.floor(hosts.reduce((s, h) => s + Math.max(0, h.cpu - sum(kept[h.name]!, 'cpu')), 0) - floatCpu) * oc.cpu,
    ),
    memoryMiB: Math.max(
      0,
      Math.floor(
        (hosts.reduce((s, h) => s + Math.max(0, h.memoryMiB - sum(kept[h.name]!, 'memoryMiB')), 0) - floatMem) *
          oc.memory,
      ),
    ),
  };
}

/**
 * Warnings for VM hosts without a size, at their place in the inventory. A new inventory (`labctl init`)
 * cannot know the servers' sizes, so capacity is then not checked: the site's CI step warns and passes
 * instead of failing every merge request until someone adds them (decision: docs/decisions.md, "labs
 * capacity on a site without host sizes").
 */
export function unsizedHostWarnings(site: Site, missing: string[]): Diagnostic[] {
  const src = loadYamlFile(site.file);
  return missing.map((name) => {
    const node = site.nodes.find((x) => x.name === name)!;
    const at = src.ok ? src.source.locate(['nodes', node.index], { key: false }) : { line: 1, col: 1 };
    return {
      severity: 'warning' as const,
      file: site.file,
      line: at.line,
      col: at.col,
      path: `nodes[${node.index}]`,
      message: `VM host ${name} has no size, so labs capacity cannot check the labs against it`,
      hint: `add cpu: (CPU threads, nproc on the node) and memory: (e.g. 512Gi, free -g on the node) to node ${name}, or labs.vmHost for every VM host`,
    };
  });
}

/** Ceph's default nearfull ratio (mon_osd_nearfull_ratio): past it Ceph warns, at 0.95 it stops writes. */
export const NEARFULL = 0.85;

export interface StorageCheck {
  /** Raw capacity of the disks with a known size, and the disks without one. */
  rawGiB: number;
  unknownDisks: string[];
  replicas: number;
  /** What the labs' disks need in raw storage: (persistent student disks + ephemeral golden disks) x replicas. */
  needGiB: number;
  usableGiB: number;
  /** Labs with a single disk larger than the whole raw storage. */
  tooBig: Lab[];
  over: boolean;
}

export function storageCheck(labs: Lab[], site: Site): StorageCheck {
  const unknownDisks: string[] = [];
  let rawGiB = 0;
  for (const n of site.nodes.filter((x) => x.roles.includes('storage'))) {
    n.disks.forEach((d, i) => {
      const g = n.diskSizesGiB[i];
      if (g === undefined) unknownDisks.push(`${n.name}:${d}`);
      else rawGiB += g;
    });
  }
  const replicas = site.storage.replicas;
  const perLab = (l: Lab) =>
    ((l.spec.persistence ?? LAB_DEFAULTS.persistence) === 'persistent' ? l.students.length : 1) * l.diskGiB;
  const needGiB = labs.reduce((s, l) => s + perLab(l), 0) * replicas;
  const known = unknownDisks.length === 0 && rawGiB > 0;
  const tooBig = known ? labs.filter((l) => l.diskGiB > rawGiB) : [];
  return {
    rawGiB,
    unknownDisks,
    replicas,
    needGiB,
    usableGiB: Math.floor(rawGiB * NEARFULL),
    tooBig,
    over: known && (needGiB > rawGiB * NEARFULL || tooBig.length > 0),
  };
}

/** Every number of the capacity report with its source, as lines for people. */
export function explainCapacity(c: HostCapacity, st: StorageCheck): string[] {
  const mib = (m: number) => (m % 1024 === 0 ? `${m / 1024}Gi` : `${m}Mi`);
  const out: string[] = ['kept out of VM capacity per VM host:'];
  for (const [host, loads] of Object.entries(c.kept)) {
    for (const l of loads)
      out.push(
        `  ${host}: ${l.what}${l.count > 1 ? ` x${l.count}` : ''}: ${+l.cpu.toFixed(2)} cpu, ${mib(l.memoryMiB)} (source: ${l.source})`,
      );
  }
  for (const l of c.floating.loads)
    out.push(
      `  cluster: ${l.what} x${l.count}: ${+l.cpu.toFixed(2)} cpu, ${mib(l.memoryMiB)} (source: ${l.source}; ${c.floating.why})`,
    );
  out.push(
    st.unknownDisks.length
      ? `storage: raw size unknown for ${st.unknownDisks.length} disk(s) (give nodes[].disks[] as {path, size}); lab disks need ${st.needGiB}Gi raw (x${st.replicas} replicas)`
      : `storage: lab disks need ${st.needGiB}Gi raw (students' persistent disks + ephemeral golden disks, x${st.replicas} replicas, source: storage.replicas) of ${st.usableGiB}Gi usable (${st.rawGiB}Gi raw from nodes[].disks[].size x ${NEARFULL} Ceph nearfull ratio)`,
  );
  for (const l of st.tooBig)
    out.push(
      `storage: ${l.course}/${l.name}: one disk of ${l.diskGiB}Gi is larger than the cluster's raw storage ${st.rawGiB}Gi`,
    );
  return out;
}

/**
 * The overcommit KubeVirt actually applies: cpuAllocationRatio is an integer, memoryOvercommit a percent.
 * The KubeVirt CR, the chart's quotas and the capacity check all use these numbers.
 */
export function effectiveOvercommit(site: Site): { cpuAllocationRatio: number; memoryOvercommitPercent: number } {
  return {
    cpuAllocationRatio: Math.max(1, Math.floor(site.labs.overcommit.cpu)),
    memoryOvercommitPercent: Math.round(site.labs.overcommit.memory * 100),
  };
}

export interface Need {
  vcpu: number;
  memoryMiB: number;
}
export const labNeed = (lab: Lab): Need => ({
  vcpu: lab.students.length * lab.cpu,
  memoryMiB: lab.students.length * (lab.memoryMiB + VM_MEMORY_OVERHEAD_MIB),
});

/** Minutes of the week [from, to) the lab runs; Monday 00:00 is 0. */
export function weeklyIntervals(lab: Lab): [number, number][] {
  const s = lab.spec.schedule;
  if (!s) return [[0, WEEK]];
  const min = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return s.hours.flatMap((w) =>
    w.days.map(
      (d) => [WEEKDAYS.indexOf(d) * 1440 + min(w.start), WEEKDAYS.indexOf(d) * 1440 + min(w.end)] as [number, number],
    ),
  );
}

const intervalCache = new WeakMap<Lab, [number, number][]>();
function intervalsOf(lab: Lab): [number, number][] {
  let v = intervalCache.get(lab);
  if (!v) {
    v = weeklyIntervals(lab);
    intervalCache.set(lab, v);
  }
  return v;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const prevDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

export interface Peak extends Need {
  /** Calendar period [from, to] (inclusive dates; undefined = open) and the minute of the week. */
  from?: string;
  to?: string;
  minute: number;
  labs: Lab[];
}

/** The busiest moment of a set of labs (by vCPU, then memory), and whether any moment exceeds `cap`. */
export function busiest(labs: Lab[], cap?: Need): { peak: Peak; over: boolean } {
  const cuts = [
    ...new Set(labs.flatMap((l) => (l.spec.schedule ? [l.spec.schedule.start, nextDay(l.spec.schedule.end)] : []))),
  ].sort();
  const periods: { from?: string; to?: string }[] = [];
  if (!cuts.length) periods.push({});
  else {
    periods.push({ to: prevDay(cuts[0]!) });
    for (let i = 0; i < cuts.length; i++)
      periods.push({ from: cuts[i]!, ...(i + 1 < cuts.length ? { to: prevDay(cuts[i + 1]!) } : {}) });
  }
  let peak: Peak = { vcpu: 0, memoryMiB: 0, minute: 0, labs: [] };
  let over = false;
  for (const p of periods) {
    const active = labs.filter(
      (l) =>
        !l.spec.schedule ||
        ((p.from === undefined || l.spec.schedule.end >= p.from) &&
          (p.to === undefined || l.spec.schedule.start <= p.to)),
    );
    if (!active.length) continue;
    // Sweep over the week: +need where a window opens, -need where it closes.
    const events: [number, Lab, 1 | -1][] = [];
    for (const l of active) for (const [a, b] of intervalsOf(l)) events.push([a, l, 1], [b, l, -1]);
    events.sort((x, y) => x[0] - y[0] || x[2] - y[2]);
    const running = new Map<Lab, number>();
    let vcpu = 0;
    let memoryMiB = 0;
    for (let i = 0; i < events.length; i++) {
      const [m, l, d] = events[i]!;
      const n = labNeed(l);
      vcpu += d * n.vcpu;
      memoryMiB += d * n.memoryMiB;
      running.set(l, (running.get(l) ?? 0) + d);
      if (i + 1 < events.length && events[i + 1]![0] === m) continue; // settle every change at this minute first
      if (m >= WEEK) continue;
      if (cap && (vcpu > cap.vcpu || memoryMiB > cap.memoryMiB)) over = true;
      if (vcpu > peak.vcpu || (vcpu === peak.vcpu && memoryMiB > peak.memoryMiB)) {
        peak = { vcpu, memoryMiB, ...p, minute: m, labs: [...running].filter(([, c]) => c > 0).map(([x]) => x) };
      }
    }
  }
  return { peak, over };
}

export interface CapacityReport {
  capacity: HostCapacity;
  storage: StorageCheck;
  /** Each number with its source, for the output. */
  explain: string[];
  peak: Peak;
  /** Labs admitted in file order while everything fits, and the ones that would push a moment over capacity. */
  fitting: Lab[];
  notFitting: Lab[];
}

export function capacityReport(labs: Lab[], site: Site): CapacityReport {
  const capacity = hostCapacity(site);
  const cap = { vcpu: capacity.vcpu, memoryMiB: capacity.memoryMiB };
  const sorted = [...labs].sort((a, b) => a.file.localeCompare(b.file));
  const fitting: Lab[] = [];
  const notFitting: Lab[] = [];
  for (const lab of sorted) (busiest([...fitting, lab], cap).over ? notFitting : fitting).push(lab);
  const storage = storageCheck(sorted, site);
  return {
    capacity,
    storage,
    explain: explainCapacity(capacity, storage),
    peak: busiest(sorted).peak,
    fitting,
    notFitting,
  };
}

/** "tuesday 14:00" */
export function showMinute(m: number): string {
  const d = WEEKDAYS[Math.floor(m / 1440)]!;
  const mm = m % 1440;
  return `${d} ${String(Math.floor(mm / 60)).padStart(2, '0')}:${String(mm % 60).padStart(2, '0')}`;
}
