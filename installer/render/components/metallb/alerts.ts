// Alerts on MetalLB (controller) and frr-k8s (0.16 renamed the BGP metrics to frrk8s_bgp_*), with runbooks.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup, RERENDER } from '../../platform/alert-rules.ts';

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-network',
      alerts: [
        alert({
          name: 'MetalLBBGPSessionDown',
          severity: 'warning',
          for: '5m',
          expr: 'max by (peer, vrf, pod) (frrk8s_bgp_session_up) == 0',
          summary: 'BGP session from {{ $labels.pod }} to {{ $labels.peer }} is down',
          description:
            'The frr-k8s BGP session of {{ $labels.pod }} to router {{ $labels.peer }} has been down for 5 minutes; LoadBalancer addresses are not announced from that node.',
          runbook: {
            meaning:
              'A node no longer announces the LoadBalancer pools to a campus router. Traffic moves to the other nodes; if all sessions of a rack fail, that rack is unreachable for services.',
            check: [
              'Grafana dashboard "BGP sessions".',
              kc('kubectl -n metallb-system get frrnodestates') +
                ' and ' +
                kc('kubectl -n metallb-system exec <frr-k8s pod> -c frr -- vtysh -c "show bgp summary"'),
              "Router side: the ToR's neighbor state and logs (password/ASN mismatch, BFD down).",
            ],
            fix: [
              'Password changed on the router: update the secret-store entry (bgp.routers[].passwordRef) and re-sync.',
              'Link down: check the node uplink and the ToR port.',
            ],
            escalate:
              'If the router side is at fault, contact the campus network team with the peer address and the time the session dropped.',
          },
        }),
        alert({
          name: 'MetalLBPoolExhausted',
          severity: 'warning',
          for: '5m',
          expr: 'metallb_allocator_addresses_in_use_total / metallb_allocator_addresses_total >= 0.9',
          summary: 'MetalLB pool {{ $labels.pool }} is (nearly) exhausted',
          description:
            'At least 90% of the addresses of pool {{ $labels.pool }} are in use; new LoadBalancer Services will stay pending.',
          runbook: {
            meaning:
              'The LoadBalancer address pool runs out. Existing services keep working; new ones get no external IP.',
            check: [
              kc('kubectl get svc -A --field-selector spec.type=LoadBalancer'),
              kc('kubectl -n metallb-system get ipaddresspools -o yaml'),
            ],
            fix: [
              'Delete unused LoadBalancer Services (lab leftovers).',
              `Enlarge bgp.pools in inventory.yaml (and get the range routed by the campus network), ${RERENDER}.`,
            ],
            escalate: 'A bigger pool needs the campus network team; ask for it before the pool is full.',
          },
        }),
      ],
    },
  ];
}
