// Felix's Prometheus metrics (issue 21): the CalicoFelix* alerts read felix_* series, which Felix only
// serves when FelixConfiguration prometheusMetricsEnabled is true (default false; api/pkg/apis/
// projectcalico/v3/felixconfig.go). The operator owns the "default" FelixConfiguration and keeps its own
// fields; ArgoCD sets only this one (a merge, not a replacement). The metrics listen on each node's
// address (calico-node runs with host networking), port 9091: a headless Service over calico-node and a
// ServiceMonitor, as Calico's "Monitor Calico component metrics" page describes.
import type { IService } from 'kubernetes-models/v1/Service';
import type { K8sObject } from '../../model.ts';
import { k8s } from '../../model.ts';

export const FELIX_METRICS_PORT = 9091;
const NAMESPACE = 'calico-system';
const LABELS = { 'app.kubernetes.io/part-of': 'campus-lab-platform', 'app.kubernetes.io/component': 'felix-metrics' };

export function felixMetricsObjects(): K8sObject[] {
  const felix: K8sObject = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'FelixConfiguration',
    metadata: { name: 'default' },
    spec: { prometheusMetricsEnabled: true, prometheusMetricsPort: FELIX_METRICS_PORT },
  };
  const svc: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'felix-metrics', namespace: NAMESPACE, labels: LABELS },
    spec: {
      clusterIP: 'None',
      selector: { 'k8s-app': 'calico-node' }, // the operator's label on calico-node pods
      ports: [{ name: 'felix-metrics', port: FELIX_METRICS_PORT, targetPort: FELIX_METRICS_PORT, protocol: 'TCP' }],
    },
  };
  const monitor: K8sObject = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'felix', namespace: NAMESPACE, labels: LABELS },
    spec: {
      selector: { matchLabels: LABELS },
      namespaceSelector: { matchNames: [NAMESPACE] },
      endpoints: [
        {
          port: 'felix-metrics',
          interval: '30s',
          // The node name as `node`, like node-exporter's series (alert inhibition joins on it).
          relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
        },
      ],
    },
  };
  return [felix, k8s(svc), monitor];
}
