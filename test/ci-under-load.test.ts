// bench/ci-under-load.sh runs the whole CI N times beside CPU hogs (minutes each: never from a test). Its
// argument handling is checked here, since a mistyped option must stop it before the first clone.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers.ts';

const script = join(ROOT, 'bench/ci-under-load.sh');
const call = (...args: string[]) => run('bash', [script, ...args], { cwd: ROOT });

describe('bench/ci-under-load.sh arguments', () => {
  it('--help prints the options and exits 0 without running anything', async () => {
    const r = await call('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--runs N \(5\).*--hogs N \(1\).*--rev REV/s);
  });

  it('a bad or missing value, an unknown option or commit stops it with exit 2 and says which', async () => {
    const cases: [string[], RegExp][] = [
      [['--runs'], /--runs needs a value/],
      [['--runs', '0'], /--runs must be 1\.\.20/],
      [['--hogs', '9'], /--hogs must be 0\.\.8/],
      [['--max-minutes', '1.5'], /--max-minutes must be a whole number/],
      [['--bogus'], /unknown argument: --bogus/],
      [['--rev', 'no-such-commit-here'], /--rev no-such-commit-here: no such commit/],
    ];
    for (const [args, message] of cases) {
      const r = await call(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
