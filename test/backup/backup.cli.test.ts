// The backup commands through the real CLI where no cluster is needed: a site without backup: is a
// Problem (exit 1) that says so, usage errors exit 2, and nothing is contacted before those checks.
import { describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

describe('labctl backup / restore: refusals before any connection (real CLI)', () => {
  it.each([
    [['backup', 'list', '-i', EXAMPLE]],
    [['backup', 'now', '-i', EXAMPLE, '--yes']],
    [['restore', '--plan', '-i', EXAMPLE]],
  ])('%j on a site without backup: exits 1 saying so', async (args) => {
    const r = await labctl(args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      'inventory.example.yaml: this site has no backup: section, so there are no Velero backups or etcd snapshots to list or restore',
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
});
