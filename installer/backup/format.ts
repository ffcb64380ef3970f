// Tables for people (`labctl backup list`, the `backup now` plan); --output json prints the same data.
import { table } from '../core/table.ts';
import type { EtcdSnapshot } from './etcd.ts';
import type { BackupInfo, VeleroBackup } from './velero.ts';

/** 2026-11-30T03:00:12Z -> 2026-11-30 03:00Z (the listing's resolution); null -> "-". */
const when = (t: string | null) => (t ? `${t.slice(0, 10)} ${t.slice(11, 16)}Z` : '-');

const size = (n: number | null) =>
  n === null ? '-' : n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;

export interface Listing {
  velero: BackupInfo[];
  etcd: { node: string; snapshots: EtcdSnapshot[] } | { node: string; error: string };
}

export function formatListing(l: Listing): string {
  const out: string[] = [];
  out.push(`Velero backups (namespace velero), newest first: ${l.velero.length}`);
  if (l.velero.length)
    out.push(
      table(
        ['NAME', 'SCHEDULE', 'PHASE', 'STARTED', 'COMPLETED', 'EXPIRES', 'ERRORS/WARNINGS', 'NAMESPACES'],
        l.velero.map((b) => [
          b.name,
          b.schedule ?? '-',
          b.phase,
          when(b.started),
          when(b.completed),
          when(b.expires),
          `${b.errors}/${b.warnings}`,
          b.includedNamespaces.join(',') +
            (b.excludedNamespaces.length ? ` (not ${b.excludedNamespaces.join(',')})` : ''),
        ]),
      ),
    );
  if ('error' in l.etcd) out.push(`etcd snapshots (restic on ${l.etcd.node}): unavailable: ${l.etcd.error}\n`);
  else {
    out.push(`etcd snapshots (restic on ${l.etcd.node}), newest first: ${l.etcd.snapshots.length}`);
    if (l.etcd.snapshots.length)
      out.push(
        table(
          ['ID', 'TIME', 'HOST', 'SIZE', 'TAGS'],
          l.etcd.snapshots.map((s) => [
            s.id,
            Number.isNaN(Date.parse(s.time)) ? '?' : when(new Date(s.time).toISOString()),
            s.host,
            size(s.bytes),
            s.tags.join(','),
          ]),
        ),
      );
  }
  return `${out.join('\n')}${out[out.length - 1]!.endsWith('\n') ? '' : '\n'}`;
}

export interface BackupNowPlan {
  backups: { schedule: string; paused: boolean; backup: VeleroBackup }[];
  etcdNode: string;
}

export function formatBackupNowPlan(p: BackupNowPlan): string {
  const out = ['backup now:'];
  for (const b of p.backups) {
    const ns = (b.backup.spec?.includedNamespaces as string[] | undefined)?.join(', ') || '*';
    out.push(
      `  Velero Backup ${b.backup.metadata.name} from Schedule ${b.schedule}${b.paused ? ' (the schedule is paused; the manual backup runs anyway)' : ''}: namespaces ${ns}${b.backup.spec?.ttl ? `, kept ${b.backup.spec.ttl}` : ''}`,
    );
  }
  out.push(
    `  etcd snapshot on ${p.etcdNode}: systemctl start --wait labctl-etcd-snapshot.service (restic to the site's etcd repository)`,
  );
  return `${out.join('\n')}\n`;
}
