// Where the test suite's wall time goes on this machine: runs `vitest run` once with its JSON report and
// samples the machine's CPU (/proc/stat) every second, then prints the CPU-seconds used, how busy the cores
// were, the stretches where they idled with the files running then, and the longest files.
// Run it on a quiet machine: every other process's CPU counts too.
//   node --import tsx bench/suite-timeline.ts [--max-minutes 40] [-- <vitest arguments>]   (--help)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { benchArgs } from './options.ts';

const usage = `usage: node --import tsx bench/suite-timeline.ts [--max-minutes N (40)] [-- <vitest arguments>]
Runs vitest once (the whole suite, or the files and options after --) and prints CPU-seconds, how busy the
cores were, 30 s windows with the files running, and the longest files. Run it on a quiet machine.`;
const { n: maxMinutes, positionals: vitestArgs } = benchArgs(usage, 'max-minutes', 40);

/** busy and total jiffies of the whole machine (first line of /proc/stat). */
function cpuTicks(): { busy: number; all: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0); // idle + iowait
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: all - idle, all };
}

const dir = mkdtempSync(join(tmpdir(), 'suite-timeline-'));
const report = join(dir, 'report.json');
const samples: { t: number; busy: number }[] = [];
const t0 = Date.now();
let last = cpuTicks();
const first = last;
const sampler = setInterval(() => {
  const now = cpuTicks();
  const cores = cpus().length;
  samples.push({ t: (Date.now() - t0) / 1000, busy: ((now.busy - last.busy) / (now.all - last.all || 1)) * cores });
  last = now;
}, 1000);
const child = spawn(
  'npx',
  ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const bound = setTimeout(() => child.kill('SIGTERM'), maxMinutes * 60_000); // bounded: never outlives its limit
const code: number = await new Promise((done) => child.on('exit', (c) => done(c ?? 1)));
clearTimeout(bound);
clearInterval(sampler);
const end = cpuTicks();
const wall = (Date.now() - t0) / 1000;
const cores = cpus().length;
const cpuSeconds = ((end.busy - first.busy) / (end.all - first.all)) * cores * wall;

interface FileResult {
  name: string;
  startTime: number;
  endTime: number;
}
const files = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] }).testResults.map((f) => ({
  name: relative(process.cwd(), f.name),
  start: (f.startTime - t0) / 1000,
  end: (f.endTime - t0) / 1000,
}));
rmSync(dir, { recursive: true, force: true });

const pct = (x: number) => `${Math.round(x * 100)}%`;
console.log(`\nvitest exit ${code}; wall ${wall.toFixed(0)} s; CPU ${cpuSeconds.toFixed(0)} CPU-s on ${cores} cores`);
console.log(
  `cores busy ${pct(cpuSeconds / (wall * cores))} on average; a fully busy machine would take ${(cpuSeconds / cores).toFixed(0)} s`,
);
console.log('\n30 s windows: cores busy, files whose tests ran in it (start to end of the file in the JSON report)');
for (let w = 0; w < wall; w += 30) {
  const inWindow = samples.filter((s) => s.t > w && s.t <= w + 30);
  if (!inWindow.length) continue;
  const busy = inWindow.reduce((a, s) => a + s.busy, 0) / inWindow.length;
  const running = files.filter((f) => f.start < w + 30 && f.end > w).map((f) => f.name.replace(/^test\//, ''));
  console.log(`${String(w).padStart(5)} s  ${busy.toFixed(2)}  ${running.length}: ${running.join(' ').slice(0, 160)}`);
}
console.log('\nlongest files (s):');
for (const f of [...files].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 15))
  console.log(`${(f.end - f.start).toFixed(1).padStart(7)}  ${f.name}`);
process.exitCode = code;
