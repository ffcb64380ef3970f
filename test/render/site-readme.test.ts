// The rendered site README against what it points to, for every golden tree (no process: the trees are
// test/golden, the commands labctl's own parser): every relative link opens a file of the tree, and every
// `labctl ...` a reader may copy names a command labctl has, with options that command takes. A path the
// README tells campus IT or the on-call to take must exist.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../installer/cli/main.ts';
import { ROOT } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { component as velero } from '../../installer/render/components/velero/index.ts';

const GOLDEN = join(ROOT, 'test/golden');
const trees = readdirSync(GOLDEN).sort();
const readme = (tree: string) => readFileSync(join(GOLDEN, tree, 'README.md'), 'utf8');

/** The command a `labctl w1 w2 --opt ...` span runs, and the options it names; an error when either is unknown. */
function resolveSpan(span: string): string[] {
  const words = span
    .replace(/\.\.\..*$/, '')
    .trim()
    .split(/\s+/)
    .slice(1);
  const problems: string[] = [];
  let cmd: Command = buildProgram();
  let i = 0;
  for (; i < words.length && !words[i]!.startsWith('-'); i++) {
    const sub = cmd.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
    if (!sub) break; // an argument (a file, a name), not a subcommand
    cmd = sub;
  }
  // A family named alone (`labctl secrets`) or with its subcommand elided (`labctl secrets ... -r .`) is a
  // name, not a command to run; with options and nothing elided it must reach a command that runs.
  if (cmd.commands.length && cmd.parent && i < words.length && !span.includes('...'))
    problems.push(`${span}: "${cmd.name()}" needs a subcommand`);
  for (const w of words.slice(i).filter((w) => w.startsWith('-'))) {
    const flag = w.replace(/=.*$/, '');
    if (!cmd.options.some((o) => o.long === flag || o.short === flag) && flag !== '--help' && flag !== '-h')
      problems.push(`${span}: ${cmd.name()} has no option ${flag}`);
  }
  return problems;
}

/** The README's relative link targets, and those that open no file under dir. */
function links(md: string, dir: string) {
  const relative = [...md.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^[a-z]+:/.test(l));
  return { relative, missing: relative.filter((l) => !existsSync(join(dir, l))) };
}

describe('the rendered site README points only to what exists', () => {
  it.each(trees)('%s: every relative link opens a file of the tree', (tree) => {
    const { relative, missing } = links(readme(tree), join(GOLDEN, tree));
    expect(missing).toEqual([]);
    if (tree === 'example') expect(relative.length).toBeGreaterThan(3);
  });

  it.each(trees)('%s: every `labctl ...` names a command labctl has, with its options', (tree) => {
    const spans = [...new Set([...readme(tree).matchAll(/`(labctl(?: [^`]*)?)`/g)].map((m) => m[1]!))];
    expect(spans.length).toBeGreaterThan(3);
    expect(spans.flatMap(resolveSpan)).toEqual([]);
  });

  it('can fail: a mistyped command or option and a link to a missing runbook are caught', () => {
    expect(resolveSpan('labctl backup lst --all')).not.toEqual([]);
    expect(resolveSpan('labctl restore --planned')).toEqual([
      'labctl restore --planned: restore has no option --planned',
    ]);
    expect(resolveSpan('labctl backup --wait')).toContain('labctl backup --wait: "backup" needs a subcommand');
    expect(resolveSpan('labctl restore --plan')).toEqual([]);
    const dir = join(GOLDEN, 'example');
    expect(links('[late](runbooks/VeleroBackupLate.md) [ok](runbooks/VeleroBackupTooOld.md)', dir).missing).toEqual([
      'runbooks/VeleroBackupLate.md',
    ]);
  });
});

describe('the Backups section', () => {
  it('a site with a backup section (example) names each schedule, its retention and when its alert fires', () => {
    const md = readme('example');
    const section = md.slice(md.indexOf('## Backups'));
    expect(section).toContain('`*-*-* 00/6:00:00` (systemd OnCalendar, node local time)');
    expect(section).toContain('restic repository `s3:https://s3.campus.example.edu/labcloud-backups/etcd/cs-lab`');
    expect(section).toContain('Velero schedule `platform`: namespaces `harbor`, `keycloak`');
    // In code spans: two globs outside one (course-a-*, course-b-*) read as emphasis in Markdown.
    expect(section).toContain('lab namespaces `course-netsec-*`');
    expect(section).not.toMatch(/[^`]course-[a-z0-9-]+-\*[^`]/);
    expect(section).toContain('`0 3 * * *` (cron, UTC) | 720h | `velero/cs-lab/` | 28 h');
    expect(section).toContain('(`backup: false` in the inventory): os101.');
  });

  it('two backed-up courses and an opted-out one nested under one of them: every namespace glob in a code span (Markdown reads two bare globs as emphasis)', () => {
    const text = readFileSync(join(ROOT, 'inventory.example.yaml'), 'utf8').replace(
      '    - {name: os101,',
      '    - {name: db, title: Databases, staff: [jdoe]}\n    - {name: netsec-old, title: Old, staff: [jdoe], backup: false}\n    - {name: os101,',
    );
    const dir = mkdtempSync(join(tmpdir(), 'site-readme-'));
    try {
      writeFileSync(join(dir, 'inventory.yaml'), text);
      const r = requireSite(join(dir, 'inventory.yaml'));
      if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
      const md = velero.readme!({ site: r.site, ...readRenderInputs(r.site) });
      expect(md).toContain('lab namespaces `course-db-*`, `course-netsec-*` except `course-netsec-old-*`');
      expect(md).toContain('(`backup: false` in the inventory): netsec-old, os101.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(trees.filter((t) => !existsSync(join(GOLDEN, t, 'apps/velero.yaml'))))(
    '%s (no backup section): says that nothing is backed up and how to change that',
    (tree) => {
      const section = readme(tree).slice(readme(tree).indexOf('## Backups'));
      expect(section).toMatch(/^## Backups\n\nNone: the inventory has no `backup` section/);
    },
  );
});
