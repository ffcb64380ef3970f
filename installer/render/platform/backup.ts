// Names the backup pieces share (issue 15): the secret-store entries, the etcd snapshot repository and the
// textfile metrics. The etcd snapshot timer (installer/cluster/etcd-snapshot.ts), the Velero component and
// `labctl backup` read them from here, so a rename cannot split them.
import type { Site } from '../../inventory/types.ts';
import type { SecretNeed } from '../model.ts';
import { gapSeconds, parseCalendar } from '../../core/oncalendar.ts';

/** S3 access key id of backup.target (external: campus IT supplies it with `labctl secrets set`). */
export const BACKUP_S3_ACCESS_KEY = 'backup-s3-access-key';
/** S3 secret access key of backup.target (external). */
export const BACKUP_S3_SECRET_KEY = 'backup-s3-secret-key';
/** restic's repository password: it encrypts the etcd snapshots (generated). */
export const BACKUP_ETCD_PASSWORD = 'backup-etcd-password';

/** systemd units and files of the etcd snapshot on every control plane. */
export const ETCD_SNAPSHOT_SERVICE = 'labctl-etcd-snapshot.service';
export const ETCD_SNAPSHOT_TIMER = 'labctl-etcd-snapshot.timer';
export const ETCD_SNAPSHOT_SCRIPT = '/usr/local/sbin/labctl-etcd-snapshot';
export const ETCD_BACKUP_ENV = '/etc/labctl/etcd-backup.env';
/** node-exporter textfile metrics the snapshot script writes (file etcd-snapshot.prom). */
export const ETCD_SNAPSHOT_SUCCESS_METRIC = 'labctl_etcd_snapshot_last_success_timestamp_seconds';
export const ETCD_SNAPSHOT_SIZE_METRIC = 'labctl_etcd_snapshot_last_size_bytes';

/** restic repository of the etcd snapshots: s3:<endpoint>/<bucket>/etcd/<site name>. */
export function etcdRepository(site: Site): string {
  const b = site.backup;
  if (!b) throw new Error('the site has no backup section');
  return `s3:${b.target.endpoint.replace(/\/$/, '')}/${b.target.bucket}/etcd/${site.site.name}`;
}

const ON_CONTROL_PLANES = `${ETCD_BACKUP_ENV} on every control plane (labctl up)`;

/** The entries the etcd snapshots read; none without a backup section. Velero declares its own needs of the S3 pair. */
export function etcdBackupSecretNeeds(site: Site): SecretNeed[] {
  if (!site.backup) return [];
  const need = (ref: string, key: string, generate: SecretNeed['generate'], purpose: string): SecretNeed => ({
    ref,
    namespace: 'node',
    name: 'etcd-backup.env',
    key,
    generate,
    purpose,
    onNodes: ON_CONTROL_PLANES,
  });
  return [
    need(
      BACKUP_S3_ACCESS_KEY,
      'AWS_ACCESS_KEY_ID',
      { kind: 'external' },
      `S3 access key id for ${site.backup.target.endpoint}`,
    ),
    need(
      BACKUP_S3_SECRET_KEY,
      'AWS_SECRET_ACCESS_KEY',
      { kind: 'external' },
      `S3 secret access key for ${site.backup.target.endpoint}`,
    ),
    {
      ...need(
        BACKUP_ETCD_PASSWORD,
        'RESTIC_PASSWORD',
        { kind: 'password', length: 48 },
        'restic repository password (encrypts the etcd snapshots)',
      ),
      noRotate:
        'it is the password of the existing restic repository: a new value would lock every snapshot away. Add a key with `restic key add` on a control plane, store it with labctl secrets set backup-etcd-password --replace backup-etcd-password, run labctl up, then `restic key remove` the old one',
    },
  ];
}

/** Slack on top of two schedule gaps: the timer's random delay (5 min), a slow upload, a DST shift. */
export const SNAPSHOT_AGE_MARGIN_SECONDS = 3600;

/**
 * How old the last successful etcd snapshot of a control plane may get before EtcdSnapshotTooOld fires:
 * twice the longest gap between two runs of backup.etcd.schedule, plus an hour. One missed run is
 * tolerated (a reboot, a short S3 outage); two are not.
 */
export function snapshotMaxAgeSeconds(site: Site): number {
  const b = site.backup;
  if (!b) throw new Error('the site has no backup section');
  const parsed = parseCalendar(b.etcd.schedule);
  if ('error' in parsed) throw new Error(`backup.etcd.schedule: ${parsed.error}`);
  return 2 * gapSeconds(parsed.calendar).longest + SNAPSHOT_AGE_MARGIN_SECONDS;
}
