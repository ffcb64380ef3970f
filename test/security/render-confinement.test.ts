// Boundary 5, "render stays in its folder", through the real CLI. The site repository is Git content that
// anyone with commit rights shapes: a committed symlink or a crafted .labctl/rendered.json must not make
// render (or diff, or render --check) write, delete or show a file outside -o. Each attack also runs
// against a weakened copy of labctl (the checks edited out) and succeeds there, so the test can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE } from '../helpers.ts';
import { labctl, labctlAt, weakenedCopy } from './render-weakened-copy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-render-conf-'));
let seq = 0;
const fresh = (name: string) => {
  const d = join(tmp, `${name}-${seq++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
let baseline: string;
let weak: string;

/** A rendered site repository (copied from one render) plus a victim folder outside it. */
function site(): { dir: string; victim: string } {
  const root = fresh('case');
  const dir = join(root, 'site');
  cpSync(baseline, dir, { recursive: true });
  const victim = join(root, 'victim');
  mkdirSync(victim);
  writeFileSync(join(victim, 'keep.txt'), 'do not touch\n');
  return { dir, victim };
}

const render = (dir: string, extra: string[] = [], root?: string) =>
  root
    ? labctlAt(root, ['render', '-i', EXAMPLE, '-o', dir, ...extra])
    : labctl(['render', '-i', EXAMPLE, '-o', dir, ...extra]);

beforeAll(async () => {
  baseline = join(fresh('baseline'), 'site');
  const r = await labctl(['render', '-i', EXAMPLE, '-o', baseline]);
  if (r.code !== 0) throw new Error(r.stderr);
  weak = weakenedCopy([
    [
      'installer/render/write.ts',
      'export function assertNoSymlink(root: string, rel: string, what: string): void {',
      'export function assertNoSymlink(root: string, rel: string, what: string): void { return;',
    ],
    [
      'installer/render/write.ts',
      'const bad = files.filter((f) => !isPlainRelative(f as string));',
      'const bad: unknown[] = [];',
    ],
    [
      'installer/render/write.ts',
      '(removable(path, depthByTop) ? out.removed : out.kept).push(path);',
      'out.removed.push(path);',
    ],
    // What render reads back (a file it compares or diff shows) is opened without following a link too.
    ['installer/core/regular-file.ts', '(o.followLinks ? 0 : constants.O_NOFOLLOW)', '0'],
  ]);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (weak) rmSync(weak, { recursive: true, force: true });
});

describe('symbolic links inside -o are never followed', () => {
  it('a rendered folder replaced by a link to outside: refused, nothing written there (weakened copy writes there)', async () => {
    const { dir, victim } = site();
    rmSync(join(dir, 'apps'), { recursive: true });
    symlinkSync(victim, join(dir, 'apps'));
    const r = await render(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${join(dir, 'apps')} is a symbolic link; labctl removes only plain files and folders inside ${dir} and never follows a link`,
    );
    expect(r.stderr).not.toContain('internal error');
    expect(readdirSync(victim)).toEqual(['keep.txt']);

    const w = await render(dir, [], weak);
    expect(w.code, w.stderr).toBe(0);
    expect(readdirSync(victim)).toContain('argocd.yaml');
  });

  it('a rendered file replaced by a link to an outside file: render refuses, diff does not show the outside file (weakened diff does)', async () => {
    const { dir, victim } = site();
    rmSync(join(dir, 'README.md'));
    symlinkSync(join(victim, 'keep.txt'), join(dir, 'README.md'));
    const r = await render(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'README.md')} is a symbolic link`);
    const d = await labctl(['diff', '-i', EXAMPLE, '-o', dir]);
    expect(d.code).toBe(1);
    expect(d.stdout).not.toContain('do not touch');
    expect(readFileSync(join(victim, 'keep.txt'), 'utf8')).toBe('do not touch\n');

    const wd = await labctlAt(weak, ['diff', '-i', EXAMPLE, '-o', dir]);
    expect(wd.stdout).toContain('-do not touch');
  });

  it('.labctl itself a link to outside: refused before any lock or state file is written there', async () => {
    const { dir, victim } = site();
    rmSync(join(dir, '.labctl'), { recursive: true });
    symlinkSync(victim, join(dir, '.labctl'));
    const r = await render(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, '.labctl')} is a symbolic link`);
    expect(readdirSync(victim)).toEqual(['keep.txt']);
  });
});

describe('a crafted .labctl/rendered.json is refused', () => {
  const craft = (dir: string, entries: string[]) => {
    const state = JSON.parse(readFileSync(join(dir, '.labctl/rendered.json'), 'utf8')) as { files: string[] };
    writeFileSync(join(dir, '.labctl/rendered.json'), JSON.stringify({ files: [...state.files, ...entries] }));
  };

  it('"../victim/keep.txt": refused naming the path, the file survives (weakened copy deletes it)', async () => {
    const { dir, victim } = site();
    craft(dir, ['../victim/keep.txt']);
    const r = await render(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${join(dir, '.labctl/rendered.json')} names 1 path(s) outside ${dir}: "../victim/keep.txt"`,
    );
    expect(existsSync(join(victim, 'keep.txt'))).toBe(true);

    const w = await render(dir, [], weak);
    expect(w.code, w.stderr).toBe(0);
    expect(existsSync(join(victim, 'keep.txt'))).toBe(false);
  });

  // No weakened twin: the paths were always joined to -o (join, not resolve), so an absolute entry
  // could not escape even before; it is refused now so that no later change can make it one.
  it('an absolute path: refused naming it, the file survives', async () => {
    const { dir, victim } = site();
    craft(dir, [join(victim, 'keep.txt')]);
    const r = await render(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`"${join(victim, 'keep.txt')}"`);
    expect(existsSync(join(victim, 'keep.txt'))).toBe(true);
  });

  it('a path through a committed symlink ("link/keep.txt", link -> outside): refused, the file survives (weakened copy deletes it)', async () => {
    const { dir, victim } = site();
    symlinkSync(victim, join(dir, 'link'));
    craft(dir, ['link/keep.txt']);
    const r = await render(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'link')} is a symbolic link; labctl removes only plain files`);
    expect(existsSync(join(victim, 'keep.txt'))).toBe(true);
    await render(dir, [], weak);
    expect(existsSync(join(victim, 'keep.txt'))).toBe(false);
  });

  it('render --check validates rendered.json too (the site CI fails on it)', async () => {
    const { dir } = site();
    expect((await render(dir, ['--check'])).code).toBe(0);
    craft(dir, ['../../etc/passwd']);
    const r = await render(dir, ['--check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('names 1 path(s) outside');
    expect(r.stdout).not.toContain('up to date');
  });
});

describe('local files stay out of Git', () => {
  it('render writes a .gitignore: lock, journal, admin kubeconfig, pins and keys are ignored; rendered files and rendered.json are not', () => {
    const { dir } = site();
    execFileSync('git', ['init', '-q', dir]);
    const ignored = (p: string) => {
      try {
        execFileSync('git', ['-C', dir, 'check-ignore', '-q', p]);
        return true;
      } catch {
        return false;
      }
    };
    for (const p of [
      '.labctl/lock',
      '.labctl/journal.json',
      'admin.conf',
      'journal.json',
      'known_hosts',
      'site.agekey',
      'up.log',
    ])
      expect({ p, ignored: ignored(p) }).toEqual({ p, ignored: true });
    for (const p of [
      '.labctl/rendered.json',
      'apps/argocd.yaml',
      'README.md',
      'secrets/recipients.txt',
      'secrets/entries/bgp/tor-r1.age',
    ])
      expect({ p, ignored: ignored(p) }).toEqual({ p, ignored: false });
  });

  it('the lock is gone after render and render --check leaves the folder as it was', async () => {
    const { dir } = site();
    expect((await render(dir)).code).toBe(0);
    expect(existsSync(join(dir, '.labctl/lock'))).toBe(false);
    expect(readdirSync(join(dir, '.labctl'))).toEqual(['rendered.json']);
  });
});

describe('a crafted .labctl/rendered.json cannot make render delete what it does not write', () => {
  it('the inventory, lab files, roster, .git/ and the secret store stay; a stale rendered file still goes (weakened copy deletes them all)', async () => {
    const attack = async (root?: string) => {
      const { dir } = site();
      execFileSync('git', ['init', '-q', dir]);
      const own = [
        'inventory.yaml',
        'labs/os101/shell.yaml',
        'labs/netsec/roster.yaml',
        'secrets/recipients.txt',
        'notes/ops.md',
      ];
      for (const f of own) {
        mkdirSync(join(dir, f, '..'), { recursive: true });
        writeFileSync(join(dir, f), `# ${f}\n`);
      }
      mkdirSync(join(dir, 'components/retired'), { recursive: true });
      writeFileSync(join(dir, 'components/retired/values.yaml'), 'old: true\n');
      const state = join(dir, '.labctl/rendered.json');
      const rec = JSON.parse(readFileSync(state, 'utf8'));
      rec.files.push(...own, '.git/config', '.git/HEAD', 'components/retired/values.yaml');
      writeFileSync(state, JSON.stringify(rec));
      const r = await render(dir, [], root);
      return { dir, own, r };
    };
    const { dir, own, r } = await attack();
    expect(r.code, r.stderr).toBe(0);
    for (const f of [...own, '.git/config', '.git/HEAD']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(existsSync(join(dir, 'components/retired/values.yaml'))).toBe(false);
    expect(r.stderr).toMatch(/left 7 file\(s\) that \.labctl\/rendered\.json lists but render never writes there/);

    const w = await attack(weak);
    expect(w.r.code, w.r.stderr).toBe(0);
    expect(existsSync(join(w.dir, 'inventory.yaml'))).toBe(false);
    expect(existsSync(join(w.dir, '.git/config'))).toBe(false);
  });
});
