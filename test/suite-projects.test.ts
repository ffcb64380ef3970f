// vitest.config.ts runs the suites that start daemons or network namespaces in the project `slow`, beside
// the project `fast` (`npm run test:fast` runs only the latter, for quick feedback on a laptop without
// root). A daemon suite left in `fast` would make that feedback slow, and fail where there is no root.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LONGEST_FIRST } from '../vitest.config.ts';
import { ROOT } from './helpers.ts';

/** What starts a daemon or a namespace in a test: a fake rack of sshd hosts, an FRR lab, an OCI registry,
 *  Alertmanager, the kube-apiserver harness started by hand. */
const DAEMONS = /\b(FakeRack\.create|startRegistry|startRefusingProxy|startAlertmanager|startHarness)\(|\bnew Lab\(/;

const testFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );

async function projectFiles(project: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/vitest'),
    ['list', '--project', project, '--filesOnly', '--json'],
    { cwd: ROOT, maxBuffer: 16 << 20 },
  );
  return (JSON.parse(stdout) as { file: string }[]).map((f) => relative(ROOT, f.file)).sort();
}

describe('vitest projects', () => {
  it('every suite that starts a daemon is in `slow`, and every test file is in exactly one project', async () => {
    const daemons = testFiles(join(ROOT, 'test'))
      .filter((f) => DAEMONS.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f))
      .sort();
    expect(daemons).toContain('test/cluster/up.test.ts'); // the pattern still finds them
    const [fast, slow] = await Promise.all([projectFiles('fast'), projectFiles('slow')]);
    expect(daemons.filter((f) => !slow.includes(f))).toEqual([]);
    expect(fast.filter((f) => slow.includes(f))).toEqual([]);
    const all = testFiles(join(ROOT, 'test'))
      .map((f) => relative(ROOT, f))
      .sort();
    expect([...fast, ...slow].sort()).toEqual(all);
    // The files started first are test files of this tree (a rename would silently drop one from the list).
    expect(LONGEST_FIRST.filter((f) => !all.includes(f))).toEqual([]);
  });

  it('`npm run test:fast`, as the README writes it, runs the fast project and none of the daemon suites', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('`npm run test:fast` runs only those');
    // Narrowed to one file of each project, the way a user narrows it (a whole nested run would be the suite);
    // the slow one is harmless if it does run (labctl version).
    const run = (file: string) =>
      promisify(execFile)('npm', ['run', 'test:fast', '--', file], { cwd: ROOT }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const [fast, slow] = await Promise.all([run('test/ci-summary.test.ts'), run('test/package/version.cli.test.ts')]);
    expect(fast.code, fast.out).toBe(0);
    expect(fast.out.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/\bfast\b\|? +test\/ci-summary\.test\.ts \(\d+ tests\)/);
    expect(slow.code).toBe(1);
    expect(slow.out).toContain('No test files found');
  });
});
