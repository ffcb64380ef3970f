// The rendered site README's layout table against the site repository the journey makes (init, secrets
// init, render -o .): every path the table names exists, and every top-level entry of the repository is in
// the table. A row for a path render no longer writes, or a new top-level file nobody documented, fails.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-site-layout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The backquoted paths of the README's "## Layout" table, first column. */
function layoutPaths(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## Layout'), readme.indexOf('\n## ', readme.indexOf('## Layout') + 3));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.flatMap((r) => [...r.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/** Whether a table path (may hold `<name>` / `<course>` placeholders; a trailing / means a folder) exists. */
function exists(root: string, pattern: string): boolean {
  const parts = pattern.replace(/\/$/, '').split('/');
  const walk = (dir: string, i: number): boolean => {
    if (i === parts.length) return true;
    const p = parts[i]!;
    const names = /^<[a-z]+>$/.test(p) ? readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()) : [p];
    return names.some(
      (n) =>
        existsSync(join(dir, n)) &&
        (i === parts.length - 1
          ? pattern.endsWith('/')
            ? statSync(join(dir, n)).isDirectory()
            : true
          : statSync(join(dir, n)).isDirectory() && walk(join(dir, n), i + 1)),
    );
  };
  return walk(root, 0);
}

async function siteRepo(name: string, init: string[] | 'example'): Promise<string> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const env = { HOME: join(tmp, `${name}-home`) };
  if (init === 'example') {
    const { copyFileSync } = await import('node:fs');
    copyFileSync(EXAMPLE, join(dir, 'inventory.yaml'));
  } else expect((await labctl(['init', ...init], { cwd: dir, env })).code).toBe(0);
  expect((await labctl(['secrets', 'init', '-r', '.'], { cwd: dir, env })).code).toBe(0);
  const r = await labctl(['render', '-o', '.'], { cwd: dir, env });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

describe("the rendered README's layout table matches the rendered site repository", () => {
  for (const [name, init] of [
    [
      'init-site',
      [
        '--yes',
        '--site',
        'cs-lab',
        ...['node1', 'node2', 'node3'].flatMap((n) => ['--disk', `${n}=/dev/disk/by-id/nvme-${n}`]),
      ],
    ],
    ['example-site', 'example'],
  ] as const) {
    it(`${name}: every path in the table exists, every top-level entry is in the table`, async () => {
      const dir = await siteRepo(name, init as string[] | 'example');
      const paths = layoutPaths(readFileSync(join(dir, 'README.md'), 'utf8'));
      expect(paths.length).toBeGreaterThan(10);
      for (const p of paths) expect(exists(dir, p), p).toBe(true);
      const tops = new Set(paths.map((p) => p.split('/')[0]!));
      const entries = readdirSync(dir).filter((e) => e !== '.git');
      for (const e of entries)
        expect(tops.has(e), `${e} is in the repository but not in the README's layout table`).toBe(true);
      // nothing of labctl's local state in the work tree
      for (const f of ['journal.json', 'admin.conf', 'known_hosts'])
        expect(existsSync(join(dir, '.labctl', f))).toBe(false);
    });
  }

  it('fails for a table row render does not write, and for an undocumented entry (the checks can fail)', () => {
    const dir = join(tmp, 'init-site');
    expect(exists(dir, 'components/<name>/values.yaml')).toBe(true);
    expect(exists(dir, 'bootstrap/nothing.yaml')).toBe(false);
    expect(exists(dir, 'components/<name>/nowhere/')).toBe(false);
    expect(
      layoutPaths('## Layout\n\n| path | what |\n|---|---|\n| `a/`, `b.yml` | x |\n\n## Next\n| `c` | y |\n'),
    ).toEqual(['a/', 'b.yml']);
  });
});
