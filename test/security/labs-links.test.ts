// Attack: course staff commit a symbolic link (Git keeps links, mode 120000) or labctl is handed something
// that is no file. ArgoCD's repo-server refuses a whole repository that holds a link which is absolute or
// leads outside it (argo-cd util/app/path CheckOutOfBoundsSymlinks, unless --allow-oob-symlinks): one
// link in labs/<course>/ under any name stops every Application of the site repository. `labs validate`
// (what the rendered CI runs) ignored a link not named .yaml and followed the others: a link to a folder
// looped the walk (8 links to "." ran past a minute), a link to /dev/zero was read until memory ran out,
// a pipe was waited on forever. The real CLI, on a real Git checkout.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, labctl } from '../helpers.ts';
import { run } from '../labs/helpers.ts';
import { put, siteRepo, type SiteRepo } from './labs-helpers.ts';

const LAB = 'apiVersion: 1\ntitle: Links\ncourse: netsec\nimage: ubuntu-24.04\nsize: small\nstudents: [alice]\n';

let repo: SiteRepo;
beforeAll(async () => {
  repo = await siteRepo('links');
}, 120_000);
afterAll(() => {
  rmSync(repo.dir, { recursive: true, force: true });
});

/** labs validate as the rendered CI runs it, from the repository's root (paths shown relative to it). */
const validate = (r: SiteRepo) => labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: r.dir });
/** Every course folder and link in labs/ goes, so each attack starts from a clean labs/. */
const clearLabs = (r: SiteRepo) => {
  for (const e of readdirSync(join(r.dir, 'labs'), { withFileTypes: true }))
    if (e.isDirectory() || e.isSymbolicLink()) rmSync(join(r.dir, 'labs', e.name), { recursive: true, force: true });
};
const link = (target: string, rel: string) => {
  mkdirSync(join(repo.dir, rel, '..'), { recursive: true });
  symlinkSync(target, join(repo.dir, rel));
};
/** The entries Git would commit as links (mode 120000). */
const gitLinks = () => {
  const git = (...a: string[]) => execFileSync('git', ['-C', repo.dir, ...a], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A', 'labs');
  return git('ls-files', '-s', 'labs')
    .split('\n')
    .filter((l) => l.startsWith('120000 '))
    .map((l) => l.split('\t')[1]);
};
const refusedLink = (file: string, target: string) =>
  new RegExp(
    `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1 a symbolic link \\(to ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`,
    'm',
  );

describe('attack: links and non-files in the labs folder (labs validate)', () => {
  it('a link under a name labs validate ignored (notes -> /dev/null, README -> ../../(...)/etc/passwd) is refused, named', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/ok.yaml', LAB);
    link('/dev/null', 'labs/netsec/notes');
    link('../'.repeat(20) + 'etc/passwd', 'labs/netsec/docs/README');
    expect(gitLinks().sort()).toEqual(['labs/netsec/docs/README', 'labs/netsec/notes']);
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(refusedLink('labs/netsec/notes', '/dev/null'));
    expect(r.stderr).toMatch(refusedLink('labs/netsec/docs/README', '../'.repeat(20) + 'etc/passwd'));
  });

  it('links to folders (8 links to ".") are refused at once, not walked', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/ok.yaml', LAB);
    for (const n of 'abcdefgh') link('.', `labs/netsec/${n}`);
    const t0 = Date.now();
    const r = await validate(repo);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(1);
    for (const n of 'abcdefgh') expect(r.stderr).toMatch(refusedLink(`labs/netsec/${n}`, '.'));
  }, 30_000);

  it('a lab file that links to /dev/zero or to another course is refused as a link, nothing read through it', async () => {
    clearLabs(repo);
    put(repo, 'labs/os101/shell.yaml', LAB.replace('netsec', 'os101'));
    link('/dev/zero', 'labs/netsec/zero.yaml');
    link('../os101/shell.yaml', 'labs/netsec/shell.yaml');
    link('../os101', 'labs/evil');
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(refusedLink('labs/netsec/zero.yaml', '/dev/zero'));
    expect(r.stderr).toMatch(refusedLink('labs/netsec/shell.yaml', '../os101/shell.yaml'));
    expect(r.stderr).toMatch(refusedLink('labs/evil', '../os101'));
    expect(r.stderr).not.toMatch(/labs\/evil\/shell\.yaml/);
  }, 30_000);

  it('a pipe as a lab file, found or given (also through a link the user typed), is refused, not waited on', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/ok.yaml', LAB);
    execFileSync('mkfifo', [join(repo.dir, 'labs/netsec/pipe.yaml')]);
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^labs\/netsec\/pipe\.yaml:1:1 not a regular file/m);
    const typed = join(repo.dir, 'typed.yaml');
    symlinkSync(join(repo.dir, 'labs/netsec/pipe.yaml'), typed);
    const g = await labctl(['labs', 'validate', '-i', EXAMPLE, typed]);
    expect(g.code, g.stderr).toBe(1);
    expect(g.stderr).toContain('typed.yaml:1:1 not a regular file');
    rmSync(typed);
  }, 30_000);

  it('an image catalog whose image.yaml is a pipe: images list refuses it, not waited on', async () => {
    const images = join(repo.dir, 'images-catalog');
    mkdirSync(join(images, 'pipe'), { recursive: true });
    execFileSync('mkfifo', [join(images, 'pipe/image.yaml')]);
    writeFileSync(join(images, 'pipe/user-data.yaml'), '#cloud-config\n');
    const r = await run(process.execPath, [join(ROOT, 'bin/labctl.js'), 'images', 'list'], {
      env: { ...process.env, LABCTL_IMAGES_DIR: images },
    });
    expect(r.stderr).toMatch(/image\.yaml:1:1 not a regular file/);
  }, 30_000);
});
