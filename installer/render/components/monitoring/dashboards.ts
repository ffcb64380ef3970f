// Grafana dashboards as code: dashboard JSON built as data, shipped as ConfigMaps that Grafana's
// dashboard sidecar (kube-prometheus-stack: grafana.sidecar.dashboards, label grafana_dashboard=1) loads.
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Site } from '../../../inventory/types.ts';
import { k8s, type K8sObject } from '../../model.ts';

export const DASHBOARD_LABEL = 'grafana_dashboard';
const PROM = { type: 'prometheus', uid: 'prometheus' };

interface Target { expr: string; legendFormat?: string; refId: string }
interface Panel {
  id: number; type: 'timeseries' | 'stat' | 'table' | 'gauge'; title: string; datasource: typeof PROM;
  gridPos: { x: number; y: number; w: number; h: number }; targets: Target[];
  fieldConfig: { defaults: { unit?: string; min?: number; max?: number; thresholds?: unknown }; overrides: unknown[] };
  options?: Record<string, unknown>; description?: string;
}
interface Variable { name: string; label: string; type: 'query'; query: string; datasource: typeof PROM; refresh: 1 | 2; includeAll: boolean; multi: boolean }
export interface Dashboard {
  uid: string; title: string; tags: string[]; schemaVersion: number; editable: boolean; refresh: string;
  time: { from: string; to: string }; timezone: string; panels: Panel[]; templating: { list: Variable[] };
}

interface PanelSpec { title: string; type?: Panel['type']; unit?: string; w?: number; h?: number; max?: number; queries: [string, string?][]; description?: string }

/** Lays panels out left to right, 24 columns per row. */
function layout(specs: PanelSpec[]): Panel[] {
  let x = 0, y = 0, rowH = 0;
  return specs.map((s, i) => {
    const w = s.w ?? 12, h = s.h ?? 8;
    if (x + w > 24) { x = 0; y += rowH; rowH = 0; }
    const panel: Panel = {
      id: i + 1, type: s.type ?? 'timeseries', title: s.title, datasource: PROM,
      gridPos: { x, y, w, h },
      targets: s.queries.map(([expr, legendFormat], j) => ({ expr, ...(legendFormat ? { legendFormat } : {}), refId: String.fromCharCode(65 + j) })),
      fieldConfig: { defaults: { ...(s.unit ? { unit: s.unit } : {}), ...(s.max !== undefined ? { min: 0, max: s.max } : {}) }, overrides: [] },
      ...(s.description ? { description: s.description } : {}),
    };
    x += w; rowH = Math.max(rowH, h);
    return panel;
  });
}

function dashboard(uid: string, title: string, specs: PanelSpec[], zone: string, variables: Variable[] = []): Dashboard {
  return {
    uid, title, tags: ['labctl'], schemaVersion: 39, editable: false, refresh: '1m',
    time: { from: 'now-6h', to: 'now' }, timezone: zone, panels: layout(specs), templating: { list: variables },
  };
}

export function dashboards(site: Site): Dashboard[] {
  const zone = site.site.timezone;
  const courseVar: Variable = {
    name: 'course', label: 'Course', type: 'query', datasource: PROM, refresh: 2, includeAll: true, multi: true,
    query: 'label_values(kubevirt_vm_info{namespace=~"course-.+"}, namespace)',
  };
  return [
    dashboard('labctl-cluster', 'Cluster', [
      { title: 'Nodes ready', type: 'stat', w: 6, h: 4, queries: [['sum(kube_node_status_condition{condition="Ready",status="true"})']] },
      { title: 'Nodes not ready', type: 'stat', w: 6, h: 4, queries: [['sum(kube_node_status_condition{condition="Ready",status="true"} == 0) or vector(0)']] },
      { title: 'Firing alerts', type: 'stat', w: 6, h: 4, queries: [['count(ALERTS{alertstate="firing",alertname!="Watchdog"}) or vector(0)']] },
      { title: 'Pods not running', type: 'stat', w: 6, h: 4, queries: [['sum(kube_pod_status_phase{phase=~"Pending|Unknown|Failed"}) or vector(0)']] },
      { title: 'CPU usage per node', unit: 'percentunit', max: 1, queries: [['1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', '{{instance}}']] },
      { title: 'Memory used per node', unit: 'percentunit', max: 1, queries: [['1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', '{{instance}}']] },
      { title: 'Root/var filesystem used', unit: 'percentunit', max: 1, queries: [['1 - node_filesystem_avail_bytes{mountpoint=~"/|/var"} / node_filesystem_size_bytes{mountpoint=~"/|/var"}', '{{instance}} {{mountpoint}}']] },
      { title: 'Clock offset', unit: 's', queries: [['node_timex_offset_seconds', '{{instance}}']] },
      { title: 'API server request rate by code', unit: 'reqps', queries: [['sum by (code) (rate(apiserver_request_total{job="apiserver"}[5m]))', '{{code}}']] },
      { title: 'etcd database size', unit: 'bytes', queries: [['etcd_mvcc_db_total_size_in_bytes{job="kube-etcd"}', '{{instance}}']] },
    ], zone),
    dashboard('labctl-ceph', 'Ceph', [
      { title: 'Health (0 ok, 1 warn, 2 error)', type: 'stat', w: 6, h: 4, queries: [['max(ceph_health_status)']] },
      { title: 'OSDs up', type: 'stat', w: 6, h: 4, queries: [['sum(ceph_osd_up)']] },
      { title: 'OSDs in', type: 'stat', w: 6, h: 4, queries: [['sum(ceph_osd_in)']] },
      { title: 'Raw capacity used', type: 'gauge', unit: 'percentunit', w: 6, h: 4, max: 1, queries: [['sum(ceph_osd_stat_bytes_used) / sum(ceph_osd_stat_bytes)']] },
      { title: 'OSD fill level', unit: 'percentunit', max: 1, queries: [['ceph_osd_stat_bytes_used / ceph_osd_stat_bytes', '{{ceph_daemon}}']] },
      { title: 'Pool usage', unit: 'bytes', queries: [['ceph_pool_stored * on(pool_id) group_left(name) ceph_pool_metadata', '{{name}}']] },
      { title: 'Client IOPS', unit: 'iops', queries: [['sum(rate(ceph_pool_rd[5m]))', 'read'], ['sum(rate(ceph_pool_wr[5m]))', 'write']] },
      { title: 'Client throughput', unit: 'Bps', queries: [['sum(rate(ceph_pool_rd_bytes[5m]))', 'read'], ['sum(rate(ceph_pool_wr_bytes[5m]))', 'write']] },
    ], zone),
    dashboard('labctl-bgp', 'BGP sessions', [
      { title: 'Sessions up', type: 'stat', w: 8, h: 4, queries: [['sum(frrk8s_bgp_session_up)']] },
      { title: 'Sessions down', type: 'stat', w: 8, h: 4, queries: [['count(frrk8s_bgp_session_up == 0) or vector(0)']] },
      { title: 'Routers configured', type: 'stat', w: 8, h: 4, queries: [[`vector(${site.bgp.routers.length})`]], description: 'bgp.routers of the inventory' },
      { title: 'Session state per node and peer', w: 24, queries: [['frrk8s_bgp_session_up', '{{pod}} -> {{peer}}']] },
      { title: 'Announced prefixes', queries: [['frrk8s_bgp_announced_prefixes_total', '{{pod}} -> {{peer}}']] },
      { title: 'Received prefixes', queries: [['frrk8s_bgp_received_prefixes_total', '{{pod}} -> {{peer}}']] },
      { title: 'LoadBalancer pool usage', unit: 'percentunit', max: 1, queries: [['metallb_allocator_addresses_in_use_total / metallb_allocator_addresses_total', '{{pool}}']] },
      { title: 'BGP updates sent', unit: 'ops', queries: [['rate(frrk8s_bgp_updates_total[5m])', '{{pod}} -> {{peer}}']] },
    ], zone),
    dashboard('labctl-ingress', 'Ingress', [
      { title: 'Requests per second', type: 'stat', w: 8, h: 4, unit: 'reqps', queries: [['sum(rate(nginx_ingress_controller_requests[5m]))']] },
      { title: '5xx ratio', type: 'stat', w: 8, h: 4, unit: 'percentunit', queries: [['sum(rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum(rate(nginx_ingress_controller_requests[5m]))']] },
      { title: 'Soonest certificate expiry', type: 'stat', w: 8, h: 4, unit: 's', queries: [['min(nginx_ingress_controller_ssl_expire_time_seconds) - time()']] },
      { title: 'Requests by ingress', unit: 'reqps', queries: [['sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests[5m]))', '{{exported_namespace}}/{{ingress}}']] },
      { title: '5xx by ingress', unit: 'reqps', queries: [['sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m]))', '{{exported_namespace}}/{{ingress}}']] },
      { title: 'Latency p95 by ingress', unit: 's', queries: [['histogram_quantile(0.95, sum by (le, ingress) (rate(nginx_ingress_controller_request_duration_seconds_bucket[5m])))', '{{ingress}}']] },
      { title: 'Certificate expiry by host', type: 'table', unit: 's', queries: [['nginx_ingress_controller_ssl_expire_time_seconds - time()', '{{host}}']] },
    ], zone),
    dashboard('labctl-labs', 'Labs', [
      { title: 'VMs running', type: 'stat', w: 8, h: 4, queries: [['count(kubevirt_vm_info{namespace=~"$course",status_group="running"} == 1) or vector(0)']] },
      { title: 'VMs stopped', type: 'stat', w: 8, h: 4, queries: [['count(kubevirt_vm_info{namespace=~"$course",status_group="non_running"} == 1) or vector(0)']] },
      { title: 'VMs failing', type: 'stat', w: 8, h: 4, queries: [['count(kubevirt_vm_info{namespace=~"$course",status_group=~"error|starting"} == 1) or vector(0)']] },
      { title: 'Running VMs per course', queries: [['count by (namespace) (kubevirt_vm_info{namespace=~"$course",status_group="running"} == 1)', '{{namespace}}']] },
      { title: 'vCPU time per course', unit: 's', queries: [['sum by (namespace) (rate(kubevirt_vmi_cpu_usage_seconds_total{namespace=~"$course"}[5m]))', '{{namespace}}']] },
      { title: 'Memory of running VMs per course', unit: 'bytes', queries: [['sum by (namespace) (kubevirt_vmi_memory_domain_bytes{namespace=~"$course"})', '{{namespace}}']] },
      { title: 'VMs per course and status', type: 'table', w: 24, queries: [['count by (namespace, status) (kubevirt_vm_info{namespace=~"$course"} == 1)']] },
    ], zone, [courseVar]),
  ];
}

export function dashboardConfigMaps(site: Site, namespace: string): K8sObject[] {
  return dashboards(site).map((d) => {
    const cm: IConfigMap = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `dashboard-${d.uid.replace(/^labctl-/, '')}`, namespace, labels: { [DASHBOARD_LABEL]: '1', 'app.kubernetes.io/managed-by': 'labctl' } },
      data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) + '\n' },
    };
    return k8s(cm);
  });
}
