// The site repository layout (docs/decisions.md "Site repository layout"): commands run from the
// repository root, -i defaults to inventory.yaml and -o/-r to the folder that holds the inventory; render
// refuses a folder that is neither a site repository nor empty, so a render in the wrong folder (the labctl
// checkout) scatters nothing.
import { afterAll, describe, expect, it } from 'vitest';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, ROOT, cliEnv, fixture, labctl } from './helpers.ts';
import { schemaText } from '../installer/inventory/schema/emit.ts';

/** The file an inventory's `# yaml-language-server: $schema=...` line points to, resolved as the editor does: from the inventory's folder. */
const schemaOf = (inventory: string): string | null => {
  const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(readFileSync(inventory, 'utf8').split('\n')[0]!);
  if (!m) return null;
  const f = join(inventory, '..', m[1]!);
  return existsSync(f) ? readFileSync(f, 'utf8') : null;
};

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'labctl-layout-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const GIT_ID = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};

/** A site repository as a user starts it: inventory.yaml and nothing else. */
const siteRepo = () => {
  const d = tmp();
  copyFileSync(EXAMPLE, join(d, 'inventory.yaml'));
  return d;
};

describe('render: -i inventory.yaml and -o its folder by default', () => {
  it('renders into the folder that holds inventory.yaml (no nested site/), and again into it', async () => {
    const d = siteRepo();
    const r = await labctl(['render'], { cwd: d, env: { LABCTL_AGE_KEY_FILE: join(tmp(), 'none.agekey') } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(d, 'apps/argocd.yaml'))).toBe(true);
    expect(existsSync(join(d, '.labctl/rendered.json'))).toBe(true);
    expect(existsSync(join(d, 'site'))).toBe(false);
    // The second render is into a folder labctl rendered before: allowed, nothing changes.
    const again = await labctl(['render', '--check'], { cwd: d });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('. is up to date with inventory.yaml');
    // -o given explicitly by another path to the same folder is the same repository.
    expect((await labctl(['render', '-i', join(d, 'inventory.yaml')], { cwd: tmp() })).code).toBe(0);
  });

  it('refuses a folder with files of its own that labctl never rendered into, naming -o; writes nothing', async () => {
    // What `labctl render -i inventory.example.yaml` meets in the labctl checkout.
    const d = tmp();
    copyFileSync(EXAMPLE, join(d, 'inventory.example.yaml'));
    for (const f of ['README.md', 'package.json']) writeFileSync(join(d, f), 'ours\n');
    mkdirSync(join(d, 'installer'));
    const before = readdirSync(d).sort();
    const r = await labctl(['render', '-i', 'inventory.example.yaml'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'refusing to render: labctl never rendered into . (no .labctl/rendered.json), and besides inventory.example.yaml it holds files labctl did not write (README.md, installer, package.json)',
    );
    expect(r.stderr).toContain(
      'If not (the labctl checkout, a home folder), render into a new or empty folder with -o DIR. Nothing was written.',
    );
    expect(readdirSync(d).sort()).toEqual(before); // not even the lock folder
    // The README's example from the same folder renders into ./site.
    const ok = await labctl(['render', '-i', 'inventory.example.yaml', '-o', 'site'], { cwd: d });
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(d, 'site/apps/argocd.yaml'))).toBe(true);
    // --overwrite is the explicit yes.
    const forced = await labctl(['render', '-i', 'inventory.example.yaml', '--overwrite'], { cwd: d });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(d, 'README.md'), 'utf8')).not.toBe('ours\n');
  });

  it('a new site repository holding a README.md and notes of its own: names what render would replace and what it keeps; the command it gives works pasted', async () => {
    // New-user trial: it said '. is not a site repository ... Name the site repository with -o DIR (the folder that
    // holds inventory.yaml ...)': the folder that holds inventory.yaml was the one refused.
    const d = siteRepo();
    writeFileSync(join(d, 'README.md'), 'our notes\n');
    writeFileSync(join(d, 'notes.txt'), 'kept\n');
    const r = await labctl(['render'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'labctl: refusing to render: labctl never rendered into . (no .labctl/rendered.json), and besides inventory.yaml it holds files labctl did not write (README.md, notes.txt). If . is to be the site repository, render writes README.md too: move it away, then run labctl render -i inventory.yaml --overwrite (notes.txt kept); --overwrite alone replaces README.md.',
    );
    expect(r.stderr).not.toContain('the folder that holds inventory.yaml');
    expect(readFileSync(join(d, 'README.md'), 'utf8')).toBe('our notes\n');
    renameSync(join(d, 'README.md'), join(d, 'NOTES.md'));
    const pasted = /then run labctl (.*?) \(notes\.txt kept\)/.exec(r.stderr)![1]!.split(' ');
    const ok = await labctl(pasted, { cwd: d });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(d, 'notes.txt'), 'utf8')).toBe('kept\n');
    expect(readFileSync(join(d, 'NOTES.md'), 'utf8')).toBe('our notes\n');
  });

  it('renders into a site repository that holds only inventory.yaml, secrets/, labs/, .git and .gitignore', async () => {
    const d = siteRepo();
    for (const f of ['secrets', 'labs/os101', '.git']) mkdirSync(join(d, f), { recursive: true });
    writeFileSync(join(d, '.gitignore'), '/.labctl/lock\n');
    writeFileSync(join(d, 'labs/os101/shell.yaml'), 'title: mine\n');
    const r = await labctl(['render', '--overwrite'], { cwd: d }); // .gitignore is written by render: --overwrite for that one
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'labs/os101/shell.yaml'), 'utf8')).toBe('title: mine\n');
    const d2 = siteRepo();
    mkdirSync(join(d2, 'secrets'));
    const r2 = await labctl(['render'], { cwd: d2 });
    expect(r2.code, r2.stderr).toBe(0);
  });

  it('render --check -o a missing folder: says so and how to render it, exit 1', async () => {
    const d = siteRepo();
    const r = await labctl(['render', '--check', '-o', 'missing'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'labctl: missing: no such folder, so there is nothing to check against inventory.yaml; labctl render -i inventory.yaml -o missing writes it',
    );
    expect(r.stderr).not.toContain('internal error');
  });

  it('render --check names the command to run with -i and -o', async () => {
    const d = siteRepo();
    expect((await labctl(['render', '-o', 'out'], { cwd: d })).code).toBe(0);
    writeFileSync(join(d, 'out/apps/argocd.yaml'), 'changed\n');
    const r = await labctl(['render', '--check', '-o', 'out'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run labctl render -i inventory.yaml -o out and commit the result');
  });

  it('render --check where a file labctl did not write stands in the way: names it and --overwrite, which then renders', async () => {
    // New-user trial: --check said only "run labctl render ... and commit", and that render refused the file.
    const d = siteRepo();
    expect((await labctl(['render', '-o', 'out'], { cwd: d })).code).toBe(0);
    const state = join(d, 'out/.labctl/rendered.json');
    writeFileSync(state, readFileSync(state, 'utf8').replace('  "apps/argocd.yaml",\n', ''));
    writeFileSync(join(d, 'out/apps/argocd.yaml'), 'mine\n');
    const r = await labctl(['render', '--check', '-o', 'out'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'run labctl render -i inventory.yaml -o out and commit the result; 1 of them labctl did not write (apps/argocd.yaml): move it away first, or add --overwrite to replace it\n',
    );
    expect((await labctl(['render', '-i', 'inventory.yaml', '-o', 'out'], { cwd: d })).code).toBe(1);
    const over = await labctl(['render', '-i', 'inventory.yaml', '-o', 'out', '--overwrite'], { cwd: d });
    expect(over.code, over.stderr).toBe(0);
    expect((await labctl(['render', '--check', '-o', 'out'], { cwd: d })).code).toBe(0);
  });

  it("diff defaults to the inventory's folder and exits 0 whether or not it shows a change (as its --help says)", async () => {
    const d = siteRepo();
    expect((await labctl(['render'], { cwd: d })).code).toBe(0);
    const same = await labctl(['diff'], { cwd: d });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toBe('# 0 added, 0 changed, 0 removed\n');
    writeFileSync(join(d, 'apps/argocd.yaml'), 'changed\n');
    const differs = await labctl(['diff'], { cwd: d });
    expect(differs.code).toBe(0);
    expect(differs.stdout).toContain('+++ b/apps/argocd.yaml');
    expect((await labctl(['diff', '--help'])).stdout).toContain(
      'exit 0 either way; render --check exits 1 on a difference',
    );
  });

  // New-user trial: render -i another inventory into a site repository that has its own (edited) inventory.yaml
  // suggested `cp OTHER site/inventory.yaml`, which pasted overwrote the site's inventory.
  it("-o a folder not holding -i: the note's suggestion, pasted into bash, never overwrites an inventory there", async () => {
    const paste = (note: string, cwd: string) => {
      const cmd = /: (cp \S+ \S+), then use/.exec(note)?.[1];
      if (cmd) expect(spawnSync('bash', ['-c', cmd], { cwd }).status).toBe(0);
      return cmd;
    };
    // An empty folder: the cp is suggested, and makes it a site repository holding the inventory.
    const cwd = tmp();
    mkdirSync(join(cwd, 'site'));
    const fresh = await labctl(['render', '-i', EXAMPLE, '-o', 'site'], { cwd });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(paste(fresh.stdout, cwd)).toBe(`cp ${EXAMPLE} site/inventory.yaml`);
    expect(readFileSync(join(cwd, 'site/inventory.yaml'), 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
    // A site repository with its own inventory: no cp; the note names the site's own inventory to use instead.
    const own = `${readFileSync(EXAMPLE, 'utf8')}# edited by the site\n`;
    writeFileSync(join(cwd, 'site/inventory.yaml'), own);
    const other = await labctl(['render', '-i', EXAMPLE, '-o', 'site'], { cwd });
    expect(other.code, other.stderr).toBe(0);
    expect(paste(other.stdout, cwd)).toBeUndefined();
    expect(other.stdout).toContain(
      `site/inventory.yaml is there already (a cp of ${EXAMPLE} would overwrite it): to render the site it describes, use -i site/inventory.yaml`,
    );
    expect(readFileSync(join(cwd, 'site/inventory.yaml'), 'utf8')).toBe(own);
  });
});

describe('render after labs.path changed', () => {
  it('names the lab files left in the old folder (ArgoCD would drop their labs), and its git mv, run as written, moves them', async () => {
    // render said only "left 3 file(s) ...: labs/README.md, labs/lab.schema.json, labs/roster.schema.json":
    // the lab files beside them were read by nothing any more, and labs validate found 0 labs.
    const site = tmp();
    copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
    for (const course of ['netsec', 'os101'])
      cpSync(fixture('labs/valid', course), join(site, 'labs', course), { recursive: true });
    const first = await labctl(['render'], { cwd: site });
    expect(first.code, first.stderr).toBe(0);
    const git = (...args: string[]) => {
      const g = spawnSync('git', args, { cwd: site, encoding: 'utf8', env: { ...process.env, ...GIT_ID } });
      expect(g.status, g.stderr).toBe(0);
    };
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'site');
    const inv = join(site, 'inventory.yaml');
    writeFileSync(inv, readFileSync(inv, 'utf8').replace(/^ {2}path: labs$/m, '  path: courses'));
    const moved = await labctl(['render'], { cwd: site });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain(
      'labctl: labs/ still holds the lab files of netsec, os101, but the labs folder is now courses (labs.path): nothing reads them, and ArgoCD removes their labs and VMs at its next sync.',
    );
    const cmd = /move them \(from \.\): (.*)\n/.exec(moved.stderr)?.[1];
    expect(cmd).toBe('git mv labs/netsec courses/ && git mv labs/os101 courses/');
    const ran = spawnSync('bash', ['-c', cmd!], { cwd: site, encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    const v = await labctl(['labs', 'validate'], { cwd: site });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^3 lab file\(s\) valid: 3 lab\(s\)/);
  });
});

describe('secrets: -r defaults', () => {
  it('secrets init outside a site repository (no inventory.yaml) is refused, naming -r; nothing is written', async () => {
    const d = tmp();
    const key = join(tmp(), 'k.agekey');
    const r = await labctl(['secrets', 'init', '-k', key], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('this folder holds no inventory.yaml, so it is not a site repository');
    expect(r.stderr).toContain('-r DIR');
    expect(r.stderr).toContain('(run labctl secrets init --help for usage)');
    expect(readdirSync(d)).toEqual([]);
    expect(existsSync(key)).toBe(false);
  });

  it('secrets init in the site repository writes ./secrets; generate and list -i sub/inventory.yaml use sub/secrets', async () => {
    const d = siteRepo();
    const key = join(tmp(), 'k.agekey');
    const r = await labctl(['secrets', 'init', '-k', key], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(d, 'secrets/recipients.txt'))).toBe(true);
    expect(existsSync(join(d, 'site'))).toBe(false);
    const g = await labctl(['secrets', 'generate', '-i', join(d, 'inventory.yaml'), '-k', key], { cwd: tmp() });
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^[1-9]\d* generated/);
    expect(readdirSync(join(d, 'secrets/entries')).length).toBeGreaterThan(0);
  });

  it('secrets init refuses an existing key file (never overwritten, never reused for a second store) before creating anything', async () => {
    const keyDir = tmp();
    const key = join(keyDir, 'k.agekey');
    const first = siteRepo();
    expect((await labctl(['secrets', 'init', '-k', key], { cwd: first })).code).toBe(0);
    const keyBefore = readFileSync(key, 'utf8');
    const second = siteRepo();
    const r = await labctl(['secrets', 'init', '-k', key], { cwd: second });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${key} already exists; nothing was changed`);
    // The suggested key file is a real path, named for the site (the example's site.name), that is not there yet.
    const hint = /For another site give its key a new place: (labctl secrets init -r \. -k (\S+)),/.exec(r.stderr);
    expect(hint?.[2], r.stderr).toBe(join(keyDir, 'cs-lab.agekey'));
    expect(readFileSync(key, 'utf8')).toBe(keyBefore);
    expect(readdirSync(second)).toEqual(['inventory.yaml']);
    // LABCTL_AGE_KEY_FILE is the same key file as -k: the same refusal.
    const env = await labctl(['secrets', 'init'], { cwd: second, env: { LABCTL_AGE_KEY_FILE: key } });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain(`${key} already exists`);
    // A key inside the repository: a usage error, and nothing created.
    const inside = await labctl(['secrets', 'init', '-k', 'site.agekey'], { cwd: second });
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('inside the site repository');
    expect(readdirSync(second)).toEqual(['inventory.yaml']);
    // The suggestion, pasted into bash as printed, makes the second site's key there; the first key is unchanged.
    const pasted = spawnSync(
      'bash',
      ['-c', `labctl() { "${process.execPath}" "${join(ROOT, 'bin/labctl.js')}" "$@"; }\n${hint![1]}`],
      {
        cwd: second,
        env: cliEnv({ HOME: tmp() }),
        encoding: 'utf8',
      },
    );
    expect(pasted.status, pasted.stderr).toBe(0);
    expect(readFileSync(join(keyDir, 'cs-lab.agekey'), 'utf8')).toMatch(/^AGE-SECRET-KEY-1/m);
    expect(readFileSync(key, 'utf8')).toBe(keyBefore);
  });
});

describe("the inventory's editor schema reference works outside the labctl checkout", () => {
  it('in the checkout, after copying the example into a site repository and rendering, and after labctl init', async () => {
    expect(schemaOf(EXAMPLE)).toBe(schemaText());
    // Copied as the README says, the reference points to nothing until render writes the schema beside it.
    const d = siteRepo();
    expect(schemaOf(join(d, 'inventory.yaml'))).toBeNull();
    expect((await labctl(['render'], { cwd: d })).code).toBe(0);
    expect(schemaOf(join(d, 'inventory.yaml'))).toBe(schemaText());
    // Written by an older labctl: render replaces it (it is a rendered file) and --check notices.
    writeFileSync(join(d, 'inventory.schema.json'), '{}\n');
    expect((await labctl(['render', '--check'], { cwd: d })).stdout).toContain('differs  inventory.schema.json');
    const i = tmp();
    // Real disk ids: render refuses init's REPLACE-ME placeholders (test/init.cli.test.ts).
    const disks = ['node1', 'node2', 'node3'].flatMap((n) => ['--disk', `${n}=/dev/disk/by-id/nvme-${n}`]);
    const r = await labctl(['init', '--yes', ...disks], { cwd: i });
    expect(r.code, r.stderr).toBe(0);
    expect(schemaOf(join(i, 'inventory.yaml'))).toBe(schemaText());
    expect(r.stdout).toContain('next, in this folder (the site repository): labctl validate');
    // And that folder is a site repository render accepts as it is.
    expect((await labctl(['render'], { cwd: i })).code).toBe(0);
  });
});

describe('usage errors point to the help of the command that was run', () => {
  it.each([
    [['secrets', 'set'], 'labctl secrets set'],
    [['oncall', 'now', '--output', 'yaml'], 'labctl oncall now'],
    [['render', '--bogus'], 'labctl render'],
    [['labs', 'validate', '--output', 'x'], 'labctl labs validate'],
    [['frobnicate'], 'labctl'],
  ])('%j -> %s --help', async (args, path) => {
    const r = await labctl(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`(run ${path} --help for usage)`);
  });
});

describe('validate takes -i like every other command', () => {
  it('validate -i FILE, validate FILE, and both differing is a usage error', async () => {
    const a = await labctl(['validate', '-i', EXAMPLE]);
    expect(a.code, a.stderr).toBe(0);
    const b = await labctl(['validate', EXAMPLE]);
    expect(b.stdout).toBe(a.stdout);
    const both = await labctl(['validate', EXAMPLE, '-i', 'other.yaml']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('two inventory files');
  });
});

describe('every command a hint suggests runs as shown, with the site flags as typed (hostile folder names)', () => {
  // A shell word as shellWord writes it (plain, '...' or $'...'); trailing prose punctuation is cut below.
  const WORD = String.raw`(?:'[^']*'|\$'(?:[^'\\]|\\.)*'|\\.|[\w@%+=:,./-])+`;
  const HINT = new RegExp(
    `labctl(?: (?:[a-z][a-z0-9/-]*|ENTRY))+(?: (?:-[irko] ${WORD}|--without-backup-credentials))+`,
    'g',
  );
  const hints = (text: string) => [...text.matchAll(HINT)].map((m) => m[0].replace(/[.,:;]+$/, ''));

  it('render, secrets init and plan: each hint, pasted into bash, runs labctl with exactly the typed -i/-r/-o/-k and nothing else', async () => {
    const d = tmp();
    const inv = 's;touch PWNED;#/inventory.yaml';
    const out = `o'ut $(touch PWNED) "x"\\ é`;
    // ESC [2K and CR would redraw the terminal line; tab and newline act when pasted.
    const key = 'k\x1b[2K\r$(touch PWNED)\t\n.agekey';
    mkdirSync(join(d, 's;touch PWNED;#'));
    copyFileSync(EXAMPLE, join(d, inv));
    // A labctl stub first on PATH: records its argv (NUL-separated), and runs the real one when asked.
    const bin = join(d, 'stub'),
      argvDir = join(d, 'argv');
    mkdirSync(bin);
    mkdirSync(argvDir);
    writeFileSync(
      join(bin, 'labctl'),
      `#!/bin/bash\nprintf '%s\\0' "$@" > "$ARGV_DIR/$(ls "$ARGV_DIR" | wc -l)"\n[ -z "$REAL" ] || exec "${process.execPath}" "${join(ROOT, 'bin/labctl.js')}" "$@"\n`,
      { mode: 0o755 },
    );
    const env = cliEnv({ HOME: join(d, 'home'), LABCTL_STATE_DIR: join(d, 'state'), ARGV_DIR: argvDir });
    const recorded: string[][] = [];
    /** Each hint pasted into bash as printed; what labctl was called with, one argv per hint. */
    const paste = (cmds: string[], real = false) => {
      const r = spawnSync('bash', ['-c', cmds.join('\n')], {
        cwd: d,
        env: { ...env, PATH: `${bin}:${env.PATH}`, ...(real ? { REAL: '1' } : {}) },
        encoding: 'utf8',
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const files = readdirSync(argvDir).sort((a, b) => Number(a) - Number(b));
      const got = files.map((f) => readFileSync(join(argvDir, f), 'utf8').split('\0').slice(0, -1));
      for (const f of files) rmSync(join(argvDir, f));
      expect(got.length, cmds.join('\n')).toBe(cmds.length);
      recorded.push(...got);
      return r.stdout + r.stderr;
    };
    const first = await labctl(['render', '-i', inv, '-o', out, '-k', key], { cwd: d, env });
    expect(first.code, first.stderr).toBe(0);
    const [init, renderAgain, ...other] = hints(first.stdout);
    expect(init).toMatch(/^labctl secrets init /);
    expect(renderAgain).toMatch(/^labctl render /);
    expect(other).toEqual([]);
    // The note's cp, as printed, copies the inventory into the rendered folder.
    const cp = new RegExp(`cp (${WORD}) (${WORD}), then use -i`).exec(first.stdout);
    expect(cp, first.stdout).not.toBeNull();
    expect(spawnSync('bash', ['-c', cp![0]!.replace(/, then use -i$/, '')], { cwd: d }).status).toBe(0);
    expect(readFileSync(join(d, out, 'inventory.yaml'))).toEqual(readFileSync(join(d, inv)));
    // Run for real: the store and the key are made where the hint says, then render fills the store.
    const again = paste([init!], true) + paste([renderAgain!], true);
    expect(existsSync(join(d, key))).toBe(true);
    expect(again).toMatch(/secrets: generated \d+ new entries/);
    const supply = hints(again);
    expect(supply.length, again).toBe(1);
    expect(supply[0]).toMatch(/^labctl secrets set ENTRY /);
    const plan = await labctl(['plan', '-i', inv, '-r', out, '-k', key], { cwd: d, env });
    expect(plan.code, plan.stderr).toBe(0);
    const next = hints(plan.stdout + plan.stderr);
    expect(next.map((h) => h.split(' ').slice(0, 3).join(' '))).toEqual([
      'labctl secrets set',
      'labctl secrets set',
      'labctl up -i',
      'labctl up -i',
    ]);
    paste([...supply, ...next]);
    // No hint ran anything but labctl; every path reached it as typed, and every command kept -k.
    expect((readdirSync(d, { recursive: true }) as string[]).filter((f) => /(^|\/)PWNED$/.test(f))).toEqual([]);
    expect(recorded).toHaveLength(7);
    const want: Record<string, string> = { '-i': inv, '-r': out, '-o': out, '-k': key };
    for (const argv of recorded) {
      const flags = argv.flatMap((a, j) => (a in want ? [[a, argv[j + 1]]] : []));
      expect(
        flags.map(([f, v]) => [f, v === want[f!]]),
        JSON.stringify(argv),
      ).toEqual(flags.map(([f]) => [f, true]));
      expect(argv, 'the typed -k is kept').toContain('-k');
    }
    // The printed suggestions hold no raw control character: the key's ESC, CR, tab and newline are $'\x..'.
    for (const text of [first.stdout, again, plan.stdout, plan.stderr])
      expect(text.match(/[\x00-\x08\x0b-\x1f\x7f]/g) ?? [], JSON.stringify(text)).toEqual([]);
  });
});
