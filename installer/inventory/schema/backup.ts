// The site's backups (issue 15): where they go (an S3-compatible store OFF the cluster: Ceph inside it may
// be what failed), when etcd snapshots are taken and kept, and when Velero runs. Credentials are never
// here: the secret store holds them (entries named in installer/secrets/backup-entries.ts).
import { obj, str, int, bool, opt, dflt, section, type Static } from './build.ts';

const keepCount = (what: string, value: number) =>
  dflt(int(`Snapshots kept per control plane: ${what}.`, { minimum: 0, maximum: 1000 }), value);

export const backup = opt(
  obj(
    'Backups to an S3-compatible object store off the cluster: etcd snapshots and Velero. Default: none (no backups are taken)',
    {
      target: obj(
        'The S3-compatible object store (campus S3 or a NAS), reached from the control planes and by Velero.',
        {
          endpoint: str(
            'URL of the S3 endpoint; http:// only with insecure: true. Example: https://s3.campus.example.edu',
            {
              pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$',
            },
          ),
          bucket: str('Bucket name (S3 rules: 3-63 lower-case letters, digits, dots and dashes).', {
            pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
          }),
          region: dflt(
            str('Region the bucket is in (most campus stores accept any).', { pattern: '^[a-z0-9-]+$' }),
            'us-east-1',
          ),
          insecure: dflt(
            bool('Allow an http:// endpoint (credentials and encrypted data then travel unencrypted).'),
            false,
          ),
        },
      ),
      etcd: section(
        obj(
          'etcd snapshots from every control plane (restic, encrypted with the secret-store entry backup-etcd-password).',
          {
            schedule: dflt(
              // Characters of OnCalendar only: the value is written into a systemd unit (validate parses it further).
              str(
                'When snapshots are taken: a systemd OnCalendar expression in node local time, e.g. "*-*-* 00/6:00:00".',
                {
                  pattern: '^[A-Za-z0-9*,./:~ -]+$',
                },
              ),
              '*-*-* 00/6:00:00',
            ),
            keep: section(
              obj('Retention: restic forget --keep-last/--keep-daily/--keep-weekly, per control plane.', {
                last: keepCount('the latest N', 4),
                daily: keepCount('the last one of each of the latest N days', 7),
                weekly: keepCount('the last one of each of the latest N weeks', 4),
              }),
            ),
          },
        ),
      ),
      velero: section(
        obj('Velero backups of the platform namespaces and lab disks.', {
          schedule: dflt(
            // The characters of cron expressions only (the value reaches alert text); validate parses it as
            // Velero does (installer/core/velero-cron.ts) and says why it refuses one.
            str('When Velero backs up: a cron expression (five fields, UTC) or @daily, @every 6h...', {
              pattern: '^[A-Za-z0-9 *?,./@+=_#-]+$',
              maxLength: 256,
            }),
            '0 3 * * *',
          ),
          ttl: dflt(str('How long a Velero backup is kept (Go duration).', { pattern: '^([0-9]+(h|m|s))+$' }), '720h'),
        }),
      ),
    },
  ),
);

export type Backup = NonNullable<Static<typeof backup>>;
