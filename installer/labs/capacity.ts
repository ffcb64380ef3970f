// `labs capacity`: what the labs ask for at their busiest overlapping hours against what the VM hosts
// of the inventory offer with the allowed overcommit. Pure: labs + site in, a report out.
//
// Model: a lab needs students x (vCPU, guest memory + VM overhead) while it runs. A lab with a schedule
// runs during its weekly windows between term start and end; one without runs all the time. Terms cut
// the calendar into periods; inside a period the week repeats, so the load is evaluated per minute of
// the week. Students starting their VM outside lab hours are not counted (the quota still caps them).
import type { Site, Weekday } from '../inventory/types.ts';
import { HOST_RESERVE, VM_MEMORY_OVERHEAD_MIB, toMiB } from './sizes.ts';
import type { Lab } from './types.ts';

export const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEK = 7 * 1440;

export interface VmHost { name: string; cpu: number; memoryMiB: number }
export interface HostCapacity { hosts: VmHost[]; missing: string[]; vcpu: number; memoryMiB: number; overcommit: { cpu: number; memory: number } }

/** VM hosts with their size (own cpu/memory, else labs.vmHost) and the capacity left for VMs after the reserve. */
export function hostCapacity(site: Site): HostCapacity {
  const hosts: VmHost[] = [];
  const missing: string[] = [];
  for (const n of site.nodes.filter((x) => x.roles.includes('vm-host'))) {
    const cpu = n.cpu ?? site.labs.vmHost?.cpu;
    const mem = n.memory ?? site.labs.vmHost?.memory;
    if (cpu === undefined || mem === undefined) missing.push(n.name);
    else hosts.push({ name: n.name, cpu, memoryMiB: toMiB(mem) });
  }
  const oc = { cpu: effectiveOvercommit(site).cpuAllocationRatio, memory: effectiveOvercommit(site).memoryOvercommitPercent / 100 };
  return {
    hosts, missing, overcommit: oc,
    vcpu: hosts.reduce((s, h) => s + Math.max(0, h.cpu - HOST_RESERVE.cpu) * oc.cpu, 0),
    memoryMiB: hosts.reduce((s, h) => s + Math.max(0, h.memoryMiB - HOST_RESERVE.memoryMiB) * oc.memory, 0),
  };
}

/**
 * The overcommit KubeVirt actually applies: cpuAllocationRatio is an integer, memoryOvercommit a percent.
 * The KubeVirt CR, the chart's quotas and the capacity check all use these numbers.
 */
export function effectiveOvercommit(site: Site): { cpuAllocationRatio: number; memoryOvercommitPercent: number } {
  return { cpuAllocationRatio: Math.max(1, Math.floor(site.labs.overcommit.cpu)), memoryOvercommitPercent: Math.round(site.labs.overcommit.memory * 100) };
}

export interface Need { vcpu: number; memoryMiB: number }
export const labNeed = (lab: Lab): Need => ({ vcpu: lab.students.length * lab.cpu, memoryMiB: lab.students.length * (lab.memoryMiB + VM_MEMORY_OVERHEAD_MIB) });

/** Minutes of the week [from, to) the lab runs; Monday 00:00 is 0. */
export function weeklyIntervals(lab: Lab): [number, number][] {
  const s = lab.spec.schedule;
  if (!s) return [[0, WEEK]];
  const min = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return s.hours.flatMap((w) => w.days.map((d) => [WEEKDAYS.indexOf(d) * 1440 + min(w.start), WEEKDAYS.indexOf(d) * 1440 + min(w.end)] as [number, number]));
}

const intervalCache = new WeakMap<Lab, [number, number][]>();
function intervalsOf(lab: Lab): [number, number][] {
  let v = intervalCache.get(lab);
  if (!v) { v = weeklyIntervals(lab); intervalCache.set(lab, v); }
  return v;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const prevDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

export interface Peak extends Need {
  /** Calendar period [from, to] (inclusive dates; undefined = open) and the minute of the week. */
  from?: string; to?: string; minute: number; labs: Lab[];
}

/** The busiest moment of a set of labs (by vCPU, then memory), and whether any moment exceeds `cap`. */
export function busiest(labs: Lab[], cap?: Need): { peak: Peak; over: boolean } {
  const cuts = [...new Set(labs.flatMap((l) => (l.spec.schedule ? [l.spec.schedule.start, nextDay(l.spec.schedule.end)] : [])))].sort();
  const periods: { from?: string; to?: string }[] = [];
  if (!cuts.length) periods.push({});
  else {
    periods.push({ to: prevDay(cuts[0]!) });
    for (let i = 0; i < cuts.length; i++) periods.push({ from: cuts[i]!, ...(i + 1 < cuts.length ? { to: prevDay(cuts[i + 1]!) } : {}) });
  }
  let peak: Peak = { vcpu: 0, memoryMiB: 0, minute: 0, labs: [] };
  let over = false;
  for (const p of periods) {
    const active = labs.filter((l) => !l.spec.schedule || ((p.from === undefined || l.spec.schedule.end >= p.from) && (p.to === undefined || l.spec.schedule.start <= p.to)));
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
  return { capacity, peak: busiest(sorted).peak, fitting, notFitting };
}

/** "tuesday 14:00" */
export function showMinute(m: number): string {
  const d = WEEKDAYS[Math.floor(m / 1440)]!;
  const mm = m % 1440;
  return `${d} ${String(Math.floor(mm / 60)).padStart(2, '0')}:${String(mm % 60).padStart(2, '0')}`;
}
