// bench/suite-timeline.ts: one vitest run with the machine's CPU sampled (issue 16's figures). Run here on
// one small file, so the report it reads and the figures it prints are those of a real run.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers.ts';

const script = join(ROOT, 'bench/suite-timeline.ts');
const call = (...args: string[]) => run('node', ['--import', 'tsx', script, ...args], { cwd: ROOT });

describe('bench/suite-timeline.ts', () => {
  it('--help prints the usage and exits 0; a bad option or bound stops it with exit 2 and says which', async () => {
    const help = await call('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--max-minutes N \(40\).*-- <vitest arguments>/s);
    for (const [args, message] of [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--max-minutes', '0'], /--max-minutes must be a whole number >= 1/],
      [['--max-minutes', 'soon'], /--max-minutes must be a whole number >= 1/],
    ] as const) {
      const r = await call(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('runs the files after -- and prints CPU-seconds, how busy the cores were and the file among the longest', async () => {
    const r = await call('--max-minutes', '5', '--', 'test/core/show-controls.test.ts');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/vitest exit 0; wall \d+ s; CPU \d+ CPU-s on \d+ cores/);
    expect(r.stdout).toMatch(/cores busy \d+% on average/);
    expect(r.stdout).toMatch(/\n\s+0 s\s+\d\.\d\d\s+1: core\/show-controls\.test\.ts\n/);
    expect(r.stdout).toMatch(/longest files \(s\):\n\s+\d+\.\d\s+test\/core\/show-controls\.test\.ts\n/);
  });
});
