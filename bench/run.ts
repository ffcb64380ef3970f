// `npm run bench`: the CLI's ratios to `node -e 0` (bench/cli-ratios.ts); validate, render and labs validate at 1x (the example's size), 10x and 100x, each
// measured in fresh processes (median wall time of the operation, peak RSS), with the growth between
// scales; then a one-lab change re-render, per-lab helm template, and the SSH fan-out benchmark when
// the fake rack can be built here (root, debootstrap). Never part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCALES, syntheticInventory, writeLabSet, type Scale } from './generate.ts';
import { cliRatios, formatRatios } from './cli-ratios.ts';
import { readRenderInputs } from '../installer/render/inputs.ts';
import { requireSite } from '../installer/inventory/validate.ts';
import { chartSiteValues } from '../installer/render/components/vm-labs/index.ts';
import { toYaml } from '../installer/render/yaml.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
process.env.PATH = `${join(ROOT, '.tools/bin')}:${process.env.PATH}`;

interface Sample {
  ms: number;
  maxRssMiB: number;
  objects?: number;
  bytes?: number;
  files?: number;
  written?: number;
  errors: number;
}

function measure(op: string, args: string[]): Sample {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/measure.ts'), op, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${op} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const cliMs = (args: string[], cwd: string) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/labctl.js'), ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`labctl ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t;
};

// First the goals of issue 16: whole CLI runs as ratios to `node -e 0`, interleaved (BENCH_VS=<another
// checkout> adds that checkout's commands to the same rounds, for a before/after).
console.log(
  formatRatios(
    cliRatios({ runs: RUNS, checkouts: [ROOT, ...(process.env.BENCH_VS ? [resolve(process.env.BENCH_VS)] : [])] }),
    RUNS,
  ) + '\n',
);

interface Row {
  op: string;
  scale: Scale;
  work: number;
  ms: number;
  cliMs?: number;
  rss: number;
  objects?: number;
  bytes?: number;
  files?: number;
}
const rows: Row[] = [];
const work = mkdtempSync(join(tmpdir(), 'labctl-bench-'));
try {
  for (const scale of SCALES) {
    const dir = join(work, scale.name);
    const inv = join(work, `${scale.name}.yaml`);
    writeFileSync(inv, syntheticInventory(scale));
    writeLabSet(dir, scale);
    const samples: Record<string, Sample[]> = { validate: [], render: [], 'labs-validate': [] };
    const cli: Record<string, number[]> = { validate: [], render: [], 'labs-validate': [] };
    // Operations alternate within each round so machine noise spreads evenly over them.
    for (let i = 0; i < RUNS; i++) {
      samples.validate!.push(measure('validate', [inv]));
      samples.render!.push(measure('render', [inv, join(work, `out-${scale.name}-${i}`)]));
      samples['labs-validate']!.push(measure('labs-validate', [inv, join(dir, 'labs')]));
      cli.validate!.push(cliMs(['validate', inv], work));
      cli.render!.push(cliMs(['render', '-i', inv, '-o', join(work, `cli-${scale.name}-${i}`)], work));
      cli['labs-validate']!.push(cliMs(['labs', 'validate', '-i', inv, '--labs', join(dir, 'labs')], work));
    }
    for (const [op, ss] of Object.entries(samples)) {
      if (ss.some((s) => s.errors > 0)) throw new Error(`${op} at ${scale.name} reported errors`);
      const w = op === 'validate' ? scale.nodes : op === 'render' ? ss[0]!.objects! : scale.labs * scale.studentsPerLab;
      rows.push({
        op,
        scale,
        work: w,
        ms: median(ss.map((s) => s.ms)),
        cliMs: median(cli[op]!),
        rss: Math.max(...ss.map((s) => s.maxRssMiB)),
        objects: ss[0]!.objects,
        bytes: ss[0]!.bytes,
        files: ss[0]!.files,
      });
    }
  }

  const unit: Record<string, string> = { validate: 'nodes', render: 'objects', 'labs-validate': 'students' };
  const lines = [
    `labctl benchmarks (${RUNS} runs each, median; node ${process.version}, ${process.arch})`,
    '',
    '| operation | scale | work | op median ms | CLI median ms | peak RSS MiB | objects | files | bytes | time growth vs previous | work growth |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const prev = rows.filter((x) => x.op === r.op && SCALES.indexOf(x.scale) === SCALES.indexOf(r.scale) - 1)[0];
    lines.push(
      `| ${r.op} | ${r.scale.name} | ${r.work} ${unit[r.op]} | ${r.ms.toFixed(0)} | ${r.cliMs?.toFixed(0)} | ${r.rss.toFixed(0)} | ${r.objects ?? ''} | ${r.files ?? ''} | ${r.bytes ?? ''} | ${prev ? (r.ms / prev.ms).toFixed(2) + 'x' : ''} | ${prev ? (r.work / prev.work).toFixed(1) + 'x' : ''} |`,
    );
  }

  // A change to one lab file: labs are expanded in the cluster (ApplicationSet + chart), so a re-render
  // of the site repository writes nothing at all.
  const big = SCALES[SCALES.length - 1]!;
  const site = join(work, 'site-100x');
  measure('render', [join(work, `${big.name}.yaml`), site]);
  writeLabSet(site, big);
  appendFileSync(join(site, 'labs/c1/lab0.yaml'), '# changed by the benchmark\n');
  const again = measure('render', [join(work, `${big.name}.yaml`), site]);
  lines.push(
    '',
    `re-render of the ${big.name} site after changing one lab file: ${again.written} file(s) rewritten (lab objects are rendered in-cluster by the ApplicationSet, per lab)`,
  );

  // What ArgoCD does per lab: helm template of charts/vm-lab for one lab of 50 students.
  const oneLab = join(work, '1x', 'labs', 'c1', 'lab0.yaml');
  const v = requireSite(join(work, '1x.yaml'));
  if ('errors' in v) throw new Error('1x inventory invalid');
  const siteValues = join(work, 'site-values.yaml');
  writeFileSync(siteValues, toYaml(chartSiteValues({ site: v.site, ...readRenderInputs(v.site) }), { object: false }));
  const helmMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(
      'helm',
      ['template', 'lab0', join(ROOT, 'charts/vm-lab'), '-n', 'course-c1-lab0', '-f', siteValues, '-f', oneLab],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`helm template: ${r.stderr}`);
    helmMs.push(performance.now() - t);
  }
  lines.push(
    `helm template of one lab (${big.studentsPerLab} students), as ArgoCD does per lab Application: median ${median(helmMs).toFixed(0)} ms`,
  );
  console.log(lines.join('\n'));

  // SSH fan-out on the fake rack (needs root, network namespaces and debootstrap).
  if (process.env.BENCH_SSH !== '0') {
    try {
      const { sshFanout, formatFanout } = await import('./ssh-fanout.ts');
      console.log('\nSSH fan-out on the fake rack (real sshd per host in network namespaces):');
      console.log(formatFanout(await sshFanout({ runs: RUNS })));
    } catch (e) {
      console.log(`\nSSH fan-out benchmark not run: ${(e as Error).message.split('\n')[0]}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
