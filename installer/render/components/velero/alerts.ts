// Alerts on Velero's own metrics (pkg/metrics/metrics.go of Velero v1.18), with runbooks; monitoring
// gathers them. Only on sites with a `backup:` section (no Velero, no alerts).
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup, RERENDER } from '../../platform/alert-rules.ts';
import { veleroBackup } from './backup-section.ts';
import { SCHEDULES, STORAGE_LOCATION, VELERO_NAMESPACE, labNamespaces, longestGapSeconds } from './schedules.ts';

/** Time a backup may take after its start (Velero's default --fs-backup-timeout, 4h). */
export const BACKUP_DURATION_ALLOWANCE_S = 4 * 3600;
const NS = VELERO_NAMESPACE;

/** How old the last successful backup of a schedule may be: its longest interval plus a backup's duration. */
export const maxBackupAgeSeconds = (cron: string) => longestGapSeconds(cron) + BACKUP_DURATION_ALLOWANCE_S;

/** Seconds as hours to one decimal (26.5): the alert's description and the site README say the same figure. */
export const roundedHours = (s: number) => Math.round((s / 3600) * 10) / 10;

export function alerts({ site }: SiteContext): AlertGroup[] {
  const b = veleroBackup(site);
  if (!b) return [];
  const names = [SCHEDULES.platform, ...(labNamespaces(site).included.length ? [SCHEDULES.labs] : [])].sort();
  const sel = `schedule=~"${names.join('|')}"`;
  const maxAge = maxBackupAgeSeconds(b.schedule);
  const hours = roundedHours(maxAge);
  return [
    {
      name: 'labctl-backup',
      alerts: [
        alert({
          name: 'VeleroBackupTooOld',
          severity: 'warning',
          for: '15m',
          // Late: the last success is older than the schedule allows. Never succeeded: the schedule exists
          // (Velero initialises its attempt counter) but has no success, and Velero has run that long.
          expr: `(max by (schedule) (time() - velero_backup_last_successful_timestamp{${sel}}) > ${maxAge}) or ((max by (schedule) (velero_backup_attempt_total{${sel}}) unless on (schedule) max by (schedule) (velero_backup_last_successful_timestamp{${sel}})) and on () (time() - max(process_start_time_seconds{namespace="${NS}"}) > ${maxAge}))`,
          summary: 'No successful Velero backup of schedule {{ $labels.schedule }} for too long',
          description: `The last successful backup of Velero schedule {{ $labels.schedule }} is older than its cron (${b.schedule}) allows plus the time a backup may take (${hours}h in all), or it never succeeded.`,
          runbook: {
            meaning:
              'A restore would bring back older data than the schedule promises, or nothing: the platform databases (schedule platform) or the lab namespaces of courses (schedule labs) are not being backed up to the backup target.',
            check: [
              kc(`kubectl -n ${NS} get schedules,backups --sort-by=.metadata.creationTimestamp`),
              kc(`kubectl -n ${NS} get backupstoragelocation ${STORAGE_LOCATION}`),
              kc(`kubectl -n ${NS} logs deploy/velero | tail -50`),
              'labctl backup list',
            ],
            fix: [
              'Backups Failed or PartiallyFailed: see VeleroBackupFailed.',
              'No backup was started: the Schedule is paused or Velero is not running; check the velero pod and the Schedule.',
              `Storage location Unavailable: see VeleroBackupStorageUnavailable.`,
              'Once fixed, take one now: labctl backup now --yes --wait (without --yes it only shows the plan).',
            ],
            escalate:
              'If no backup succeeds within a day, tell the platform admins; before any risky change (upgrade, node removal) make sure a recent backup exists.',
          },
        }),
        alert({
          name: 'VeleroBackupFailed',
          severity: 'warning',
          // A failed or partially failed backup of a schedule since the previous run was due.
          expr: `sum by (schedule) (increase(velero_backup_failure_total{${sel}}[${Math.ceil(maxAge / 60)}m]) + increase(velero_backup_partial_failure_total{${sel}}[${Math.ceil(maxAge / 60)}m])) > 0`,
          summary: 'A Velero backup of schedule {{ $labels.schedule }} failed',
          description:
            'A backup of Velero schedule {{ $labels.schedule }} ended Failed or PartiallyFailed within its last interval: some or all of its objects and volumes are not in the backup target.',
          runbook: {
            meaning:
              'The latest backup of this schedule is missing objects or volume data; the previous good backup is older than the schedule promises.',
            check: [
              kc(
                `kubectl -n ${NS} get backups -l velero.io/schedule-name=<schedule> --sort-by=.metadata.creationTimestamp`,
              ),
              kc(
                `kubectl -n ${NS} get backup <name> -o jsonpath='{.status.phase} {.status.failureReason} {.status.errors} {.status.warnings}'`,
              ),
              kc(`kubectl -n ${NS} get podvolumebackups -l velero.io/backup-name=<name>`),
              kc(`kubectl -n ${NS} logs ds/node-agent | tail -50`),
            ],
            fix: [
              'PodVolumeBackup failed: the node agent of that node could not read the volume or reach the backup target (network, credentials in velero/velero-s3).',
              'Timeouts on large lab disks: move the schedule to a quieter hour (backup.velero.schedule).',
              'Then take one now: labctl backup now.',
            ],
            escalate: 'If the next scheduled backup fails too, tell the platform admins.',
          },
        }),
        alert({
          name: 'VeleroBackupStorageUnavailable',
          severity: 'warning',
          for: '15m',
          expr: 'max by (backup_location_name) (velero_backup_location_status_gauge) == 0',
          summary: 'Velero cannot reach backup storage location {{ $labels.backup_location_name }}',
          description:
            'Velero has found backup storage location {{ $labels.backup_location_name }} unavailable for 15 minutes: backups cannot be written nor listed, restores cannot start.',
          runbook: {
            meaning:
              'The backup target (the campus S3 or NAS bucket of backup.target) is unreachable or refuses Velero: every backup until it is back fails.',
            check: [
              kc(`kubectl -n ${NS} get backupstoragelocation -o wide`),
              kc(`kubectl -n ${NS} logs deploy/velero | grep -i 'backup storage location' | tail -20`),
              `From a node: curl -sS -o /dev/null -w "%{http_code}" ${b.endpoint}`,
            ],
            fix: [
              `Endpoint down or moved: ask campus IT; if it moved, fix backup.target in the inventory, ${RERENDER}.`,
              'Access denied: the keys changed; labctl secrets set backup-s3-access-key --replace backup-s3-access-key (and the same for backup-s3-secret-key), then labctl secrets apply.',
              'TLS errors: the endpoint certificate is not signed by a CA the pod trusts (on internal-ca sites, the site CA).',
            ],
            escalate: 'Campus IT owns the storage; open a ticket with them when the endpoint is down.',
          },
        }),
      ],
    },
  ];
}
