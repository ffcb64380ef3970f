// Alerts on the ingress-nginx controller's metrics, with runbooks; monitoring gathers them.
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

export function alerts(): AlertGroup[] {
  return [
    {
      name: 'labctl-ingress',
      alerts: [
        alert({
          name: 'IngressHigh5xxRate',
          severity: 'warning',
          for: '10m',
          expr: 'sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests[5m])) > 0.05 and sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests[5m])) > 0.1',
          summary: 'Ingress {{ $labels.exported_namespace }}/{{ $labels.ingress }} answers more than 5% 5xx',
          description:
            'More than 5% of the requests to ingress {{ $labels.exported_namespace }}/{{ $labels.ingress }} got a 5xx answer over 10 minutes.',
          runbook: {
            meaning: 'A web service behind the ingress fails: its backend pods are down (502/503) or slow (504).',
            check: [
              'Grafana dashboard "Ingress".',
              kc('kubectl -n <namespace> get ingress <ingress> -o wide') +
                ', then the endpoints of its backend Service.',
              'Loki: `{namespace="ingress-nginx"} |= "<host>"`.',
            ],
            fix: [
              'Fix the backend (see PodNotReady / PodCrashLooping for its pods).',
              "Timeouts: check the backend's dependencies (database, Keycloak).",
            ],
            escalate: 'Hand over to the owner of the service (platform admins for platform services).',
          },
        }),
        alert({
          name: 'IngressCertificateExpiring',
          severity: 'critical',
          for: '15m',
          expr: '(max by (host) (nginx_ingress_controller_ssl_expire_time_seconds) - time()) < 7 * 86400',
          summary: 'The certificate served for {{ $labels.host }} expires within 7 days',
          description:
            'ingress-nginx serves a certificate for {{ $labels.host }} that expires in less than 7 days; cert-manager did not renew it.',
          runbook: {
            meaning:
              'Browsers will reject the host when the certificate expires. cert-manager renews 30 days ahead, so renewal has been failing for weeks.',
            check: [
              kc('kubectl get certificate -A') +
                ' (READY column), ' +
                kc('kubectl describe certificate -n <ns> <name>'),
              kc('kubectl get certificaterequests,orders,challenges -A'),
            ],
            fix: ['Fix the issuer (see CertificateNotReady).', 'Force a renewal: `cmctl renew -n <ns> <name>`.'],
            escalate:
              'If ACME/DNS is at fault (campus DNS refuses RFC2136 updates), contact the campus DNS team today.',
          },
        }),
      ],
    },
  ];
}
