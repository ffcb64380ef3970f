// Semantic checks of lab templates that need more than the file: the image catalog and the inventory
// (courses, VM host sizes). Pure; positions come from each lab's YamlSource.
import { nearName } from '../core/near-name.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import type { Site } from '../inventory/types.ts';
import { hostCapacity, storageCheck } from './capacity.ts';
import { reporter } from './load.ts';
import { overlaps, parseCidr, protectedRanges } from './protected.ts';
import { GROUPS, realmGroups } from '../render/platform/identity.ts';
import { HOST_RESERVE, VM_MEMORY_OVERHEAD_MIB, showMiB } from './sizes.ts';
import type { Lab } from './types.ts';
import { LIMITS } from './schema.ts';

/** What the catalog says about images: every name with an image.yaml, and the valid ones with their minimum disk. */
export interface ImageFacts {
  names: string[];
  valid: Map<string, { minDiskGiB: number; version: string }>;
}

export interface RuleInput {
  labs: Lab[];
  images?: ImageFacts;
  site?: Site;
}

// A lab with schema errors is still checked here: count only what has the right type.
const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : 0);
const each = <T>(xs: T[] | undefined, f: (x: T) => number) =>
  Array.isArray(xs) ? xs.reduce((a, x) => a + f(x), 0) : 0;

/** Bytes of a lab's cloud-init additions as the chart counts them (Go's len): file paths and contents, runcmd, packages. */
export function cloudInitBytes(spec: Lab['spec']): number {
  const ci = spec.cloudInit ?? {};
  return each(ci.files, (f) => bytes(f?.path) + bytes(f?.content)) + each(ci.runcmd, bytes) + each(ci.packages, bytes);
}

export function checkLabs({ labs, images, site }: RuleInput): { errors: Diagnostic[]; warnings: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const namespaces = new Map<string, Lab>();
  const capacity = site ? hostCapacity(site) : undefined;
  const guarded = site ? protectedRanges(site) : [];
  // Raw Ceph storage, when every disk's size is known (labs capacity adds up the disks of all labs).
  const st = site ? storageCheck([], site) : undefined;
  const raw = st && !st.unknownDisks.length && st.rawGiB > 0 ? st : undefined;
  const biggest = capacity?.hosts.length
    ? {
        cpu: capacity.hosts.reduce((a, h) => (h.cpu > a.cpu ? h : a)),
        mem: capacity.hosts.reduce((a, h) => (h.memoryMiB > a.memoryMiB ? h : a)),
      }
    : undefined;

  for (const lab of labs) {
    const r = reporter(lab.source, errors, warnings);
    const s = lab.spec;
    if (images) {
      if (!images.names.includes(s.image)) {
        const guess = nearName(s.image, images.names);
        r.error(
          ['image'],
          `unknown image ${s.image}; the catalog has: ${images.names.join(', ') || 'no images'}`,
          guess ? `did you mean "${guess}"?` : undefined,
        );
      } else if (!images.valid.has(s.image)) {
        r.error(['image'], `image ${s.image} is invalid in the catalog (labctl images validate shows why)`);
      } else {
        const min = images.valid.get(s.image)!.minDiskGiB;
        if (lab.diskGiB < min)
          r.error(
            [s.disk ? 'disk' : s.size ? 'size' : 'image'],
            `disk ${lab.diskGiB}Gi is smaller than image ${s.image} needs (minDiskGiB ${min})`,
          );
      }
    }
    const other = namespaces.get(lab.namespace);
    if (other) r.error([], `namespace ${lab.namespace} is also the namespace of ${other.file}; rename one of the labs`);
    namespaces.set(lab.namespace, lab);

    if (site) {
      const courses = site.labs.courses.map((c) => c.name);
      // A key that differs from its folder is reported where it is read (load.ts), with a fix that knows the
      // inventory's courses: a "did you mean" here would be a second fix, often the wrong one.
      if (!courses.includes(s.course) && s.course === lab.course) {
        // The folder names the course: a typo is fixed by renaming both, a new course by the inventory's owner.
        const guess = nearName(s.course, courses);
        const add = "a new course goes into the inventory's labs.courses first, then labctl render";
        r.error(
          ['course'],
          `course ${s.course} is not a course of the inventory (labs.courses: ${courses.join(', ') || 'none'})`,
          guess ? `did you mean "${guess}"? Then write it in course: and as the folder name; ${add}` : add,
        );
      }
    }
    // Student VMs stay inside their lab's network: no egress to, and no SSH from, the platform's own networks.
    const cidrs: [(string | number)[], string, string][] = [
      ...(s.access?.sshFrom ?? []).map((c, i): [(string | number)[], string, string] => [
        ['access', 'sshFrom', i],
        c,
        'SSH source',
      ]),
      ...(s.network?.allowEgress ?? []).map((e, i): [(string | number)[], string, string] => [
        ['network', 'allowEgress', i, 'cidr'],
        e.cidr,
        'egress destination',
      ]),
    ];
    for (const [at, c, what] of cidrs) {
      const range = parseCidr(c);
      const hit = range && guarded.filter((g) => overlaps(g, range));
      if (hit?.length) {
        r.error(
          at,
          `${what} ${c} overlaps the platform's own networks: ${hit.map((g) => `${g.cidr} (${g.what})`).join(', ')}; lab VMs never reach nodes, pods, services, LoadBalancer pools, the API VIP, platform addresses or the campus networks of labs.protectedCidrs`,
          range!.size > 2 ** 24 ? 'for the internet use network.internet: true, which excepts these ranges' : undefined,
        );
      }
    }
    // The staff group gets kubevirt.io:admin over every VM of the lab: only this course's staff may get it.
    if (site && s.staffGroup) {
      const owner = site.labs.courses.find(
        (c) => s.staffGroup === GROUPS.courseStaff(c.name) || s.staffGroup === GROUPS.students(c.name),
      );
      if (s.staffGroup === GROUPS.students(lab.course))
        r.error(
          ['staffGroup'],
          `staffGroup ${s.staffGroup} is the course's students group: every student would manage every VM of the lab (console, stop, edit); use ${GROUPS.courseStaff(lab.course)}`,
        );
      else if (owner && owner.name !== lab.course)
        r.error(
          ['staffGroup'],
          `staffGroup ${s.staffGroup} belongs to course ${owner.name}: a lab gives its VMs only to its own course's staff (${GROUPS.courseStaff(lab.course)})`,
        );
      else if (!realmGroups(site).includes(s.staffGroup))
        r.warn(
          ['staffGroup'],
          `staffGroup ${s.staffGroup} is not a group of the realm (${GROUPS.courseStaff(lab.course)} is): nobody would manage the VMs`,
        );
    }
    // Every student's user-data Secret repeats the cloud-init additions; ArgoCD's repo-server renders them all
    // (the chart fails past the same bounds, charts/vm-lab/templates/students.yaml).
    const shared = cloudInitBytes(s);
    if (shared > LIMITS.cloudInitBytes)
      r.error(
        ['cloudInit'],
        `${shared} bytes of cloud-init files, runcmd and packages go into every VM's user-data; at most ${LIMITS.cloudInitBytes} (256 KiB): a Secret holds at most 1 MiB`,
        'put large files into the image (images/<name>/) or download them in runcmd',
      );
    else {
      const total = each(lab.students, (st) => shared + bytes(st.name) + each(st.sshKeys, bytes));
      if (total > LIMITS.labUserDataBytes)
        r.error(
          ['cloudInit'],
          `the user-data of ${lab.students.length} students weighs ${total} bytes (${shared} of cloud-init additions each, with their keys); at most ${LIMITS.labUserDataBytes} (32 MiB) per lab, which ArgoCD renders at once`,
          'fewer or smaller cloud-init files, or split the students over two labs',
        );
    }
    if (raw && lab.diskGiB > raw.rawGiB) {
      r.error(
        [s.disk ? 'disk' : s.size ? 'size' : 'image'],
        `disk ${lab.diskGiB}Gi per VM is larger than the cluster's whole raw storage (${raw.rawGiB}Gi from nodes[].disks[].size)`,
      );
    }
    if (biggest) {
      const where = s.size ? ['size'] : ['cpu'];
      if (lab.cpu > biggest.cpu.cpu)
        r.error(
          where,
          `${lab.cpu} vCPUs per VM is more than any VM host has (largest: ${biggest.cpu.name} with ${biggest.cpu.cpu} CPU threads)`,
        );
      const room = (biggest.mem.memoryMiB - HOST_RESERVE.memoryMiB) * site!.labs.overcommit.memory;
      if (lab.memoryMiB + VM_MEMORY_OVERHEAD_MIB > room) {
        r.error(
          s.size ? ['size'] : ['memory'],
          `${showMiB(lab.memoryMiB)} per VM (+${VM_MEMORY_OVERHEAD_MIB}Mi overhead) does not fit on any VM host (largest: ${biggest.mem.name}, ${showMiB(room)} for VMs after the ${showMiB(HOST_RESERVE.memoryMiB)} reserve)`,
        );
      }
    }
  }
  return { errors, warnings };
}
