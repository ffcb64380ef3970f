// bench/cpu-by-program.ts: a command's CPU by program, from the kernel's process accounting (root, acct).
// Run here on a small shell script whose processes are known, so the tree walk and the sums are those of a
// real accounting file.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers.ts';

const script = join(ROOT, 'bench/cpu-by-program.ts');
const call = (...args: string[]) => run('node', ['--import', 'tsx', script, ...args], { cwd: ROOT });

describe('bench/cpu-by-program.ts', () => {
  it('--help prints the usage and exits 0; a bad option, bound or no command stops it with exit 2', async () => {
    const help = await call('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/\[--most N \(20\)\] -- COMMAND \[ARGS\.\.\.\]/);
    for (const [args, message] of [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--most', '0', '--', 'true'], /--most must be a whole number >= 1/],
      [[], /no COMMAND given/],
    ] as const) {
      const r = await call(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("sums the processes the command started, below it only, by program; the exit code is the command's", async () => {
    // 3 x true and one node burning CPU, under one bash; `sleep` runs beside, outside the command: not counted.
    const beside = run('sleep', ['2']);
    const r = await call(
      '--',
      'bash',
      '-c',
      'for i in 1 2 3; do /bin/true; done; node -e "let x = 0; for (let i = 0; i < 2e8; i++) x += i"; exit 3',
    );
    await beside;
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/\nbash exit 3: \d+\.\d CPU-s in 5 processes\n/);
    const rows = Object.fromEntries(
      [...r.stdout.matchAll(/^\s+(\d+\.\d)\s+\d+\.\d\s+(\d+)\s+(.+)$/gm)].map((m) => [
        m[3],
        { cpu: Number(m[1]), n: Number(m[2]) },
      ]),
    );
    expect(Object.keys(rows).sort()).toEqual(['bash', 'node (short-lived)', 'true']);
    expect(rows.true!.n).toBe(3);
    expect(rows.bash!.n).toBe(1);
    expect(rows['node (short-lived)']!.n).toBe(1);
    expect(rows['node (short-lived)']!.cpu).toBeGreaterThan(0.05); // a loop of 2e8 additions: measured, not 0
  });

  it('a run inside a run (this test in a suite being measured) reads the outer file: both count the same processes', async () => {
    const r = await call(
      '--',
      'node',
      '--import',
      'tsx',
      script,
      '--',
      'bash',
      '-c',
      'for i in 1 2; do /bin/true; done',
    );
    expect(r.status, r.stderr).toBe(0);
    const [inner, outer] = r.stdout.split(/\n(?=\S+ exit \d+:)/).filter((t) => t.includes(' exit '));
    expect(inner).toMatch(/^\s*bash exit 0: [\d.]+ CPU-s in 3 processes\n/);
    expect(inner).toMatch(/^\s+[\d.]+\s+[\d.]+\s+2\s+true$/m);
    expect(outer).toMatch(/^node exit 0: [\d.]+ CPU-s in \d+ processes\n/);
    expect(outer).toMatch(/^\s+[\d.]+\s+[\d.]+\s+2\s+true$/m);
    expect(outer).toMatch(/^\s+[\d.]+\s+[\d.]+\s+1\s+node \(short-lived\)$/m);
  });
});
