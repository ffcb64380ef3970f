// Dashboards as ConfigMaps that Grafana's dashboard sidecar (kube-prometheus-stack:
// grafana.sidecar.dashboards, label grafana_dashboard=1) loads: the monitoring component's own dashboard
// and, gathered by render, every other component's (platform/dashboards.ts builds them).
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { k8s, type K8sObject, type SiteContext } from '../../model.ts';
import { dashboard, type Dashboard } from '../../platform/dashboards.ts';

export const DASHBOARD_LABEL = 'grafana_dashboard';

/** The monitoring component's own dashboard: nodes, the API server and etcd. */
export function dashboards(ctx: SiteContext): Dashboard[] {
  return [
    dashboard(
      'labctl-cluster',
      'Cluster',
      [
        {
          title: 'Nodes ready',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [['sum(kube_node_status_condition{condition="Ready",status="true"})']],
        },
        {
          title: 'Nodes not ready',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [['sum(kube_node_status_condition{condition="Ready",status="true"} == 0) or vector(0)']],
        },
        {
          title: 'Firing alerts',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [['count(ALERTS{alertstate="firing",alertname!="Watchdog"}) or vector(0)']],
        },
        {
          title: 'Pods not running',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [['sum(kube_pod_status_phase{phase=~"Pending|Unknown|Failed"}) or vector(0)']],
        },
        {
          title: 'CPU usage per node',
          unit: 'percentunit',
          max: 1,
          queries: [['1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', '{{instance}}']],
        },
        {
          title: 'Memory used per node',
          unit: 'percentunit',
          max: 1,
          queries: [['1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', '{{instance}}']],
        },
        {
          title: 'Root/var filesystem used',
          unit: 'percentunit',
          max: 1,
          queries: [
            [
              '1 - node_filesystem_avail_bytes{mountpoint=~"/|/var"} / node_filesystem_size_bytes{mountpoint=~"/|/var"}',
              '{{instance}} {{mountpoint}}',
            ],
          ],
        },
        { title: 'Clock offset', unit: 's', queries: [['node_timex_offset_seconds', '{{instance}}']] },
        {
          title: 'API server request rate by code',
          unit: 'reqps',
          queries: [['sum by (code) (rate(apiserver_request_total{job="apiserver"}[5m]))', '{{code}}']],
        },
        {
          title: 'etcd database size',
          unit: 'bytes',
          queries: [['etcd_mvcc_db_total_size_in_bytes{job="kube-etcd"}', '{{instance}}']],
        },
      ],
      ctx.site.site.timezone,
    ),
  ];
}

/** Every gathered dashboard as a ConfigMap Grafana's dashboard sidecar loads. */
export function dashboardConfigMaps(all: Dashboard[], namespace: string): K8sObject[] {
  return all.map((d) => {
    const cm: IConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `dashboard-${d.uid.replace(/^labctl-/, '')}`,
        namespace,
        labels: { [DASHBOARD_LABEL]: '1', 'app.kubernetes.io/managed-by': 'labctl' },
      },
      data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) + '\n' },
    };
    return k8s(cm);
  });
}
