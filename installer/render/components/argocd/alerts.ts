// Alerts on the ArgoCD application controller's metrics, with runbooks; monitoring gathers them.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-services',
      alerts: [
        alert({
          name: 'ArgoCDAppDegraded',
          severity: 'warning',
          for: '15m',
          expr: 'max by (name, project, dest_namespace) (argocd_app_info{health_status="Degraded"}) == 1',
          summary: 'ArgoCD application {{ $labels.name }} is degraded',
          description:
            'ArgoCD application {{ $labels.name }} (project {{ $labels.project }}) has been Degraded for 15 minutes.',
          runbook: {
            meaning: 'A component deployed by ArgoCD does not become healthy (pods failing, a CR reporting an error).',
            check: [
              'ArgoCD UI > application > resources with a red heart.',
              '`argocd app get <name>` or `kubectl -n argocd get application <name> -o yaml` (status.resources).',
            ],
            fix: [
              'Fix the failing resource (see its own alerts); values are in components/<name>/ of the site repository.',
              'A bad change: revert the commit in the site repository; ArgoCD syncs back.',
            ],
            escalate:
              'For tiers crds/operators/resources/platform hand over to the platform admins; for labs to the course staff.',
          },
        }),
        alert({
          name: 'ArgoCDAppOutOfSync',
          severity: 'warning',
          for: '2h',
          expr: 'max by (name, project, dest_namespace) (argocd_app_info{sync_status="OutOfSync"}) == 1',
          summary: 'ArgoCD application {{ $labels.name }} has been out of sync for 2 hours',
          description:
            'ArgoCD application {{ $labels.name }} (project {{ $labels.project }}) differs from the site repository for 2 hours although auto-sync is on.',
          runbook: {
            meaning:
              'The cluster does not match Git: a sync fails repeatedly, or someone changed resources by hand and self-heal cannot undo it.',
            check: [
              'ArgoCD UI > application > Sync status, last sync result and diff.',
              '`kubectl -n argocd get application <name> -o jsonpath={.status.operationState.message}`',
            ],
            fix: [
              'Sync error (validation, missing CRD): fix the manifest in the site repository.',
              'A field an operator changes (OutOfSync right after every sync): labctl\'s component must ignore it; report it to the labctl maintainers with the output of `kubectl -n argocd get application <app> -o jsonpath="{.status.resources}"`.',
            ],
            escalate: 'Hand over to the platform admins if the diff is not understood.',
          },
        }),
      ],
    },
  ];
}
