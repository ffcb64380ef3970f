// What the on-call sees of the gateway: Envoy's own metrics, scraped from every proxy pod (Envoy Gateway
// serves them on the container port `metrics`, 19001, at /stats/prometheus). Envoy Gateway names each
// backend cluster after its route, `httproute/<namespace>/<name>/rule/<n>`, so per-service panels and
// alerts group by envoy_cluster_name. (Read in envoyproxy/gateway v1.8.0, the version Calico v3.32 bundles:
// internal/infrastructure/kubernetes/proxy/resource.go, internal/gatewayapi/helpers.go.)
import type { Site } from '../../../inventory/types.ts';
import type { Dashboard } from '../../platform/dashboards.ts';
import { alert, type AlertGroup } from '../../platform/alert-rules.ts';
import { GATEWAY_NAME, GATEWAY_NAMESPACE } from './gateway.ts';
import type { PodMonitor } from './types.ts';

export const PODMONITOR_NAME = 'site-gateway-envoy';
/** prometheus-operator's job label of a PodMonitor target: <namespace>/<PodMonitor name>. */
export const ENVOY_JOB = `${GATEWAY_NAMESPACE}/${PODMONITOR_NAME}`;
const ROUTES = 'envoy_cluster_name=~"httproute/.+"';

export function envoyPodMonitor(): PodMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: PODMONITOR_NAME, namespace: GATEWAY_NAMESPACE },
    spec: {
      // Labels Envoy Gateway puts on the proxies of one Gateway.
      selector: {
        matchLabels: {
          'app.kubernetes.io/component': 'proxy',
          'app.kubernetes.io/managed-by': 'envoy-gateway',
          'gateway.envoyproxy.io/owning-gateway-name': GATEWAY_NAME,
          'gateway.envoyproxy.io/owning-gateway-namespace': GATEWAY_NAMESPACE,
        },
      },
      podMetricsEndpoints: [{ port: 'metrics', path: '/stats/prometheus', interval: '30s' }],
    },
  };
}

const kc = (cmd: string) => `\`${cmd}\``;
const route = 'the route (`httproute/<namespace>/<name>/rule/<n>` in envoy_cluster_name)';

export const gatewayAlerts: AlertGroup = {
  name: 'labctl-gateway',
  alerts: [
    alert({
      name: 'GatewayProxiesDown',
      severity: 'critical',
      for: '5m',
      expr: `sum(up{job="${ENVOY_JOB}"}) == 0 or absent(up{job="${ENVOY_JOB}"})`,
      summary: 'No Envoy proxy of the site Gateway is up',
      description: `Prometheus has scraped no running Envoy proxy of Gateway ${GATEWAY_NAMESPACE}/${GATEWAY_NAME} for 5 minutes: every web service of the platform is unreachable.`,
      runbook: {
        meaning:
          'The Envoy proxies of the site Gateway (Calico Ingress Gateway) are gone or failing, so ArgoCD, Harbor, Keycloak and Grafana cannot be reached from outside. Lab VMs keep running.',
        check: [
          kc(`kubectl -n ${GATEWAY_NAMESPACE} get pods -o wide`),
          kc(`kubectl get gatewayapi default -o yaml`) + ' and ' + kc('kubectl get tigerastatus'),
          kc(`kubectl -n ${GATEWAY_NAMESPACE} get gateway ${GATEWAY_NAME} -o yaml`) + ' (status.conditions Programmed)',
          kc('kubectl -n calico-system logs deploy/envoy-gateway') +
            ' or the envoy-gateway Deployment in ' +
            GATEWAY_NAMESPACE +
            '.',
        ],
        fix: [
          'Proxy pods crash: read their logs (`kubectl -n tigera-gateway logs <pod> -c envoy`); a rejected configuration names the route at fault: fix or delete that HTTPRoute.',
          'No proxy pods at all: the operator did not provision the GatewayClass; check the GatewayAPI resource and the tigera-operator logs.',
          'Pods run but are not scraped: check the PodMonitor labels against the pods (`kubectl -n tigera-gateway get pods --show-labels`).',
        ],
        escalate:
          'If the platform stays unreachable for 15 minutes, page the secondary and inform course staff; the Calico/Envoy Gateway versions are pinned in gitops/versions.yaml (tigera-operator).',
      },
    }),
    alert({
      name: 'GatewayRouteHigh5xxRate',
      severity: 'warning',
      for: '10m',
      expr: `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",${ROUTES}}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{${ROUTES}}[5m])) > 0.05 and sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{${ROUTES}}[5m])) > 0.1`,
      summary: 'Route {{ $labels.envoy_cluster_name }} answers more than 5% 5xx',
      description:
        'More than 5% of the requests the gateway sent to {{ $labels.envoy_cluster_name }} got a 5xx answer over 10 minutes.',
      runbook: {
        meaning:
          'A web service behind the Gateway fails: its backend pods answer errors (500) or the gateway cannot reach them (502/503) or they are too slow (504).',
        check: [
          'Grafana dashboard "Gateway".',
          `Find ${route}: ` +
            kc('kubectl -n <namespace> get httproute <name> -o yaml') +
            ' (status.parents: Accepted, ResolvedRefs), then the endpoints of its backend Service.',
          'Loki: `{namespace="tigera-gateway"} |= "<host>"`.',
        ],
        fix: [
          'Fix the backend (see PodNotReady / PodCrashLooping for its pods).',
          'ResolvedRefs false: the Service name or port in the route is wrong; re-render.',
        ],
        escalate: 'Hand over to the owner of the service (platform admins for platform services).',
      },
    }),
    alert({
      name: 'GatewayRouteNoHealthyBackend',
      severity: 'critical',
      for: '5m',
      expr: `sum by (envoy_cluster_name) (envoy_cluster_membership_healthy{${ROUTES}}) == 0`,
      summary: 'Route {{ $labels.envoy_cluster_name }} has no healthy backend',
      description:
        'The gateway has had no healthy endpoint for {{ $labels.envoy_cluster_name }} for 5 minutes; every request to it fails with 503.',
      runbook: {
        meaning:
          'The Service behind a route has no ready pod (or the route points at the wrong Service or port), so its host answers 503.',
        check: [
          `Find ${route}, then ` +
            kc('kubectl -n <namespace> get endpointslices -l kubernetes.io/service-name=<service>'),
          kc('kubectl -n <namespace> get pods') + ' (Ready column).',
        ],
        fix: [
          'Bring the backend pods back (see PodNotReady / PodCrashLooping).',
          'A wrong Service or port in the HTTPRoute: fix the component and re-render.',
        ],
        escalate: 'Hand over to the owner of the service; for Keycloak, every login is down: page the secondary.',
      },
    }),
    alert({
      name: 'GatewayCertificateExpiring',
      severity: 'critical',
      for: '15m',
      expr: `min(envoy_server_days_until_first_cert_expiring{job="${ENVOY_JOB}"}) < 7`,
      summary: 'A certificate served by the site Gateway expires within 7 days',
      description: `An Envoy proxy of Gateway ${GATEWAY_NAMESPACE}/${GATEWAY_NAME} serves a certificate that expires in less than 7 days; cert-manager did not renew it.`,
      runbook: {
        meaning:
          'Browsers will reject a platform host when its certificate expires. cert-manager renews 30 days ahead, so renewal has been failing for weeks.',
        check: [
          kc(`kubectl -n ${GATEWAY_NAMESPACE} get certificate`) +
            ' (READY column; one per Gateway listener), ' +
            kc(`kubectl -n ${GATEWAY_NAMESPACE} describe certificate <listener>-tls`),
          kc('kubectl get certificaterequests,orders,challenges -A'),
        ],
        fix: [
          'Fix the issuer (see CertificateNotReady).',
          `Force a renewal: \`cmctl renew -n ${GATEWAY_NAMESPACE} <listener>-tls\`.`,
        ],
        escalate: 'If ACME/DNS is at fault (campus DNS refuses RFC2136 updates), contact the campus DNS team today.',
      },
    }),
  ],
};

type PanelQuery = { expr: string; legendFormat?: string; refId: string };
const PROM = { type: 'prometheus', uid: 'prometheus' };

/** The "Gateway" dashboard: requests, errors and latency of the site's routes, from Envoy's metrics. */
export function gatewayDashboard(site: Site): Dashboard {
  const specs: {
    title: string;
    type?: 'timeseries' | 'stat' | 'table';
    unit: string;
    w: number;
    h: number;
    q: [string, string?][];
  }[] = [
    {
      title: 'Requests per second',
      type: 'stat',
      unit: 'reqps',
      w: 8,
      h: 4,
      q: [[`sum(rate(envoy_cluster_upstream_rq_total{${ROUTES}}[5m]))`]],
    },
    {
      title: '5xx ratio',
      type: 'stat',
      unit: 'percentunit',
      w: 8,
      h: 4,
      q: [
        [
          `sum(rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",${ROUTES}}[5m])) / sum(rate(envoy_cluster_upstream_rq_total{${ROUTES}}[5m]))`,
        ],
      ],
    },
    {
      title: 'Days to the soonest certificate expiry',
      type: 'stat',
      unit: 'd',
      w: 8,
      h: 4,
      q: [[`min(envoy_server_days_until_first_cert_expiring{job="${ENVOY_JOB}"})`]],
    },
    {
      title: 'Requests by route',
      unit: 'reqps',
      w: 12,
      h: 8,
      q: [
        [
          `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{${ROUTES}}[5m]))`,
          '{{envoy_cluster_name}}',
        ],
      ],
    },
    {
      title: '5xx by route',
      unit: 'reqps',
      w: 12,
      h: 8,
      q: [
        [
          `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",${ROUTES}}[5m]))`,
          '{{envoy_cluster_name}}',
        ],
      ],
    },
    {
      title: 'Latency p95 by route',
      unit: 'ms',
      w: 12,
      h: 8,
      q: [
        [
          `histogram_quantile(0.95, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket{${ROUTES}}[5m])))`,
          '{{envoy_cluster_name}}',
        ],
      ],
    },
    {
      title: 'Healthy backends by route',
      unit: 'none',
      w: 12,
      h: 8,
      q: [[`sum by (envoy_cluster_name) (envoy_cluster_membership_healthy{${ROUTES}})`, '{{envoy_cluster_name}}']],
    },
    {
      title: 'Downstream connections per proxy',
      unit: 'none',
      w: 24,
      h: 8,
      q: [[`sum by (pod) (envoy_http_downstream_cx_active{job="${ENVOY_JOB}"})`, '{{pod}}']],
    },
  ];
  let x = 0,
    y = 0,
    rowH = 0;
  const panels = specs.map((s, i) => {
    if (x + s.w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const targets: PanelQuery[] = s.q.map(([expr, legendFormat], j) => ({
      expr,
      ...(legendFormat ? { legendFormat } : {}),
      refId: String.fromCharCode(65 + j),
    }));
    const panel = {
      id: i + 1,
      type: s.type ?? ('timeseries' as const),
      title: s.title,
      datasource: PROM,
      gridPos: { x, y, w: s.w, h: s.h },
      targets,
      fieldConfig: { defaults: { unit: s.unit }, overrides: [] },
    };
    x += s.w;
    rowH = Math.max(rowH, s.h);
    return panel;
  });
  return {
    uid: 'labctl-gateway',
    title: 'Gateway',
    tags: ['labctl'],
    schemaVersion: 39,
    editable: false,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timezone: site.site.timezone,
    panels,
    templating: { list: [] },
  };
}
