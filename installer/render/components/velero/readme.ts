// The site README's "Backups" section: what is backed up on this site, when, for how long, where in the
// bucket, and when the on-call hears that it stopped. Every figure comes from the same functions the
// schedules, the etcd timer and the alerts use, so the README cannot promise another schedule.
import type { SiteContext } from '../../model.ts';
import {
  BACKUP_S3_ACCESS_KEY,
  BACKUP_S3_SECRET_KEY,
  etcdRepository,
  snapshotMaxAgeSeconds,
} from '../../platform/backup.ts';
import { renderTemplate } from '../../text.ts';
import { maxBackupAgeSeconds, roundedHours } from './alerts.ts';
import { backedUpCourses, veleroBackup } from './backup-section.ts';
import { PLATFORM_NAMESPACES, SCHEDULES, bucketPrefix, labNamespaces } from './schedules.ts';

export function readme({ site }: SiteContext): string {
  const b = veleroBackup(site);
  if (!b || !site.backup) return renderTemplate('render/components/velero/templates/readme-backups.md.hbs', {});
  const labs = labNamespaces(site);
  return renderTemplate('render/components/velero/templates/readme-backups.md.hbs', {
    backup: b,
    entries: { accessKey: BACKUP_S3_ACCESS_KEY, secretKey: BACKUP_S3_SECRET_KEY },
    etcd: {
      schedule: site.backup.etcd.schedule,
      keep: site.backup.etcd.keep,
      repository: etcdRepository(site),
      lateHours: roundedHours(snapshotMaxAgeSeconds(site)),
    },
    velero: {
      schedule: b.schedule,
      ttl: b.ttl,
      prefix: bucketPrefix(site),
      lateHours: roundedHours(maxBackupAgeSeconds(b.schedule)),
      platform: SCHEDULES.platform,
      platformNamespaces: [...PLATFORM_NAMESPACES],
      labs: labs.included.length ? SCHEDULES.labs : '',
      labsIncluded: labs.included,
      labsExcluded: labs.excluded,
      optedOut: backedUpCourses(site).optedOut,
    },
  });
}
