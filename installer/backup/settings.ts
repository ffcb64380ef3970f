// The inventory's `backup:` section as this package reads it: a narrow local view of `site.backup`
// (shape fixed in HELPERS.md "Decisions for this session"; the inventory declaration is
// installer/inventory/schema/backup.ts). Until that declaration is on main, `Site` has no `backup`
// field and this module reads it through these interfaces; the lead switches them to the real type at merge.
import type { Site } from '../inventory/types.ts';
import { Problem } from '../core/diagnostics.ts';

export interface BackupSettings {
  target: { endpoint: string; bucket: string; region?: string };
  etcd?: { schedule?: string; keep?: { last?: number; daily?: number; weekly?: number } };
  velero?: { schedule?: string; ttl?: string };
}

type WithBackup = { backup?: BackupSettings };

/** The site's backup settings; a site without `backup:` is refused, saying how to add it. */
export function requireBackup(site: Site): BackupSettings {
  const b = (site as Site & WithBackup).backup ?? (site.inventory as WithBackup).backup;
  if (!b)
    throw new Problem(
      `${site.file}: this site has no backup: section, so there are no Velero backups or etcd snapshots to list or restore; add backup.target (an S3 bucket off the cluster) to the inventory and run labctl up (etcd snapshot timer) and commit the rendered repository (Velero); see docs/disaster-drill.md`,
    );
  return b;
}

/** Courses whose labs are not backed up (`labs.courses[].backup: false`). */
export function optedOutCourses(site: Site): string[] {
  return site.labs.courses.filter((c) => (c as { backup?: boolean }).backup === false).map((c) => c.name);
}
