// The BGP dashboard (frr-k8s sessions and MetalLB pools); monitoring ships it to Grafana.
import type { SiteContext } from '../../model.ts';
import { dashboard, type Dashboard } from '../../platform/dashboards.ts';

export function dashboards(ctx: SiteContext): Dashboard[] {
  return [
    dashboard(
      'labctl-bgp',
      'BGP sessions',
      [
        { title: 'Sessions up', type: 'stat', w: 8, h: 4, queries: [['sum(frrk8s_bgp_session_up)']] },
        {
          title: 'Sessions down',
          type: 'stat',
          w: 8,
          h: 4,
          queries: [['count(frrk8s_bgp_session_up == 0) or vector(0)']],
        },
        {
          title: 'Routers configured',
          type: 'stat',
          w: 8,
          h: 4,
          queries: [[`vector(${ctx.site.bgp.routers.length})`]],
          description: 'bgp.routers of the inventory',
        },
        {
          title: 'Session state per node and peer',
          w: 24,
          queries: [['frrk8s_bgp_session_up', '{{pod}} -> {{peer}}']],
        },
        { title: 'Announced prefixes', queries: [['frrk8s_bgp_announced_prefixes_total', '{{pod}} -> {{peer}}']] },
        { title: 'Received prefixes', queries: [['frrk8s_bgp_received_prefixes_total', '{{pod}} -> {{peer}}']] },
        {
          title: 'LoadBalancer pool usage',
          unit: 'percentunit',
          max: 1,
          queries: [['metallb_allocator_addresses_in_use_total / metallb_allocator_addresses_total', '{{pool}}']],
        },
        {
          title: 'BGP updates sent',
          unit: 'ops',
          queries: [['rate(frrk8s_bgp_updates_total[5m])', '{{pod}} -> {{peer}}']],
        },
      ],
      ctx.site.site.timezone,
    ),
  ];
}
