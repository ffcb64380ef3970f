// The inventory's `backup:` section as this package reads it (declared in
// installer/inventory/schema/backup.ts; defaults filled in by the inventory layer).
import type { Site, SiteBackup } from '../inventory/types.ts';
import { Problem } from '../core/diagnostics.ts';

export type BackupSettings = SiteBackup;

/** The site's backup settings; a site without `backup:` is refused, saying how to add it. */
export function requireBackup(site: Site): BackupSettings {
  const b = site.backup;
  if (!b)
    throw new Problem(
      `${site.file}: this site has no backup: section, so there are no Velero backups or etcd snapshots to list or restore; add backup.target (an S3 bucket off the cluster) to the inventory and run labctl up (etcd snapshot timer) and commit the rendered repository (Velero); see docs/disaster-drill.md in the labctl repository`,
    );
  return b;
}

/** Courses whose labs are not backed up (`labs.courses[].backup: false`). */
export function optedOutCourses(site: Site): string[] {
  return site.labs.courses.filter((c) => c.backup === false).map((c) => c.name);
}
