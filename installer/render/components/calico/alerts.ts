// Alerts on Calico (calico-node DaemonSet, felix), with runbooks; monitoring gathers them.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

const NS = { calico: 'calico-system' };

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-network',
      alerts: [
        alert({
          name: 'CalicoNodeUnavailable',
          severity: 'critical',
          for: '10m',
          expr: `kube_daemonset_status_number_unavailable{namespace="${NS.calico}",daemonset="calico-node"} > 0`,
          summary: 'Calico is not running on every node',
          description:
            'The calico-node DaemonSet has had unavailable pods for 10 minutes; pods on those nodes have no network.',
          runbook: {
            meaning:
              'calico-node programs routes and policy on each node. Where it is missing, new pods get no network and BGP routes to that node are withdrawn.',
            check: [
              kc(`kubectl -n ${NS.calico} get pods -l k8s-app=calico-node -o wide`),
              kc(`kubectl -n ${NS.calico} logs <pod> -c calico-node`),
              kc('kubectl get tigerastatus'),
            ],
            fix: [
              'Crash-looping after an upgrade: check the tigera-operator logs and the Installation CR.',
              'Node problems (disk, memory): fix the node first.',
            ],
            escalate: 'If several nodes lose Calico, page the secondary and the platform admins.',
          },
        }),
        alert({
          name: 'CalicoDataplaneFailures',
          severity: 'warning',
          for: '15m',
          expr: 'increase(felix_int_dataplane_failures[15m]) > 2',
          summary: 'Calico felix on {{ $labels.instance }} fails to program the dataplane',
          description:
            'Felix on {{ $labels.instance }} failed to apply dataplane updates more than twice in 15 minutes; policies or routes may be stale.',
          runbook: {
            meaning: 'Felix could not program iptables/nftables/routes. Network policies of new pods may not apply.',
            check: [
              kc(`kubectl -n ${NS.calico} logs <calico-node pod on the node> -c calico-node | grep -i fail`),
              'Is the FelixConfiguration valid (`kubectl get felixconfiguration default -o yaml`)?',
            ],
            fix: [
              'Restart the calico-node pod of that node.',
              'Kernel modules missing after a kernel update: reboot into the right kernel.',
            ],
            escalate: 'If it persists on several nodes, hand over to the platform admins.',
          },
        }),
      ],
    },
  ];
}
