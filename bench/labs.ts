// Measures the labs pipeline at scale: 100 lab files of 50 students each (5000 VMs).
// `node --import tsx bench/labs.ts` prints the figures; never part of the test suite.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRenderInputs } from '../installer/render/inputs.ts';
import { requireSite } from '../installer/inventory/validate.ts';
import { chartSiteValues } from '../installer/render/components/vm-labs/index.ts';
import { toYaml } from '../installer/render/yaml.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'inventory.example.yaml');
process.env.PATH = `${join(ROOT, '.tools/bin')}:${process.env.PATH}`;
const LABS = 100,
  STUDENTS = 50;
const dir = mkdtempSync(join(tmpdir(), 'labs-bench-'));
try {
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error('example inventory invalid');
  const site = join(dir, 'site-values.yaml');
  writeFileSync(site, toYaml(chartSiteValues({ site: v.site, ...readRenderInputs(v.site) }), { object: false }));
  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
  const files: string[] = [];
  for (let i = 0; i < LABS; i++) {
    const course = i % 2 ? 'netsec' : 'os101';
    mkdirSync(join(dir, 'labs', course), { recursive: true });
    const f = join(dir, 'labs', course, `lab${i}.yaml`);
    const students = Array.from(
      { length: STUDENTS },
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
        `    - {days: [${days[i % 5]}], start: "${String(8 + (i % 8)).padStart(2, '0')}:00", end: "${String(10 + (i % 8)).padStart(2, '0')}:00"}`,
        '',
      ].join('\n'),
    );
    files.push(f);
  }
  const time = (label: string, fn: () => void) => {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    console.log(`${label}: ${ms.toFixed(0)} ms`);
    return ms;
  };
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/labctl.js'), ...args], { cwd: dir, encoding: 'utf8' });
  time(`labctl labs validate (${LABS} labs x ${STUDENTS} students, CLI incl. start-up)`, () => {
    const r = cli(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs']);
    if (r.status !== 0) throw new Error(r.stderr);
    console.log(`  ${r.stdout.trim()}`);
  });
  time('labctl labs capacity (same labs)', () => {
    const r = cli(['labs', 'capacity', '-i', EXAMPLE, '--labs', 'labs']);
    console.log(`  exit ${r.status}: ${r.stdout.split('\n').find((l) => l.startsWith('busiest'))}`);
  });
  let objects = 0;
  let bytes = 0;
  const total = time(`helm template, ${LABS} sequential runs (one per lab Application)`, () => {
    for (const [i, f] of files.entries()) {
      const r = spawnSync(
        'helm',
        ['template', `lab${i}`, join(ROOT, 'charts/vm-lab'), '-n', `course-x-lab${i}`, '-f', site, '-f', f],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      if (r.status !== 0) throw new Error(r.stderr);
      objects += (r.stdout.match(/^kind: /gm) ?? []).length;
      bytes += r.stdout.length;
    }
  });
  console.log(
    `  ${objects} objects (${(objects / LABS).toFixed(1)} per lab, ${(objects / LABS / STUDENTS).toFixed(2)} per student incl. per-lab objects), ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${(total / LABS).toFixed(0)} ms per lab`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
