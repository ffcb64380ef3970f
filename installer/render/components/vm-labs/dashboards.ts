// The Labs dashboard (KubeVirt metrics of the course namespaces); monitoring ships it to Grafana.
import type { SiteContext } from '../../model.ts';
import { dashboard, PROM, type Dashboard, type Variable } from '../../platform/dashboards.ts';

export function dashboards(ctx: SiteContext): Dashboard[] {
  const courseVar: Variable = {
    name: 'course',
    label: 'Course',
    type: 'query',
    datasource: PROM,
    refresh: 2,
    includeAll: true,
    multi: true,
    query: 'label_values(kubevirt_vm_info{namespace=~"course-.+"}, namespace)',
  };
  return [
    dashboard(
      'labctl-labs',
      'Labs',
      [
        {
          title: 'VMs running',
          type: 'stat',
          w: 8,
          h: 4,
          queries: [['count(kubevirt_vm_info{namespace=~"$course",status_group="running"} == 1) or vector(0)']],
        },
        {
          title: 'VMs stopped',
          type: 'stat',
          w: 8,
          h: 4,
          queries: [['count(kubevirt_vm_info{namespace=~"$course",status_group="non_running"} == 1) or vector(0)']],
        },
        {
          title: 'VMs failing',
          type: 'stat',
          w: 8,
          h: 4,
          queries: [['count(kubevirt_vm_info{namespace=~"$course",status_group=~"error|starting"} == 1) or vector(0)']],
        },
        {
          title: 'Running VMs per course',
          queries: [
            [
              'count by (namespace) (kubevirt_vm_info{namespace=~"$course",status_group="running"} == 1)',
              '{{namespace}}',
            ],
          ],
        },
        {
          title: 'vCPU time per course',
          unit: 's',
          queries: [
            [
              'sum by (namespace) (rate(kubevirt_vmi_cpu_usage_seconds_total{namespace=~"$course"}[5m]))',
              '{{namespace}}',
            ],
          ],
        },
        {
          title: 'Memory of running VMs per course',
          unit: 'bytes',
          queries: [['sum by (namespace) (kubevirt_vmi_memory_domain_bytes{namespace=~"$course"})', '{{namespace}}']],
        },
        {
          title: 'VMs per course and status',
          type: 'table',
          w: 24,
          queries: [['count by (namespace, status) (kubevirt_vm_info{namespace=~"$course"} == 1)']],
        },
      ],
      ctx.site.site.timezone,
      [courseVar],
    ),
  ];
}
