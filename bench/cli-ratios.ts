// The CLI at the speed of the machine (issue 16): whole `labctl` runs against Node's own start-up
// (`node -e 0`, the floor), as ratios measured in one interleaved run so a busy machine slows every
// command alike. Goals: validate of the example within 3x of the floor, render within 7x, the 100x
// synthetic site (bench/generate.ts) within 1.5x of the example's render.
// `node --import tsx bench/cli-ratios.ts [--runs N] [--vs <other checkout>]`: with --vs, the same
// commands of another checkout (e.g. a worktree of an older commit) interleaved, for before/after.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCALES, syntheticInventory } from './generate.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

export interface RatioRow {
  checkout: string;
  op: string;
  medianMs: number;
  ratio: number;
  of: string;
  goal: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function cliRatios(opts: { runs?: number; checkouts?: string[] } = {}): RatioRow[] {
  const runs = Math.max(3, Math.min(opts.runs ?? 7, 50));
  const checkouts = opts.checkouts ?? [ROOT];
  const work = mkdtempSync(join(tmpdir(), 'labctl-cli-ratios-'));
  try {
    const example = join(ROOT, 'inventory.example.yaml');
    const big = join(work, '100x.yaml');
    writeFileSync(big, syntheticInventory(SCALES.find((s) => s.name === '100x')!));
    let n = 0;
    const out = () => join(work, `out-${n++}`); // a fresh, empty output folder for every render
    type Cmd = { key: string; argv: () => string[] };
    const cmds: Cmd[] = [{ key: 'floor', argv: () => ['-e', '0'] }];
    for (const c of checkouts) {
      const bin = join(c, 'bin/labctl.js');
      cmds.push(
        { key: `${c}|validate`, argv: () => [bin, 'validate', example] },
        { key: `${c}|render`, argv: () => [bin, 'render', '-i', example, '-o', out()] },
        { key: `${c}|render-100x`, argv: () => [bin, 'render', '-i', big, '-o', out()] },
      );
    }
    const times = new Map<string, number[]>(cmds.map((c) => [c.key, []]));
    for (let round = 0; round <= runs; round++) {
      for (let j = 0; j < cmds.length; j++) {
        const c = cmds[(round + j) % cmds.length]!;
        const t = performance.now();
        const r = spawnSync(process.execPath, c.argv(), { cwd: work, encoding: 'utf8', maxBuffer: 64 << 20 });
        const ms = performance.now() - t;
        if (r.status !== 0) throw new Error(`${c.key}: exit ${r.status}: ${r.stderr}`);
        if (round > 0) times.get(c.key)!.push(ms); // round 0 warms caches and builds bundles
      }
    }
    // Ratios pair by pair (the runs of one round ran side by side), then the median of those.
    const paired = (a: string, b: string) => median(times.get(a)!.map((x, i) => x / times.get(b)![i]!));
    const rows: RatioRow[] = [];
    for (const c of checkouts) {
      rows.push(
        {
          checkout: c,
          op: 'validate (example)',
          medianMs: median(times.get(`${c}|validate`)!),
          ratio: paired(`${c}|validate`, 'floor'),
          of: 'node -e 0',
          goal: 3,
        },
        {
          checkout: c,
          op: 'render (example)',
          medianMs: median(times.get(`${c}|render`)!),
          ratio: paired(`${c}|render`, 'floor'),
          of: 'node -e 0',
          goal: 7,
        },
        {
          checkout: c,
          op: 'render (100x site)',
          medianMs: median(times.get(`${c}|render-100x`)!),
          ratio: paired(`${c}|render-100x`, `${c}|render`),
          of: 'render (example)',
          goal: 1.5,
        },
      );
    }
    rows.push({ checkout: '', op: 'node -e 0', medianMs: median(times.get('floor')!), ratio: 1, of: '', goal: 0 });
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatRatios(rows: RatioRow[], runs: number): string {
  const lines = [
    `CLI against node -e 0 (${runs} interleaved rounds after a warm-up; ratio = median of the per-round ratios)`,
    '| checkout | command | median ms | ratio | of | goal |',
    '|---|---|---:|---:|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.checkout === ROOT ? 'this' : r.checkout} | ${r.op} | ${r.medianMs.toFixed(0)} | ${r.goal ? r.ratio.toFixed(2) + 'x' : ''} | ${r.of} | ${r.goal ? `<= ${r.goal}x ${r.ratio <= r.goal ? 'met' : 'NOT met'}` : ''} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const ri = args.indexOf('--runs');
  const runs = ri >= 0 ? Number(args[ri + 1]) : 7;
  const vi = args.indexOf('--vs');
  const checkouts = [ROOT, ...(vi >= 0 ? [resolve(args[vi + 1]!)] : [])];
  console.log(formatRatios(cliRatios({ runs, checkouts }), runs));
}
