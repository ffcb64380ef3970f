// Keycloak, the one login of the platform: the official operator (upstream manifests of the pinned
// keycloak-k8s-resources release, synced through kustomize), a Keycloak with two or more instances on a
// CloudNativePG database, exposed through the ingress with TLS, and the realm as code applied by a
// keycloak-config-cli Job whose name carries a hash of the realm, so each change runs it once.
import { createHash } from 'node:crypto';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { Site } from '../../../inventory/types.ts';
import type { Versions } from '../../../core/versions.ts';
import type { Component, ComponentBuilder, K8sObject, SecretNeed } from '../../model.ts';
import { SYNC_WAVE, k8s } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { SCHEMAS } from './schemas.ts';
import { GROUPS, kubeGroup, oidcClients, CLIENT_NAMES } from '../../platform/identity.ts';
import { postgresCluster, rwService, type Database } from '../../platform/postgres.ts';
import {
  realmRepresentation,
  masterRealmRepresentation,
  clientSecretEnv,
  LDAP_BIND_ENV,
  OIDC_IDP_SECRET_ENV,
  ADMIN_CONSOLE_PORT,
  ADMIN_CONSOLE_URL,
  MASTER_REALM,
} from './realm.ts';
import { toYaml } from '../../yaml.ts';

export const KEYCLOAK_NAMESPACE = 'keycloak';
export const KEYCLOAK_NAME = 'keycloak';
/** The operator names the Service <name>-service; plain HTTP inside the cluster, TLS ends at the ingress. */
export const KEYCLOAK_SERVICE = `${KEYCLOAK_NAME}-service`;
export const KEYCLOAK_HTTP_PORT = 8080;
export const ADMIN_SECRET = 'keycloak-bootstrap-admin';
export const CLIENTS_SECRET = 'keycloak-realm-secrets';
export const ADMIN_USER = 'labctl-admin';

/**
 * The only paths the public SSO host routes to Keycloak (Keycloak's reverse-proxy guide, "exposed path
 * recommendations"): the site realm's endpoints and the static resources its pages load. Not `/admin/`
 * (console and admin REST API), not `/realms/master/` (the admin realm's logins), not `/metrics`, and not
 * `/.well-known/` (RFC 8414 metadata of every realm; the platform's clients use the OIDC discovery URL
 * under `/realms/<realm>/`).
 */
export const publicPaths = (site: Site): string[] => [`/realms/${site.identity.realm}/`, '/resources/'];

/** How campus IT reaches the admin console (docs/security.md, boundary 7); a test checks it against the render. */
export const ADMIN_PORT_FORWARD = `kubectl -n ${KEYCLOAK_NAMESPACE} port-forward service/${KEYCLOAK_SERVICE} ${ADMIN_CONSOLE_PORT}:${KEYCLOAK_HTTP_PORT}`;

export const KEYCLOAK_DB: Database = {
  name: 'keycloak-db',
  namespace: KEYCLOAK_NAMESPACE,
  database: 'keycloak',
  owner: 'keycloak',
  ref: 'identity/keycloak-db-password',
  size: '10Gi',
  instances: 2,
  purpose: 'password of the Keycloak database owner (CloudNativePG keycloak-db)',
};

/** The operator's three upstream files at the pinned release (kustomize fetches them; never vendored). */
export function operatorManifests(versions: Versions): string[] {
  const pin = versions.components['keycloak-operator'];
  if (!pin?.manifests) throw new Error('gitops/versions.yaml: keycloak-operator.manifests is missing');
  return ['keycloaks.k8s.keycloak.org-v1.yml', 'keycloakrealmimports.k8s.keycloak.org-v1.yml', 'kubernetes.yml'].map(
    (f) => `${pin.manifests}/${pin.version}/kubernetes/${f}`,
  );
}

/** Every secret the realm needs: Keycloak's side of the client secrets, and federation credentials. */
export function realmSecretNeeds(site: Site): SecretNeed[] {
  const clients = oidcClients(site);
  const needs: SecretNeed[] = CLIENT_NAMES.filter((c) => !clients[c].public).map((c) => ({
    ref: clients[c].secretRef!.ref,
    namespace: KEYCLOAK_NAMESPACE,
    name: CLIENTS_SECRET,
    key: clientSecretEnv(c),
    generate: { kind: 'password', length: 48 },
    purpose: `OIDC client secret of ${c} in the Keycloak realm ${site.identity.realm}`,
  }));
  const f = site.identity.federation;
  if (f?.ldap) {
    needs.push({
      ref: f.ldap.bindPasswordRef,
      namespace: KEYCLOAK_NAMESPACE,
      name: CLIENTS_SECRET,
      key: LDAP_BIND_ENV,
      generate: { kind: 'external' },
      purpose: `bind password of ${f.ldap.bindDn} at ${f.ldap.url} (campus LDAP)`,
    });
  }
  if (f?.oidc) {
    needs.push({
      ref: f.oidc.clientSecretRef,
      namespace: KEYCLOAK_NAMESPACE,
      name: CLIENTS_SECRET,
      key: OIDC_IDP_SECRET_ENV,
      generate: { kind: 'external' },
      purpose: `client secret of ${f.oidc.clientId} at the campus OIDC provider ${f.oidc.issuer}`,
    });
  }
  return needs;
}

function realmJob(site: Site, versions: Versions, needs: SecretNeed[]): K8sObject[] {
  const cli = versions.components['keycloak-config-cli'];
  if (!cli?.image) throw new Error('gitops/versions.yaml: keycloak-config-cli.image is missing');
  const realmFile = `${site.identity.realm}.yaml`;
  const realmText = toYaml(realmRepresentation(site), { object: false });
  // The master realm's frontend URL goes last: it changes the issuer of the Job's own admin token.
  const masterFile = `${MASTER_REALM}.yaml`;
  const masterText = toYaml(masterRealmRepresentation(), { object: false });
  const image = `${cli.image}:${cli.version}`;
  // The name changes with the realm or the image: ArgoCD creates a new Job (and prunes the old one), so
  // a change runs exactly once; an unchanged realm is never re-applied.
  const hash = createHash('sha256')
    .update(image)
    .update('\0')
    .update(realmText)
    .update('\0')
    .update(masterText)
    .digest('hex')
    .slice(0, 10);
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `keycloak-realm-${hash}`, namespace: KEYCLOAK_NAMESPACE, annotations: { [SYNC_WAVE]: '2' } },
    data: { [realmFile]: realmText, [masterFile]: masterText },
  };
  const secretEnv = [...new Set(needs.filter((n) => n.name === CLIENTS_SECRET).map((n) => n.key))].sort();
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `keycloak-realm-${hash}`,
      namespace: KEYCLOAK_NAMESPACE,
      annotations: { [SYNC_WAVE]: '3' },
      labels: { 'app.kubernetes.io/name': 'keycloak-config-cli' },
    },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'keycloak-config-cli' } },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'keycloak-config-cli',
              image,
              env: [
                {
                  name: 'KEYCLOAK_URL',
                  value: `http://${KEYCLOAK_SERVICE}.${KEYCLOAK_NAMESPACE}.svc:${KEYCLOAK_HTTP_PORT}`,
                },
                { name: 'KEYCLOAK_USER', valueFrom: { secretKeyRef: { name: ADMIN_SECRET, key: 'username' } } },
                { name: 'KEYCLOAK_PASSWORD', valueFrom: { secretKeyRef: { name: ADMIN_SECRET, key: 'password' } } },
                { name: 'KEYCLOAK_AVAILABILITYCHECK_ENABLED', value: 'true' },
                { name: 'KEYCLOAK_AVAILABILITYCHECK_TIMEOUT', value: '600s' },
                { name: 'IMPORT_FILES_LOCATIONS', value: `/config/${realmFile},/config/${masterFile}` },
                { name: 'IMPORT_VARSUBSTITUTION_ENABLED', value: 'true' },
                // Only resources config-cli created are ever deleted; manual groups and users stay.
                { name: 'IMPORT_REMOTESTATE_ENABLED', value: 'true' },
                // Group membership from the inventory is added, never taken away (students are added by staff).
                { name: 'IMPORT_USERS_MERGEGROUPS', value: 'true' },
                ...secretEnv.map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: CLIENTS_SECRET, key: k } } })),
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'realm', mountPath: '/config', readOnly: true }],
            },
          ],
          volumes: [{ name: 'realm', configMap: { name: cm.metadata!.name! } }],
        },
      },
    },
  };
  return [k8s(cm), k8s(job)];
}

export const keycloakOperator: ComponentBuilder = ({ versions }) => ({
  name: 'keycloak-operator',
  // The upstream ClusterRoleBinding names the ServiceAccount in namespace "keycloak", and the operator only
  // watches its own namespace: operator and Keycloak share it.
  namespace: KEYCLOAK_NAMESPACE,
  tier: 'operators',
  remoteManifests: operatorManifests(versions),
  syncOptions: ['ServerSideApply=true'],
});

export const keycloak: ComponentBuilder = ({ site, versions, ingress }): Component => {
  const db = postgresCluster(KEYCLOAK_DB, '0');
  const needs: SecretNeed[] = [
    db.secret,
    {
      ref: 'identity/keycloak-admin-password',
      namespace: KEYCLOAK_NAMESPACE,
      name: ADMIN_SECRET,
      key: 'password',
      generate: { kind: 'password', length: 32 },
      purpose: `Keycloak bootstrap admin (${ADMIN_USER}, master realm); also used by the realm config Job`,
      extraData: { username: ADMIN_USER },
    },
    ...realmSecretNeeds(site),
  ];
  const kc = {
    apiVersion: 'k8s.keycloak.org/v2alpha1',
    kind: 'Keycloak',
    metadata: { name: KEYCLOAK_NAME, namespace: KEYCLOAK_NAMESPACE, annotations: { [SYNC_WAVE]: '1' } },
    spec: {
      instances: 2,
      db: {
        vendor: 'postgres',
        host: rwService(KEYCLOAK_DB),
        port: 5432,
        database: KEYCLOAK_DB.database,
        usernameSecret: { name: db.secret.name, key: 'username' },
        passwordSecret: { name: db.secret.name, key: 'password' },
      },
      http: { httpEnabled: true, httpPort: KEYCLOAK_HTTP_PORT },
      // hostname-admin: the console and its admin API URLs point at the port-forward, never at the public host.
      hostname: {
        hostname: `https://${site.hosts.sso}`,
        admin: ADMIN_CONSOLE_URL,
        strict: true,
        backchannelDynamic: false,
      },
      // Keycloak trusts exactly the forwarding headers the ingress layer sets.
      proxy: { headers: ingress.forwardedHeaders },
      ingress: { enabled: false },
      bootstrapAdmin: { user: { secret: ADMIN_SECRET } },
      // event-metrics-user-enabled: keycloak_user_events_total, which the KeycloakLoginErrorsHigh alert reads
      // (off by default; Keycloak's "Monitoring user activities with event metrics" guide).
      additionalOptions: [
        { name: 'metrics-enabled', value: 'true' },
        { name: 'health-enabled', value: 'true' },
        { name: 'event-metrics-user-enabled', value: 'true' },
      ],
      scheduling: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { app: 'keycloak', 'app.kubernetes.io/instance': KEYCLOAK_NAME } },
          },
        ],
      },
    },
  };
  // Platform admins are cluster-admin; the API server prefixes OIDC groups (identity.ts).
  const admins: IClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'oidc-platform-admins' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: kubeGroup(GROUPS.platformAdmins) }],
  };
  return {
    name: 'keycloak',
    namespace: KEYCLOAK_NAMESPACE,
    tier: 'platform',
    manifests: [db.object, k8s(kc), ...realmJob(site, versions, needs), k8s(admins)],
    exposures: [
      {
        name: 'keycloak',
        namespace: KEYCLOAK_NAMESPACE,
        host: site.hosts.sso,
        service: KEYCLOAK_SERVICE,
        port: KEYCLOAK_HTTP_PORT,
        paths: publicPaths(site),
      },
    ],
    secrets: needs,
    // The Keycloak CR's CRD comes from the operator app; Clusters from CNPG's.
    syncOptions: ['SkipDryRunOnMissingResource=true'],
  };
};

export const component = defineComponent({
  name: 'keycloak',
  build: (ctx) => [keycloakOperator(ctx), keycloak(ctx)].flatMap((c) => (c ? [c].flat() : [])),
  alerts: () => alerts(KEYCLOAK_NAMESPACE),
  crdSchemas: SCHEMAS,
});
