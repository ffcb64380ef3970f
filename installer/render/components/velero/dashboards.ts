// The Backups dashboard (Velero's metrics); monitoring ships it to Grafana. Only with `backup:`.
import type { SiteContext } from '../../model.ts';
import { dashboard, type Dashboard } from '../../platform/dashboards.ts';
import { veleroBackup } from './backup-section.ts';

export function dashboards({ site }: SiteContext): Dashboard[] {
  if (!veleroBackup(site)) return [];
  return [
    dashboard(
      'labctl-backup',
      'Backups',
      [
        {
          title: 'Age of the last successful backup',
          type: 'stat',
          unit: 's',
          w: 12,
          h: 5,
          queries: [
            ['time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule!=""})', '{{schedule}}'],
          ],
          description: 'VeleroBackupTooOld fires when this passes the schedule interval plus 4h.',
        },
        {
          title: 'Storage location available',
          type: 'stat',
          w: 12,
          h: 5,
          max: 1,
          queries: [
            ['max by (backup_location_name) (velero_backup_location_status_gauge)', '{{backup_location_name}}'],
          ],
        },
        {
          title: 'Backups per day by result',
          queries: [
            ['sum by (schedule) (increase(velero_backup_success_total[1d]))', 'completed {{schedule}}'],
            ['sum by (schedule) (increase(velero_backup_partial_failure_total[1d]))', 'partially failed {{schedule}}'],
            ['sum by (schedule) (increase(velero_backup_failure_total[1d]))', 'failed {{schedule}}'],
          ],
        },
        {
          title: 'Backup duration (p95)',
          unit: 's',
          queries: [
            [
              'histogram_quantile(0.95, sum by (schedule, le) (rate(velero_backup_duration_seconds_bucket[1d])))',
              '{{schedule}}',
            ],
          ],
        },
      ],
      site.site.timezone,
    ),
  ];
}
