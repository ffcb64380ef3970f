// The backup commands through the real CLI where no cluster is needed: a site without backup: is a
// Problem (exit 1) that says so, usage errors exit 2, and nothing is contacted before those checks.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { RESTORE_PLAN_EXAMPLE, RESTORE_YES_EXAMPLE } from '../../installer/cli/commands/backup-register.ts';
import { EXAMPLE, fixture, labctl } from '../helpers.ts';

// The example has a backup: section; the "no backup" case is the same site with that section removed.
const dir = mkdtempSync(join(tmpdir(), 'labctl-nobackup-'));
const NO_BACKUP = join(dir, 'inventory.yaml');
const doc = parseDocument(readFileSync(EXAMPLE, 'utf8'));
if (!doc.has('backup')) throw new Error(`${EXAMPLE} has no backup: section any more; this copy proves nothing`);
doc.delete('backup');
writeFileSync(NO_BACKUP, doc.toString());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('labctl backup / restore: refusals before any connection (real CLI)', () => {
  it.each([
    [['backup', 'list', '-i', NO_BACKUP]],
    [['backup', 'now', '-i', NO_BACKUP, '--yes']],
    [['restore', '--plan', '-i', NO_BACKUP]],
  ])('%j on a site without backup: exits 1 saying so', async (args) => {
    // A state dir without admin.conf and no KUBECONFIG: the refusal must come before any kubeconfig lookup.
    const r = await labctl(args, { env: { LABCTL_STATE_DIR: dir, KUBECONFIG: '' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `${NO_BACKUP}: this site has no backup: section, so there are no Velero backups or etcd snapshots to list or restore`,
    );
    expect(r.stdout).toBe('');
  });

  it('usage errors exit 2 with the command hint: --plan with --yes, a bad namespace name', async () => {
    const both = await labctl(['restore', '--plan', '--yes', '-i', EXAMPLE]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      'labctl: restore: --plan and --yes exclude each other\n(run labctl restore --help for usage)',
    );
    const ns = await labctl(['restore', '--namespace', 'Course_A', '-i', EXAMPLE]);
    expect(ns.code).toBe(2);
    expect(ns.stderr).toContain('--namespace Course_A: not a Kubernetes namespace name');
  });

  it('the lab namespace of the restore --help examples is one the example site has', () => {
    const courses = (doc.toJS() as { labs: { courses: { name: string; backup?: boolean }[] } }).labs.courses;
    const used = [RESTORE_PLAN_EXAMPLE, RESTORE_YES_EXAMPLE].flatMap((t) => t.match(/course-[a-z0-9-]+/g) ?? []);
    expect(used.length).toBe(2);
    for (const ns of new Set(used)) {
      // course-<course>-<lab>: a course of inventory.example.yaml that is backed up, and its lab file.
      const c = courses.find((x) => ns.startsWith(`course-${x.name}-`));
      expect(c, ns).toBeDefined();
      expect(c!.backup, ns).not.toBe(false);
      const lab = ns.slice(`course-${c!.name}-`.length);
      expect(
        existsSync(fixture('labs/valid', c!.name, `${lab}.yaml`)),
        `${ns}: no lab file ${c!.name}/${lab}.yaml`,
      ).toBe(true);
    }
  });
});
