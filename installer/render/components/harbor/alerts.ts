// Alerts on Harbor (its exporter), with runbooks; monitoring gathers them.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

const NS = { harbor: 'harbor' };

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-services',
      alerts: [
        alert({
          name: 'HarborComponentDown',
          severity: 'critical',
          for: '5m',
          expr: 'max by (namespace, component) (label_replace(harbor_up, "component", "$1", "exported_component", "(.+)")) == 0',
          summary: 'Harbor component {{ $labels.component }} is down',
          description:
            'The Harbor exporter reports component {{ $labels.component }} in {{ $labels.namespace }} down for 5 minutes; image pulls of labs and nodes fail.',
          runbook: {
            meaning:
              'Harbor serves lab images and the pull-through caches every node uses. Without it new pods and lab VMs cannot start.',
            check: [
              kc(`kubectl -n ${NS.harbor} get pods`),
              kc(`kubectl -n ${NS.harbor} logs deploy/harbor-core | tail -50`),
              'Database (CloudNativePG cluster) and object store (Ceph RGW) healthy?',
            ],
            fix: [
              "Restart the failing component's deployment.",
              'registry down with S3 errors: check the Ceph object store and the harbor-s3 Secret.',
              'database down: check the CNPG cluster in the harbor namespace.',
            ],
            escalate:
              'If Harbor is down for more than 30 minutes during lab hours, page the secondary and tell the course staff.',
          },
        }),
        alert({
          name: 'HarborProjectQuotaNearlyFull',
          severity: 'warning',
          for: '30m',
          expr: 'harbor_project_quota_usage_byte / (harbor_project_quota_byte > 0) > 0.9',
          summary: 'Harbor project {{ $labels.project_name }} uses more than 90% of its quota',
          description:
            'Harbor project {{ $labels.project_name }} has used more than 90% of its storage quota; pushes will be refused soon.',
          runbook: {
            meaning: 'Pushes to the project (lab images, platform images) will fail when the quota is reached.',
            check: ['Harbor UI > Projects > <project> > Summary.'],
            fix: [
              'Run tag retention / garbage collection (Harbor UI > Administration > Clean Up).',
              'Raise the quota if the growth is legitimate.',
            ],
            escalate: 'Hand over to the project owner (course staff for lab projects).',
          },
        }),
      ],
    },
  ];
}
