// Alerts on Keycloak (26.x, user event metrics), with runbooks; monitoring gathers them.
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

/** `namespace`: Keycloak's (index.ts passes it; importing index.ts here would be a cycle). */
export function alerts(namespace: string): AlertGroup[] {
  const NS = { keycloak: namespace };
  return [
    {
      name: 'labctl-services',
      alerts: [
        alert({
          name: 'KeycloakDown',
          severity: 'critical',
          for: '5m',
          expr: `(max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{namespace="${NS.keycloak}"}) == 0) and on(namespace, statefulset) (max by (namespace, statefulset) (kube_statefulset_replicas{namespace="${NS.keycloak}"}) > 0)`,
          summary: 'Keycloak ({{ $labels.statefulset }}) has no ready instance',
          description:
            'No instance of Keycloak StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has been ready for 5 minutes: nobody can log in to ArgoCD, Grafana, Harbor or the labs.',
          runbook: {
            meaning:
              'The single sign-on is down. Existing sessions continue until their tokens expire; new logins fail everywhere.',
            check: [
              kc(`kubectl -n ${NS.keycloak} get keycloak,pods`),
              kc(`kubectl -n ${NS.keycloak} logs <keycloak pod> | tail -100`),
              'The database cluster (CloudNativePG) in the same namespace: `kubectl -n keycloak get clusters.postgresql.cnpg.io`.',
            ],
            fix: [
              'Database down: fix the CNPG cluster first.',
              'Crash after a realm change: check the operator logs and the KeycloakRealmImport status.',
              'Campus LDAP unreachable only breaks LDAP users: Keycloak itself stays up.',
            ],
            escalate: 'Page the secondary during lab hours; inform the platform admins.',
          },
        }),
        alert({
          name: 'KeycloakLoginErrorsHigh',
          severity: 'warning',
          for: '10m',
          expr: 'sum by (realm) (rate(keycloak_user_events_total{event="login",error!=""}[10m])) > 0.5',
          summary: 'Many failed logins in realm {{ $labels.realm }}',
          description:
            'More than one failed login every 2 seconds in Keycloak realm {{ $labels.realm }} over 10 minutes: a broken federation or a password-guessing attack.',
          runbook: {
            meaning:
              'Login failures are unusually frequent. Either the campus directory (LDAP/SAML) fails, or someone is guessing passwords.',
            check: [
              'Keycloak admin console > Realm > Events (enable login events if off).',
              'Loki: `{namespace="keycloak"} |= "LOGIN_ERROR"` (error and IP address).',
              'Campus LDAP reachable? (User federation > Test connection).',
            ],
            fix: [
              'Federation broken: fix the bind credentials (identity.federation.ldap.bindPasswordRef) or the LDAP URL.',
              'Attack: enable brute-force detection in the realm; block the source at the campus firewall.',
            ],
            escalate: 'Suspected attack: inform the campus security team (CERT) with the source addresses.',
          },
        }),
      ],
    },
  ];
}
