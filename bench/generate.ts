// Synthetic but valid sites for benchmarks: the example scaled to `nodes` servers in racks of 20,
// with courses for the labs, and a lab set of `labs` lab files with `studentsPerLab` students each.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoPath } from '../installer/core/paths.ts';

export interface Scale {
  name: string;
  nodes: number;
  labs: number;
  studentsPerLab: number;
}

export const SCALES: Scale[] = [
  { name: '1x', nodes: 12, labs: 1, studentsPerLab: 50 },
  { name: '10x', nodes: 60, labs: 10, studentsPerLab: 50 },
  { name: '100x', nodes: 200, labs: 100, studentsPerLab: 50 },
];

export function syntheticInventory(scale: Scale): string {
  const inv = parse(readFileSync(repoPath('inventory.example.yaml'), 'utf8'));
  const racks = Math.max(3, Math.ceil(scale.nodes / 20));
  inv.network.subnets = [
    { name: 'mgmt', cidr: '10.10.0.0/24', gateway: '10.10.0.1' },
    ...Array.from({ length: racks }, (_, r) => ({
      name: `rack${r + 1}`,
      cidr: `10.11.${r}.0/24`,
      gateway: `10.11.${r}.1`,
    })),
  ];
  inv.racks = Array.from({ length: racks }, (_, r) => ({ name: `r${r + 1}`, subnet: `rack${r + 1}` }));
  const nodes: unknown[] = [];
  for (let i = 0; i < 3; i++)
    nodes.push({
      name: `cp${i + 1}`,
      rack: `r${(i % racks) + 1}`,
      subnet: 'mgmt',
      address: `10.10.0.${11 + i}`,
      roles: ['control-plane'],
    });
  const rest = scale.nodes - 3;
  const storage = Math.max(3, Math.floor(rest / 5));
  for (let i = 0; i < rest; i++) {
    const r = i % racks,
      host = 20 + Math.floor(i / racks);
    const isStorage = i < storage;
    nodes.push({
      name: `${isStorage ? 'stor' : 'vmh'}${i + 1}`,
      rack: `r${r + 1}`,
      address: `10.11.${r}.${host}`,
      roles: isStorage ? ['storage', 'worker'] : ['vm-host', 'worker'],
      ...(isStorage ? { disks: [0, 1, 2, 3].map((d) => `/dev/disk/by-id/nvme-BENCH_${i}_${d}`) } : {}),
    });
  }
  inv.nodes = nodes;
  inv.bgp.routers = inv.racks.map((r: { name: string }, i: number) => ({
    name: `tor-${r.name}`,
    address: `10.11.${i}.1`,
    asn: 65010,
    passwordRef: `bgp/tor-${r.name}`,
    bfd: true,
    racks: [r.name],
  }));
  const courses = Math.max(2, Math.ceil(scale.labs / 5));
  inv.labs.courses = Array.from({ length: courses }, (_, c) => ({
    name: `c${c + 1}`,
    title: `Course ${c + 1}`,
    staff: ['jdoe'],
  }));
  return stringify(inv, { lineWidth: 0 });
}

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

/** Writes `scale.labs` lab files under `dir/labs/<course>/`; returns their paths. */
export function writeLabSet(dir: string, scale: Scale): string[] {
  const courses = Math.max(2, Math.ceil(scale.labs / 5));
  const files: string[] = [];
  for (let i = 0; i < scale.labs; i++) {
    const course = `c${(i % courses) + 1}`;
    mkdirSync(join(dir, 'labs', course), { recursive: true });
    const f = join(dir, 'labs', course, `lab${i}.yaml`);
    const students = Array.from(
      { length: scale.studentsPerLab },
      (_, s) =>
        `  - {name: s${i}x${s}, sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHN0dWRlbnQta2V5LWZvci10ZXN0cy0wMDAwMDAwMDA k"]}`,
    );
    writeFileSync(
      f,
      [
        'apiVersion: 1',
        `title: Lab ${i}`,
        `course: ${course}`,
        'image: ubuntu-24.04',
        'size: small',
        `persistence: ${i % 3 ? 'persistent' : 'ephemeral'}`,
        'students:',
        ...students,
        'schedule:',
        '  start: "2026-10-01"',
        '  end: "2027-02-15"',
        '  hours:',
        `    - {days: [${DAYS[i % 5]}], start: "${String(8 + (i % 8)).padStart(2, '0')}:00", end: "${String(9 + (i % 8)).padStart(2, '0')}:00"}`,
        '',
      ].join('\n'),
    );
    files.push(f);
  }
  return files;
}
