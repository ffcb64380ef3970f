// The inventory's `backup:` section as Velero reads it (declared in installer/inventory/schema/backup.ts;
// the inventory layer fills in its defaults).
import type { Site } from '../../../inventory/types.ts';

/** What Velero uses of it, defaults filled in. */
export interface VeleroBackup {
  endpoint: string;
  bucket: string;
  region: string;
  /** Cron of both schedules (Velero's robfig/cron, UTC in the Velero pod). */
  schedule: string;
  /** How long a backup is kept (Velero's ttl; its garbage collector deletes it after). */
  ttl: string;
}

export const VELERO_DEFAULTS = { region: 'us-east-1', schedule: '0 3 * * *', ttl: '720h' } as const;

/** The site's backup section for Velero; undefined when the inventory has none (no Velero then). */
export function veleroBackup(site: Site): VeleroBackup | undefined {
  const b = site.backup;
  if (!b) return undefined;
  return {
    endpoint: b.target.endpoint,
    bucket: b.target.bucket,
    region: b.target.region ?? VELERO_DEFAULTS.region,
    schedule: b.velero?.schedule ?? VELERO_DEFAULTS.schedule,
    ttl: b.velero?.ttl ?? VELERO_DEFAULTS.ttl,
  };
}

/** Courses whose lab namespaces Velero backs up: every course but those with `backup: false`. */
export function backedUpCourses(site: Site): { included: string[]; optedOut: string[] } {
  const courses = site.labs.courses;
  return {
    included: courses.filter((c) => c.backup !== false).map((c) => c.name),
    optedOut: courses.filter((c) => c.backup === false).map((c) => c.name),
  };
}
