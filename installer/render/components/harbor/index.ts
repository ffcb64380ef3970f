// Harbor, the site registry (chart 1.19.1). Images live in the Ceph object store: a CephObjectStoreUser
// whose keys come from the secret store owns the bucket of an ObjectBucketClaim, and Harbor reads the same
// keys from Secret harbor-s3 under the names its chart wants (REGISTRY_STORAGE_S3_*). PostgreSQL is a
// CloudNativePG cluster. Every value the chart would otherwise generate at render time (randAlphaNum,
// genCA, htpasswd: ArgoCD would restart Harbor on every sync, goharbor/harbor-helm#2263) is pinned by
// reference to a Secret. Projects, proxy caches and OIDC are set through Harbor's API by a Job that
// re-runs whenever its declarative configuration changes (its name carries a hash of it).
import { createHash } from 'node:crypto';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { Site } from '../../../inventory/types.ts';
import type { Versions } from '../../../core/versions.ts';
import type { ComponentBuilder, K8sObject, SecretNeed } from '../../model.ts';
import { SYNC_WAVE, k8s } from '../../model.ts';
import type { Exposure, IngressLayer } from '../../platform/exposure.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import {
  GROUPS,
  GROUPS_CLAIM,
  USERNAME_CLAIM,
  clientSecretNeed,
  issuerUrl,
  oidcClients,
} from '../../platform/identity.ts';
import { postgresCluster, rwService, type Database } from '../../platform/postgres.ts';
import { OBJECT_STORE, ROOK_NAMESPACE, STORAGE_CLASSES } from '../../platform/storage.ts';
import { SITE_CA, siteCaNeeds } from '../../platform/site-issuer.ts';
import { readAsset } from '../../text.ts';
import { PRIORITY } from '../../platform/scheduling.ts';
import { HARBOR_GC } from './gc.ts';

export const HARBOR_NAMESPACE = 'harbor';
/** Helm release name; the chart names its Services <release>-core etc. */
export const HARBOR_RELEASE = 'harbor';
export const HARBOR_BUCKET = 'harbor-registry';
export const HARBOR_OBJECT_USER = 'harbor';
export const REGISTRY_USER = 'harbor_registry_user';

export const HARBOR_DB: Database = {
  name: 'harbor-db',
  namespace: HARBOR_NAMESPACE,
  database: 'registry',
  owner: 'harbor',
  ref: 'registry/db-password',
  size: '10Gi',
  instances: 2,
  purpose: 'password of the Harbor database owner (CloudNativePG harbor-db)',
};

/** The Secrets the chart values name (existingSecret*), with the exact keys the chart reads. */
export const HARBOR_SECRETS = {
  admin: { name: 'harbor-admin', key: 'HARBOR_ADMIN_PASSWORD' },
  secretKey: { name: 'harbor-secretkey', key: 'secretKey' },
  core: { name: 'harbor-core-secret', key: 'secret' },
  xsrf: { name: 'harbor-xsrf', key: 'CSRF_KEY' },
  jobservice: { name: 'harbor-jobservice', key: 'JOBSERVICE_SECRET' },
  registryHttp: { name: 'harbor-registry-http', key: 'REGISTRY_HTTP_SECRET' },
  registryCredentials: {
    name: 'harbor-registry-credentials',
    passwordKey: 'REGISTRY_PASSWD',
    htpasswdKey: 'REGISTRY_HTPASSWD',
  },
  s3: { name: 'harbor-s3', accessKey: 'REGISTRY_STORAGE_S3_ACCESSKEY', secretKey: 'REGISTRY_STORAGE_S3_SECRETKEY' },
  /** Token signing key pair: issued by cert-manager (no value to keep; tokens are short-lived). */
  coreToken: { name: 'harbor-core-token' },
  tls: { name: 'harbor-tls' },
} as const;

function need(ref: string, name: string, key: string, length: number, purpose: string): SecretNeed {
  return { ref, namespace: HARBOR_NAMESPACE, name, key, generate: { kind: 'password', length }, purpose };
}

export function harborSecretNeeds(site: Site): SecretNeed[] {
  const s = HARBOR_SECRETS;
  return [
    need(
      'registry/admin-password',
      s.admin.name,
      s.admin.key,
      32,
      'Harbor admin password (break-glass; people log in through Keycloak)',
    ),
    // Harbor requires exactly 16 characters for secretKey and the internal secrets (chart values.yaml).
    need(
      'registry/secret-key',
      s.secretKey.name,
      s.secretKey.key,
      16,
      'Harbor secretKey: encrypts registry credentials stored in its database',
    ),
    need('registry/core-secret', s.core.name, s.core.key, 16, 'Harbor core internal secret'),
    need('registry/xsrf-key', s.xsrf.name, s.xsrf.key, 32, 'Harbor CSRF key'),
    need('registry/jobservice-secret', s.jobservice.name, s.jobservice.key, 16, 'Harbor jobservice internal secret'),
    need(
      'registry/registry-http-secret',
      s.registryHttp.name,
      s.registryHttp.key,
      16,
      'registry HTTP secret (upload state)',
    ),
    need(
      'registry/registry-password',
      s.registryCredentials.name,
      s.registryCredentials.passwordKey,
      32,
      'password of harbor_registry_user (core -> registry)',
    ),
    {
      ref: 'registry/registry-password',
      namespace: HARBOR_NAMESPACE,
      name: s.registryCredentials.name,
      key: s.registryCredentials.htpasswdKey,
      generate: { kind: 'htpasswd', from: 'registry/registry-password', user: REGISTRY_USER },
      purpose: 'htpasswd line of harbor_registry_user (derived)',
    },
    // One key pair, two readers: Harbor's registry (S3 client) and Rook's CephObjectStoreUser (keys it gives the RGW user).
    need(
      'registry/s3-access-key',
      s.s3.name,
      s.s3.accessKey,
      20,
      'S3 access key of the RGW user harbor (bucket harbor-registry)',
    ),
    need('registry/s3-secret-key', s.s3.name, s.s3.secretKey, 40, 'S3 secret key of the RGW user harbor'),
    clientSecretNeed(site, 'harbor'),
    ...siteCaNeeds(site, HARBOR_NAMESPACE, 'Harbor core (OIDC to Keycloak)'),
  ];
}

/** Harbor on the site domain. Image layers are large: no body size limit on the registry. */
export const harborExposure = (site: Site): Exposure => ({
  name: site.hosts.harbor.split('.')[0]!,
  namespace: HARBOR_NAMESPACE,
  host: site.hosts.harbor,
  service: HARBOR_RELEASE,
  port: 80,
  maxBodySize: '0',
});

export function harborValues(site: Site, ingress: IngressLayer): Record<string, unknown> {
  const s = HARBOR_SECRETS;
  const host = site.hosts.harbor;
  const block = { storageClass: STORAGE_CLASSES.block };
  // The chart makes its own Ingress when the layer can describe one; else TLS ends at the layer, which
  // publishes the chart's plain-HTTP Service (exposures of the component).
  const ing = ingress.chartIngress?.(harborExposure(site));
  return {
    expose: ing
      ? {
          type: 'ingress',
          tls: { enabled: true, certSource: 'secret', secret: { secretName: s.tls.name } },
          ingress: {
            hosts: { core: host },
            className: ing.className,
            annotations: ing.annotations,
          },
        }
      : { type: 'clusterIP', tls: { enabled: false }, clusterIP: { name: HARBOR_RELEASE, ports: { httpPort: 80 } } },
    externalURL: `https://${host}`,
    // internal-ca: core talks OIDC to Keycloak over HTTPS signed by the site CA; the chart adds ca.crt of
    // this Secret to the trust store of core, jobservice, registry and trivy.
    ...(site.tls.mode === 'internal-ca' ? { caBundleSecretName: SITE_CA.name } : {}),
    persistence: {
      enabled: true,
      resourcePolicy: 'keep',
      persistentVolumeClaim: { jobservice: { jobLog: block }, redis: block, trivy: block },
      imageChartStorage: {
        // Clients (nodes, labs) cannot reach the in-cluster RGW; layers are served through Harbor.
        disableredirect: true,
        type: 's3',
        s3: {
          region: OBJECT_STORE.region,
          bucket: HARBOR_BUCKET,
          regionendpoint: OBJECT_STORE.endpoint,
          existingSecret: s.s3.name,
          secure: false,
          v4auth: true,
          rootdirectory: '/registry',
        },
      },
    },
    existingSecretAdminPassword: s.admin.name,
    existingSecretAdminPasswordKey: s.admin.key,
    existingSecretSecretKey: s.secretKey.name,
    core: {
      replicas: 2,
      priorityClassName: PRIORITY.platform.name,
      existingSecret: s.core.name,
      secretName: s.coreToken.name,
      existingXsrfSecret: s.xsrf.name,
      existingXsrfSecretKey: s.xsrf.key,
    },
    // Before students' VMs when the cluster is full (priority-classes.ts); per-component keys of the chart.
    portal: { replicas: 2, priorityClassName: PRIORITY.platform.name },
    jobservice: {
      replicas: 1,
      priorityClassName: PRIORITY.platform.name,
      existingSecret: s.jobservice.name,
      existingSecretKey: s.jobservice.key,
    },
    registry: {
      replicas: 2,
      priorityClassName: PRIORITY.platform.name,
      existingSecret: s.registryHttp.name,
      existingSecretKey: s.registryHttp.key,
      credentials: { username: REGISTRY_USER, existingSecret: s.registryCredentials.name },
    },
    database: {
      type: 'external',
      external: {
        host: rwService(HARBOR_DB),
        port: '5432',
        username: HARBOR_DB.owner,
        coreDatabase: HARBOR_DB.database,
        existingSecret: `${HARBOR_DB.name}-credentials`,
        sslmode: 'require',
      },
    },
    redis: { type: 'internal', internal: { priorityClassName: PRIORITY.platform.name } },
    trivy: { enabled: true, priorityClassName: PRIORITY.platform.name },
    exporter: { priorityClassName: PRIORITY.platform.name },
    metrics: { enabled: true, serviceMonitor: { enabled: true } },
  };
}

/** What the configuration Job applies: projects, proxy caches and the OIDC settings (no secret). */
export function harborConfig(site: Site): Record<string, unknown> {
  const client = oidcClients(site).harbor;
  return {
    projects: site.registry.projects.map((p) => ({ name: p.name, public: p.public })),
    proxyCaches: site.registry.proxyCaches.map((c) => ({ name: c.name, upstream: c.upstream, type: c.type })),
    gc: HARBOR_GC,
    configurations: {
      auth_mode: 'oidc_auth',
      oidc_name: 'Keycloak',
      oidc_endpoint: issuerUrl(site),
      oidc_client_id: client.clientId,
      oidc_scope: client.scopes.join(','),
      oidc_groups_claim: GROUPS_CLAIM,
      oidc_admin_group: GROUPS.platformAdmins,
      oidc_user_claim: USERNAME_CLAIM,
      oidc_verify_cert: true,
      oidc_auto_onboard: true,
    },
  };
}

const SCRIPT = readAsset('render/components/harbor/harbor-config.py');

function configJob(site: Site, versions: Versions): K8sObject[] {
  const py = versions.components['harbor-config-python'];
  if (!py?.image) throw new Error('gitops/versions.yaml: harbor-config-python.image is missing');
  const image = `${py.image}:${py.version}`;
  const config = JSON.stringify(harborConfig(site), null, 2) + '\n';
  const hash = createHash('sha256')
    .update(image)
    .update('\0')
    .update(SCRIPT)
    .update('\0')
    .update(config)
    .digest('hex')
    .slice(0, 10);
  const name = `harbor-config-${hash}`;
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: HARBOR_NAMESPACE, annotations: { [SYNC_WAVE]: '2' } },
    data: { 'harbor.json': config, 'harbor-config.py': SCRIPT },
  };
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: HARBOR_NAMESPACE,
      annotations: { [SYNC_WAVE]: '3' },
      labels: { 'app.kubernetes.io/name': 'harbor-config' },
    },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'harbor-config' } },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'harbor-config',
              image,
              command: ['python3', '/config/harbor-config.py'],
              env: [
                { name: 'HARBOR_URL', value: `http://${HARBOR_RELEASE}-core.${HARBOR_NAMESPACE}.svc` },
                {
                  name: 'HARBOR_ADMIN_PASSWORD',
                  valueFrom: { secretKeyRef: { name: HARBOR_SECRETS.admin.name, key: HARBOR_SECRETS.admin.key } },
                },
                {
                  name: 'OIDC_CLIENT_SECRET',
                  valueFrom: {
                    secretKeyRef: {
                      name: oidcClients(site).harbor.secretRef!.name,
                      key: oidcClients(site).harbor.secretRef!.key,
                    },
                  },
                },
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'config', mountPath: '/config', readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name } }],
        },
      },
    },
  };
  return [k8s(cm), k8s(job)];
}

function storageObjects(): K8sObject[] {
  const s = HARBOR_SECRETS.s3;
  const user = {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephObjectStoreUser',
    metadata: { name: HARBOR_OBJECT_USER, namespace: HARBOR_NAMESPACE, annotations: { [SYNC_WAVE]: '0' } },
    spec: {
      store: OBJECT_STORE.name,
      clusterNamespace: ROOK_NAMESPACE,
      displayName: 'Harbor registry storage',
      keys: [{ accessKeyRef: { name: s.name, key: s.accessKey }, secretKeyRef: { name: s.name, key: s.secretKey } }],
    },
  };
  const obc = {
    apiVersion: 'objectbucket.io/v1alpha1',
    kind: 'ObjectBucketClaim',
    metadata: { name: HARBOR_BUCKET, namespace: HARBOR_NAMESPACE, annotations: { [SYNC_WAVE]: '1' } },
    // A fixed bucket owned by the user above, so the keys in harbor-s3 are the bucket's keys.
    spec: {
      bucketName: HARBOR_BUCKET,
      storageClassName: STORAGE_CLASSES.bucket,
      additionalConfig: { bucketOwner: HARBOR_OBJECT_USER },
    },
  };
  return [k8s(user), k8s(obc)];
}

function tokenCertificate(): K8sObject[] {
  const issuer: IIssuer = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer',
    metadata: { name: 'harbor-token-selfsigned', namespace: HARBOR_NAMESPACE, annotations: { [SYNC_WAVE]: '0' } },
    spec: { selfSigned: {} },
  };
  const cert: ICertificate = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: HARBOR_SECRETS.coreToken.name, namespace: HARBOR_NAMESPACE, annotations: { [SYNC_WAVE]: '0' } },
    spec: {
      secretName: HARBOR_SECRETS.coreToken.name,
      commonName: 'harbor-token-ca',
      duration: '87600h',
      renewBefore: '720h',
      privateKey: { algorithm: 'RSA', size: 4096, rotationPolicy: 'Always' },
      issuerRef: { name: 'harbor-token-selfsigned', kind: 'Issuer' },
    },
  };
  return [k8s(issuer), k8s(cert)];
}

export const harbor: ComponentBuilder = ({ site, versions, ingress }) => {
  const db = postgresCluster(HARBOR_DB, '0');
  return {
    name: 'harbor',
    namespace: HARBOR_NAMESPACE,
    tier: 'platform',
    chart: { component: 'harbor', releaseName: HARBOR_RELEASE, values: harborValues(site, ingress) },
    manifests: [db.object, ...storageObjects(), ...tokenCertificate(), ...configJob(site, versions)],
    secrets: [db.secret, ...harborSecretNeeds(site)],
    syncOptions: ['SkipDryRunOnMissingResource=true'],
    exposures: ingress.chartIngress ? [] : [harborExposure(site)],
  };
};

export const component = defineComponent({ name: 'harbor', build: harbor, alerts });
