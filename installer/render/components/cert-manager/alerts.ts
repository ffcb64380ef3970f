// Alerts on cert-manager's Certificates, with runbooks; monitoring gathers them.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-cert-manager',
      alerts: [
        alert({
          name: 'CertificateNotReady',
          severity: 'warning',
          for: '15m',
          expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition!="True"}) == 1',
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready',
          description:
            'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} has not been Ready for 15 minutes.',
          runbook: {
            meaning:
              'cert-manager could not issue or renew a certificate. Existing certificates keep working until they expire.',
            check: [
              kc('kubectl describe certificate -n <namespace> <name>'),
              kc('kubectl get certificaterequests,orders,challenges -n <namespace>'),
              kc('kubectl -n cert-manager logs deploy/cert-manager | tail -50'),
            ],
            fix: [
              'DNS-01: check the TSIG secret (tls.rfc2136.tsigSecretRef) and that the campus DNS accepts updates.',
              'HTTP-01: the name must be reachable from the internet.',
              'Internal CA: the CA key pair Secret must exist in the cert-manager namespace.',
            ],
            escalate:
              'If the issuer is down for more than a day, hand over to the platform admins (CertificateExpiringSoon follows).',
          },
        }),
        alert({
          name: 'CertificateExpiringSoon',
          severity: 'warning',
          for: '1h',
          expr: '(max by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time()) < 14 * 86400',
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 14 days',
          description:
            'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days and was not renewed.',
          runbook: {
            meaning: 'Renewal should have happened 30 days before expiry; it is failing.',
            check: [kc('kubectl describe certificate -n <namespace> <name>'), 'See CertificateNotReady.'],
            fix: ['Fix the issuer, then `cmctl renew -n <namespace> <name>`.'],
            escalate: 'Below 3 days CertificateExpiryImminent pages; involve the campus DNS/PKI team before that.',
          },
        }),
        alert({
          name: 'CertificateExpiryImminent',
          severity: 'critical',
          for: '15m',
          expr: '(max by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time()) < 3 * 86400',
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 3 days',
          description:
            'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 3 days.',
          runbook: {
            meaning: 'A platform certificate is about to expire; services using it will be rejected by clients.',
            check: [kc('kubectl describe certificate -n <namespace> <name>'), 'See CertificateNotReady.'],
            fix: [
              'Fix the issuer and renew (`cmctl renew`).',
              'Last resort: switch the affected hosts to the internal CA issuer temporarily.',
            ],
            escalate: 'Page the secondary and inform the platform admins now.',
          },
        }),
      ],
    },
  ];
}
