// The Ingress dashboard (ingress-nginx controller metrics); monitoring ships it to Grafana.
import type { SiteContext } from '../../model.ts';
import { dashboard, type Dashboard } from '../../platform/dashboards.ts';

export function dashboards(ctx: SiteContext): Dashboard[] {
  return [
    dashboard(
      'labctl-ingress',
      'Ingress',
      [
        {
          title: 'Requests per second',
          type: 'stat',
          w: 8,
          h: 4,
          unit: 'reqps',
          queries: [['sum(rate(nginx_ingress_controller_requests[5m]))']],
        },
        {
          title: '5xx ratio',
          type: 'stat',
          w: 8,
          h: 4,
          unit: 'percentunit',
          queries: [
            [
              'sum(rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum(rate(nginx_ingress_controller_requests[5m]))',
            ],
          ],
        },
        {
          title: 'Soonest certificate expiry',
          type: 'stat',
          w: 8,
          h: 4,
          unit: 's',
          queries: [['min(nginx_ingress_controller_ssl_expire_time_seconds) - time()']],
        },
        {
          title: 'Requests by ingress',
          unit: 'reqps',
          queries: [
            [
              'sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests[5m]))',
              '{{exported_namespace}}/{{ingress}}',
            ],
          ],
        },
        {
          title: '5xx by ingress',
          unit: 'reqps',
          queries: [
            [
              'sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m]))',
              '{{exported_namespace}}/{{ingress}}',
            ],
          ],
        },
        {
          title: 'Latency p95 by ingress',
          unit: 's',
          queries: [
            [
              'histogram_quantile(0.95, sum by (le, ingress) (rate(nginx_ingress_controller_request_duration_seconds_bucket[5m])))',
              '{{ingress}}',
            ],
          ],
        },
        {
          title: 'Certificate expiry by host',
          type: 'table',
          unit: 's',
          queries: [['nginx_ingress_controller_ssl_expire_time_seconds - time()', '{{host}}']],
        },
      ],
      ctx.site.site.timezone,
    ),
  ];
}
