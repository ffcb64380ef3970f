// The backup section (issue 15): where backups go, and whether the etcd snapshot schedule is one labctl can
// install and alert on, and whether Velero's parser takes the Velero schedule. A site without it validates,
// with a warning: nothing is backed up.
import type { Rule } from './context.ts';
import { contains } from '../../core/ip.ts';
import { gapSeconds, parseCalendar } from '../../core/oncalendar.ts';
import { overflowsGoDuration, veleroScheduleGap, wholeDurationSeconds } from '../../core/velero-cron.ts';
import { show } from '../../core/schema-check.ts';

/** Snapshots more often than this would queue behind their own uploads. */
export const MIN_SNAPSHOT_GAP_SECONDS = 15 * 60;

export const backup: Rule = (ctx) => {
  const b = ctx.site.backup;
  if (!b) {
    ctx.warn(
      [],
      'no backup section: no etcd snapshots and no Velero backups are taken; a lost control plane or a deleted namespace cannot be restored',
      'add backup.target (an S3 store off the cluster), see inventory.example.yaml and docs/day-two.md in the labctl repository',
    );
    return;
  }
  const target = ['backup', 'target'];
  const { endpoint, insecure } = b.target;
  if (endpoint.startsWith('http://') && !insecure)
    ctx.error(
      [...target, 'endpoint'],
      `${endpoint} is plain http: the S3 credentials and the backups would cross the network unencrypted`,
      `use https://, or set backup.target.insecure: true for a store on a trusted segment`,
    );
  if (endpoint.startsWith('https://') && insecure && ctx.source.has([...target, 'insecure']))
    ctx.warn([...target, 'insecure'], `insecure: true has no effect on the https endpoint ${endpoint}`);
  // An address the cluster itself announces is inside the cluster: the backup would fail with it.
  const host = /^https?:\/\/([^/:]+)/.exec(endpoint)?.[1] ?? '';
  if (/^[0-9.]+$/.test(host)) {
    const pool = ctx.site.bgp.pools.find((p) => contains(p.cidr, host));
    if (pool)
      ctx.warn(
        [...target, 'endpoint'],
        `${host} is inside bgp pool ${pool.name} (${pool.cidr}), an address of a Service of this cluster: backups stored there are lost with the cluster`,
        'point backup.target at campus S3 or a NAS outside the cluster',
      );
  }
  const bucketProblem = s3BucketNameProblem(b.target.bucket);
  if (bucketProblem)
    ctx.error(
      [...target, 'bucket'],
      `${show(b.target.bucket)} is not an S3 bucket name: ${bucketProblem}`,
      'lower-case letters, digits and single dots or hyphens between them, 3-63 characters, e.g. labcloud-backups',
    );
  const sched = ['backup', 'etcd', 'schedule'];
  const parsed = parseCalendar(b.etcd.schedule);
  if ('error' in parsed)
    ctx.error(
      sched,
      `${JSON.stringify(b.etcd.schedule)} is not an OnCalendar schedule labctl accepts: ${parsed.error}`,
      'e.g. "*-*-* 00/6:00:00" (every 6 hours), "*-*-* 02:30:00" (daily) or "Mon..Fri *-*-* 08..18:00:00"',
    );
  else if (gapSeconds(parsed.calendar).shortest < MIN_SNAPSHOT_GAP_SECONDS)
    ctx.error(
      sched,
      `${JSON.stringify(b.etcd.schedule)} takes a snapshot more often than every 15 minutes; each one uploads the whole etcd database`,
    );
  // The ttl goes verbatim into the Schedules too, read by Velero as a metav1.Duration (time.ParseDuration): one
  // past Go's int64 nanoseconds is stored by the API server (the CRD says string) but Velero cannot decode it.
  if (overflowsGoDuration(b.velero.ttl))
    ctx.error(
      ['backup', 'velero', 'ttl'],
      `${show(b.velero.ttl)} overflows Go's duration (64-bit nanoseconds, at most 2562047h47m16s, about 292 years): Velero cannot read the Schedule and takes no backup`,
      'e.g. ttl: 720h (30 days) or 8760h (a year)',
    );
  // Written verbatim into Velero's Schedules: what Velero's parser refuses would never back up.
  const velero = veleroScheduleGap(b.velero.schedule);
  if ('error' in velero)
    ctx.error(
      ['backup', 'velero', 'schedule'],
      velero.deliberate
        ? `${show(b.velero.schedule)} is refused: ${velero.error}`
        : `${show(b.velero.schedule)} is not a schedule Velero runs: ${velero.error}; Velero would mark the Schedule FailedValidation and take no backup`,
      'five fields in UTC, e.g. "0 3 * * *" (03:00 daily), "0 */6 * * *", "30 2 * * mon-fri", or "@daily", "@every 6h" (quoted: YAML reads a leading @ or * as syntax)',
    );
  else {
    // A backup that expires before the next one is taken leaves part of every interval with none to restore.
    const ttl = wholeDurationSeconds(b.velero.ttl);
    if (ttl !== undefined && ttl < velero.seconds)
      ctx.warn(
        ['backup', 'velero', 'ttl'],
        `${b.velero.ttl} is shorter than the longest time between two backups of ${show(b.velero.schedule)} (${hours(velero.seconds)}): each backup expires before the next one, and for part of every interval there is none to restore`,
        `keep backups at least two intervals, e.g. ttl: ${Math.ceil((2 * velero.seconds) / 3600)}h`,
      );
    if (velero.seconds < MIN_SNAPSHOT_GAP_SECONDS)
      ctx.warn(
        ['backup', 'velero', 'schedule'],
        `${show(b.velero.schedule)} starts a backup more often than every 15 minutes; each one copies the platform volumes, and Velero queues the ones that overlap`,
        'e.g. "0 */6 * * *" (every 6 hours) or "@daily"',
      );
  }
  const keep = b.etcd.keep;
  if (keep.last + keep.daily + keep.weekly === 0)
    ctx.error(
      ['backup', 'etcd', 'keep'],
      'keep.last, keep.daily and keep.weekly are all 0: restic forget would have no policy and the repository would grow forever',
      'e.g. keep: {last: 4, daily: 7, weekly: 4}',
    );
};

const hours = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`);

/**
 * What breaks S3's bucket naming rules beyond the schema's pattern (3-63 of a-z 0-9 . -, a letter or digit at
 * each end), or undefined. AWS: docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (no two
 * adjacent dots, not an IP address, reserved prefixes and suffixes). MinIO (minio-go s3utils
 * checkBucketNameCommon, which its server uses) also refuses ".-" and "-." and any four dot-separated digit
 * runs; a campus store may be either, and a refused name fails only at the first backup.
 */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.includes('..')) return 'two adjacent dots';
  if (name.includes('.-') || name.includes('-.')) return 'a dot next to a hyphen (MinIO refuses ".-" and "-.")';
  if (/^([0-9]+\.){3}[0-9]+$/.test(name)) return 'it is formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (prefix) return `the prefix ${prefix} is reserved by S3`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((x) => name.endsWith(x));
  if (suffix)
    return `the suffix ${suffix} is reserved by S3 (access point, Multi-Region, directory and table bucket names)`;
  return undefined;
}
