// Backups synced in from the bucket (untrusted storage: Velero's backup sync creates a Backup object from any
// velero-backup.json under the site's prefix, status included) and restic's listing (any control plane's
// root can write snapshots) are data, never terminal control or a say in what is restored. Found by an
// attacker trial: planted Backups were restored whole under a schedule label of their own, a start time in
// 2999 made one "newest" forever, and ESC/CR in their fields rewrote the printed plan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupInfo, type VeleroBackup } from '../../installer/backup/velero.ts';
import { formatRestorePlan, planRestore, SITE_SCHEDULES } from '../../installer/backup/restore-plan.ts';
import { formatListing } from '../../installer/backup/format.ts';
import { parseResticSnapshots } from '../../installer/backup/etcd.ts';
import { SCHEDULES } from '../../installer/render/components/velero/schedules.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const listing = (JSON.parse(readFileSync(join(FIX, 'backups.json'), 'utf8')) as { items: VeleroBackup[] }).items;
const NOW = new Date('2026-11-30T12:00:00Z');
const planted = (
  name: string,
  schedule: string,
  started: string,
  extra: Partial<VeleroBackup['status']> = {},
  includedNamespaces = ['kube-system\x1b[2K\r    harbor, keycloak'],
) =>
  ({
    metadata: { name, labels: { 'velero.io/schedule-name': schedule } },
    spec: { includedNamespaces },
    status: { phase: 'Completed', startTimestamp: started, completionTimestamp: started, ...extra },
  }) as VeleroBackup;
const ESC = /[\x1b\r\x07]/;

describe('attack: hostile Backups and restic listings', () => {
  it('the site schedules the planner knows are the ones the velero component renders', () => {
    expect([...SITE_SCHEDULES].sort()).toEqual(Object.values(SCHEDULES).sort());
  });

  it('a Backup with a schedule label of its own is not restored by a whole restore (only with --from)', () => {
    const backups = [...listing, planted('evil', 'kube', '2026-11-30T11:00:00Z')].map(backupInfo);
    const p = planRestore({ backups, now: NOW, request: { namespaces: [] }, cluster: new Map(), optedOut: [] });
    expect(p.restores.map((r) => r.backup.name)).not.toContain('evil');
    expect(p.restores.map((r) => r.backup.schedule)).toEqual(['labs', 'platform']);
  });

  it('a Backup dated in the future is never the newest: refused, and the real one is picked', () => {
    const backups = [...listing, planted('labs-29990101030000', 'labs', '2999-01-01T03:00:00Z', {}, ['course-*'])].map(
      backupInfo,
    );
    const plan = (namespaces: string[]) =>
      planRestore({ backups, now: NOW, request: { namespaces }, cluster: new Map(), optedOut: [] });
    const ns = plan(['course-netsec-firewall']);
    expect(ns.restores.map((r) => r.backup.name)).not.toContain('labs-29990101030000');
    expect(ns.restores[0]!.passedOver.join('\n')).toContain('labs-29990101030000 claims to have started at 2999');
    const from = planRestore({
      backups,
      now: NOW,
      request: { from: 'labs-29990101030000', namespaces: [] },
      cluster: new Map(),
      optedOut: [],
    });
    expect(from.refused.join('\n')).toContain('in the future');
  });

  it('ESC, CR and BEL in a Backup or restic snapshot are shown as \\xNN in the plan, the listing and refusals', () => {
    const evil = planted('evil', 'platform', '2026-11-30T11:00:00Z', { failureReason: '\x1b]0;owned\x07' });
    const backups = [...listing, evil].map(backupInfo);
    const whole = planRestore({ backups, now: NOW, request: { namespaces: [] }, cluster: new Map(), optedOut: [] });
    const text = formatRestorePlan(whole, []);
    expect(text).toContain('kube-system\\x1b[2K\\x0d    harbor, keycloak');
    expect(text).not.toMatch(ESC);
    const failed = backupInfo({ ...evil, status: { ...evil.status, phase: 'Failed' } });
    const refused = planRestore({
      backups: [failed],
      now: NOW,
      request: { from: 'evil', namespaces: [] },
      cluster: new Map(),
      optedOut: [],
    });
    expect(refused.refused.join('\n')).toContain('\\x1b]0;owned\\x07');
    const snaps = parseResticSnapshots(
      JSON.stringify([{ id: 'abcdef0123', time: 'not a time', hostname: 'cp1\x1b[31m', tags: ['etcd\r'] }]),
    );
    const list = formatListing({ velero: backups, etcd: { node: 'cp1', snapshots: snaps } });
    expect(list).toContain('cp1\\x1b[31m');
    expect(list).not.toMatch(ESC);
    expect(() => parseResticSnapshots('Fatal: \x1b]0;owned\x07')).toThrow('Fatal: \\x1b]0;owned\\x07');
  });
});
