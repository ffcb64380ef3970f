// vitest.config.ts runs the suites that start daemons or network namespaces in the project `slow`, after
// the project `fast` (`npm run test:fast` runs only the latter, for quick feedback on a laptop without
// root). A daemon suite left in `fast` would make that feedback slow, and fail where there is no root.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
  });
});
