// Where a command's CPU goes, by program: runs COMMAND under the kernel's process accounting (acct's accton),
// then sums the user+system CPU of every process it started, directly or not, by program name. This is how
// issue 16 found a Go build inside a test (35 CPU-s of a new machine's suite) and what the ~580 labctl runs
// cost. Needs root and Debian's acct package (accton, dump-acct). Process accounting is machine-wide and
// one file at a time: a run inside another (its test, in a suite being measured) reads the outer run's file
// from where it stood at its start instead of switching the file, and only the outermost turns accounting off.
//   node --import tsx bench/cpu-by-program.ts [--most N] -- COMMAND [ARGS...]   (--help)
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs, stop } from './options.ts';

const usage = `usage: node --import tsx bench/cpu-by-program.ts [--most N (20)] -- COMMAND [ARGS...]
Runs COMMAND under process accounting (root; Debian package acct) and prints the CPU-seconds of every
program it started, most first. Node processes are split into short-lived (under 60 s: labctl runs and
the like) and long-lived (vitest and its workers).`;

function fail(message: string, code = 2): never {
  stop(message, usage, code);
}
const { n: most, positionals } = benchArgs(usage, 'most', 20);
const [command, ...args] = positionals;
if (!command) fail('no COMMAND given (after --)');
if (process.getuid?.() !== 0) fail('process accounting needs root (accton)', 1);
for (const tool of ['accton', 'dump-acct'])
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
    fail(`${tool} not found: install Debian's acct package (apt-get install acct)`, 1);

interface Proc {
  comm: string;
  cpu: number; // user + system, seconds
  elapsed: number;
  pid: number;
  ppid: number;
  start: number; // seconds since the epoch (whole seconds in the record)
}

/** dump-acct's lines: comm|version|utime|stime|elapsed|uid|gid|mem|io|pid|ppid|flags|exit|tty|start, times in 1/100 s. */
export function parseDump(text: string): Proc[] {
  const out: Proc[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('|').map((x) => x.trim());
    if (f.length < 15) continue;
    const elapsed = Number(f[4]) / 100;
    out.push({
      comm: f[0]!,
      cpu: (Number(f[2]) + Number(f[3])) / 100,
      elapsed,
      pid: Number(f[9]),
      ppid: Number(f[10]),
      start: Date.parse(`${f[14]} UTC`) / 1000,
    });
  }
  return out;
}

/**
 * The processes below `root` (its pid and start): pids are reused within a long run (pid_max is often 32768),
 * so a parent is the process with that pid that was alive when the child started.
 */
export function descendants(procs: Proc[], rootPid: number, rootStart: number): Proc[] {
  const byPid = new Map<number, Proc[]>();
  for (const p of procs) byPid.set(p.pid, [...(byPid.get(p.pid) ?? []), p]);
  const parentOf = (c: Proc) =>
    (byPid.get(c.ppid) ?? [])
      .filter((q) => q.start <= c.start + 1 && q.start + q.elapsed >= c.start - 1)
      .sort((a, b) => b.start - a.start)[0];
  const children = new Map<Proc, Proc[]>();
  for (const p of procs) {
    const parent = parentOf(p);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const root = (byPid.get(rootPid) ?? []).find((p) => Math.abs(p.start - rootStart) <= 2);
  if (!root) return [];
  const seen = new Set<Proc>();
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    todo.push(...(children.get(p) ?? []));
  }
  return [...seen];
}

const program = (p: Proc) =>
  p.comm === 'node' ? (p.elapsed < 60 ? 'node (short-lived)' : 'node (long-lived)') : p.comm;

/** The accounting file of a run that is measuring now (this tool, further out), if any. */
const OUTER = '/run/cpu-by-program.json';
function outerFile(): string | null {
  try {
    const { pid, file } = JSON.parse(readFileSync(OUTER, 'utf8')) as { pid: number; file: string };
    process.kill(pid, 0); // alive
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cpu-by-program-'));
const outer = outerFile();
const file = outer ?? join(dir, 'pacct');
const from = outer ? statSync(outer).size : 0; // whole records: the kernel writes each at once
if (!outer) {
  writeFileSync(file, '');
  if (spawnSync('accton', [file]).status !== 0) fail('accton could not turn process accounting on', 1);
  writeFileSync(OUTER, JSON.stringify({ pid: process.pid, file }));
}
const started = Math.floor(Date.now() / 1000);
const child = spawn(command, args, { stdio: 'inherit' });
const code: number = await new Promise((done) => {
  child.on('error', (e) => {
    process.stderr.write(`${command}: ${e.message}\n`);
    done(127);
  });
  child.on('close', (c) => done(c ?? 1));
});
let records = file;
if (outer) {
  // The outer run's records since this one started, as a file of their own for dump-acct.
  records = join(dir, 'since');
  const fd = openSync(outer, 'r');
  const bytes = Buffer.alloc(statSync(outer).size - from);
  readSync(fd, bytes, 0, bytes.length, from);
  closeSync(fd);
  writeFileSync(records, bytes);
} else {
  spawnSync('accton', ['off']);
  rmSync(OUTER, { force: true });
}
const dump = spawnSync('dump-acct', [records], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
  env: { ...process.env, TZ: 'UTC' },
});
rmSync(dir, { recursive: true, force: true });
// The command itself is a child of this process: it and all below it.
const procs = descendants(parseDump(dump.stdout), child.pid ?? -1, started);
const total = procs.reduce((s, p) => s + p.cpu, 0);
const rows = new Map<string, { cpu: number; n: number }>();
for (const p of procs) {
  const r = rows.get(program(p)) ?? { cpu: 0, n: 0 };
  r.cpu += p.cpu;
  r.n += 1;
  rows.set(program(p), r);
}
process.stdout.write(`\n${command} exit ${code}: ${total.toFixed(1)} CPU-s in ${procs.length} processes\n`);
process.stdout.write('   CPU-s      %  processes  program\n');
for (const [name, r] of [...rows].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, most))
  process.stdout.write(
    `${r.cpu.toFixed(1).padStart(8)} ${((100 * r.cpu) / (total || 1)).toFixed(1).padStart(6)} ${String(r.n).padStart(10)}  ${name}\n`,
  );
process.exit(code);
