// The restore plan, computed from a RECORDED backup listing: fixtures/backups.json is a BackupList in the
// shape Velero v1.18 writes (status fields of config/crd/v1/bases/velero.io_backups.yaml: phase,
// start/completion/expiration timestamps, errors, warnings, failureReason, progress). The planner is pure:
// backups + the namespaces and VMs that exist now -> which Restore(s) from which backup, or a refusal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupInfo, covers, namespaceMatches, type VeleroBackup } from '../../installer/backup/velero.ts';
import { formatRestorePlan, planRestore, type ClusterNow } from '../../installer/backup/restore-plan.ts';
import { parseResticSnapshots } from '../../installer/backup/etcd.ts';
import { formatListing } from '../../installer/backup/format.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const listing = (JSON.parse(readFileSync(join(FIX, 'backups.json'), 'utf8')) as { items: VeleroBackup[] }).items;
const backups = listing.map(backupInfo);
const NOW = new Date('2026-11-30T12:00:00Z');
const cluster = (entries: Record<string, string[]>): ClusterNow =>
  new Map(Object.entries(entries).map(([ns, vms]) => [ns, { vms }]));
const empty = cluster({});
const plan = (request: { from?: string; namespaces: string[] }, now: ClusterNow = empty, optedOut = ['os101']) =>
  planRestore({ backups, now: NOW, request, cluster: now, optedOut });

describe('restore plan from a recorded Velero backup listing', () => {
  it('reads the listing as Velero writes it: schedule label, phase, times, counts, namespaces', () => {
    const b = backups.find((x) => x.name === 'labs-20261130030015')!;
    expect(b).toEqual({
      name: 'labs-20261130030015',
      schedule: 'labs',
      phase: 'PartiallyFailed',
      started: '2026-11-30T03:00:15Z',
      completed: '2026-11-30T03:41:07Z',
      expires: '2026-12-30T03:00:15Z',
      errors: 2,
      warnings: 1,
      includedNamespaces: ['course-netsec-*'],
      excludedNamespaces: [],
      failureReason: null,
      items: { backedUp: 96, total: 98 },
    });
    expect(backups.find((x) => x.name === 'platform-20261127030001')!.failureReason).toMatch(/AccessDenied/);
  });

  it('namespace patterns: Velero globs, and a course whose name extends another is not matched by a literal', () => {
    expect(namespaceMatches('course-netsec-*', 'course-netsec-firewall')).toBe(true);
    expect(namespaceMatches('course-netsec-*', 'course-os101-shell')).toBe(false);
    expect(namespaceMatches('harbor', 'harbor-x')).toBe(false);
    expect(namespaceMatches('*', 'anything')).toBe(true);
    expect(covers({ ...backups[0]!, includedNamespaces: ['*'], excludedNamespaces: ['kube-*'] }, 'kube-system')).toBe(
      false,
    );
  });

  it('picks the newest Completed, unexpired backup holding the namespace and says which newer one it passed over', () => {
    const p = plan({ namespaces: ['course-netsec-firewall'] });
    expect(p.refused).toEqual([]);
    expect(p.restores.map((r) => r.backup.name)).toEqual(['labs-20261129030011']);
    expect(p.restores[0]!.passedOver).toEqual([
      'backup labs-20261130030015 is PartiallyFailed: some items were not backed up, so a restore would bring back an incomplete state (2 errors, 1 warnings)',
    ]);
    expect(p.restores[0]!.restore).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      metadata: {
        name: 'labs-20261129030011-restore-20261130120000',
        namespace: 'velero',
        labels: { 'app.kubernetes.io/managed-by': 'labctl' },
      },
      spec: {
        backupName: 'labs-20261129030011',
        includedNamespaces: ['course-netsec-firewall'],
        existingResourcePolicy: 'none',
      },
    });
  });

  it('namespaces from two schedules give one Restore per backup, each with only its namespaces', () => {
    const p = plan({ namespaces: ['harbor', 'course-netsec-firewall', 'keycloak'] });
    expect(p.restores.map((r) => [r.backup.name, r.restore.spec.includedNamespaces])).toEqual([
      ['platform-20261130030012', ['harbor', 'keycloak']],
      ['labs-20261129030011', ['course-netsec-firewall']],
    ]);
  });

  it('refuses a PartiallyFailed, a Failed and an expired backup named with --from, with the reason; nothing planned', () => {
    expect(plan({ from: 'labs-20261130030015', namespaces: [] })).toEqual({
      restores: [],
      refused: [
        'backup labs-20261130030015 is PartiallyFailed: some items were not backed up, so a restore would bring back an incomplete state (2 errors, 1 warnings)',
      ],
    });
    expect(plan({ from: 'platform-20261127030001', namespaces: [] }).refused).toEqual([
      'backup platform-20261127030001 is Failed: nothing usable was stored: error checking if backup already exists in object storage: rpc error: code = Unknown desc = AccessDenied: Access Denied',
    ]);
    expect(plan({ from: 'labs-20261028030010', namespaces: [] }).refused).toEqual([
      'backup labs-20261028030010 expired at 2026-11-27T03:00:10Z (Velero deletes expired backups and their data)',
    ]);
    // The same backup is usable before it expires: the refusal comes from the time, not the name.
    const before = planRestore({
      backups,
      now: new Date('2026-11-01T00:00:00Z'),
      request: { from: 'labs-20261028030010', namespaces: [] },
      cluster: empty,
      optedOut: [],
    });
    expect(before.refused).toEqual([]);
    expect(plan({ from: 'nope', namespaces: [] }).refused[0]).toMatch(
      /^no backup named nope in namespace velero \(newest: /,
    );
    expect(plan({ from: 'platform-20261130030012', namespaces: ['course-netsec-firewall'] }).refused).toEqual([
      'backup platform-20261130030012 does not hold namespace course-netsec-firewall (it holds argocd, cert-manager, harbor, keycloak, monitoring)',
    ]);
  });

  it("an opted-out course's labs are in no backup: refused, naming the inventory key", () => {
    expect(plan({ namespaces: ['course-os101-shell'] }).refused).toEqual([
      'namespace course-os101-shell: course os101 opted out of backups (labs.courses[].backup: false), so no backup holds its labs',
    ]);
    expect(plan({ namespaces: ['course-os101-shell'] }, empty, []).refused).toEqual([
      'namespace course-os101-shell: no backup holds it',
    ]);
  });

  it('namespaces that exist now are marked: existing objects and VMs stay as they are (Velero does not overwrite)', () => {
    const now = cluster({ harbor: [], 'course-netsec-firewall': ['fw-alice', 'fw-bob'] });
    const p = plan({ namespaces: ['course-netsec-firewall', 'course-netsec-ids', 'harbor'] }, now);
    const nss = p.restores.flatMap((r) => r.namespaces!);
    expect(nss).toEqual([
      { namespace: 'harbor', existsNow: true, vmsNow: [] },
      { namespace: 'course-netsec-firewall', existsNow: true, vmsNow: ['fw-alice', 'fw-bob'] },
      { namespace: 'course-netsec-ids', existsNow: false, vmsNow: [] },
    ]);
    const text = formatRestorePlan(p, ['os101']);
    expect(text).toContain(
      '    course-netsec-firewall: exists now; only objects missing from it come back, existing ones are skipped; VMs now: fw-alice, fw-bob (kept as they are)',
    );
    expect(text).toContain('    course-netsec-ids: absent now; comes back whole from the backup');
    expect(text).toContain('Velero does not overwrite existing objects (existingResourcePolicy: none)');
    expect(text).toContain('Not in any backup: the labs of os101 (labs.courses[].backup: false).');
  });

  it('without --namespace: the newest usable backup of each schedule, whole, listing what exists now', () => {
    const now = cluster({ argocd: [], monitoring: [], 'course-netsec-web': ['web-1'], 'course-os101-shell': ['sh-1'] });
    const p = plan({ namespaces: [] }, now);
    expect(p.restores.map((r) => [r.backup.name, r.restore.spec.includedNamespaces])).toEqual([
      ['labs-20261129030011', undefined],
      ['platform-20261130030012', undefined],
    ]);
    expect(p.restores[0]!.existingCovered).toEqual([
      { namespace: 'course-netsec-web', existsNow: true, vmsNow: ['web-1'] },
    ]);
    expect(p.restores[1]!.existingCovered.map((n) => n.namespace)).toEqual(['argocd', 'monitoring']);
    // When every backup of a schedule is unusable, nothing runs.
    const allBad = planRestore({
      backups: backups.filter((b) => b.name !== 'labs-20261129030011'),
      now: NOW,
      request: { namespaces: [] },
      cluster: empty,
      optedOut: [],
    });
    expect(allBad.restores).toEqual([]);
    expect(allBad.refused).toEqual([
      'schedule labs: no usable backup; newest: backup labs-20261130030015 is PartiallyFailed: some items were not backed up, so a restore would bring back an incomplete state (2 errors, 1 warnings)',
    ]);
  });
});

describe('etcd snapshot listing from recorded `restic snapshots --json` output (restic doc/075_scripting.rst shape)', () => {
  it('parses, newest first, with host, tags and size; an empty repository and non-JSON are handled', () => {
    const s = parseResticSnapshots(readFileSync(join(FIX, 'restic-snapshots.json'), 'utf8'));
    expect(s.map((x) => [x.id, x.time, x.host, x.tags, x.bytes])).toEqual([
      ['a1a1a1a1', '2026-11-30T06:00:04.512345678Z', 'cp1', ['cp1'], 41943040],
      ['a2a2a2a2', '2026-11-30T00:00:03.998877665Z', 'cp1', ['cp1'], 41811968],
      ['a3a3a3a3', '2026-11-29T18:00:05.101010101Z', 'cp2', ['cp2'], 41680896],
    ]);
    expect(parseResticSnapshots('[]\n')).toEqual([]);
    expect(parseResticSnapshots('null\n')).toEqual([]);
    expect(() => parseResticSnapshots('Fatal: unable to open config file')).toThrow(
      'restic snapshots --json printed no JSON: Fatal: unable to open config file',
    );
  });

  it('the listing table shows both kinds, newest first', () => {
    const text = formatListing({
      velero: [...backups].sort((a, b) => ((a.started ?? '') < (b.started ?? '') ? 1 : -1)),
      etcd: { node: 'cp1', snapshots: parseResticSnapshots(readFileSync(join(FIX, 'restic-snapshots.json'), 'utf8')) },
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Velero backups (namespace velero), newest first: 6');
    expect(lines[1]).toMatch(/^NAME +SCHEDULE +PHASE +STARTED +COMPLETED +EXPIRES +ERRORS\/WARNINGS +NAMESPACES$/);
    expect(lines[2]).toMatch(
      /^labs-20261130030015 +labs +PartiallyFailed +2026-11-30 03:00Z +2026-11-30 03:41Z +2026-12-30 03:00Z +2\/1 +course-netsec-\*$/,
    );
    expect(text).toContain('etcd snapshots (restic on cp1), newest first: 3');
    expect(text).toMatch(/\na1a1a1a1 +2026-11-30 06:00Z +cp1 +40\.0 MiB +cp1\n/);
  });
});
