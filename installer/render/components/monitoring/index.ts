// Monitoring and logs: the prometheus-operator CRDs (crds wave, server-side applied: they exceed the
// client-side apply annotation limit), kube-prometheus-stack (Prometheus, Alertmanager with our routing,
// Grafana behind Keycloak, node-exporter, kube-state-metrics) with our PrometheusRules, runbooks and
// dashboards, Loki (monolithic, chunks on the Ceph object store) and Grafana Alloy shipping node and pod logs.
import type { Component, ComponentBuilder, K8sObject, RenderContext, RepoFile, SecretNeed } from '../../model.ts';
import type { Exposure } from '../../platform/exposure.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { dashboards } from './dashboards.ts';
import { SCHEMAS } from './schemas.ts';
import { k8s } from '../../model.ts';
import type { Site } from '../../../inventory/types.ts';
import { SITE_CA, SITE_CA_FILE, siteCaNeeds } from '../../platform/site-issuer.ts';
import { clientSecretNeed, GRAFANA_GROUPS, GROUPS_CLAIM, issuerUrl, oidcClients } from '../../platform/identity.ts';
import { STORAGE_CLASSES, OBJECT_STORE } from '../../platform/storage.ts';
import { prometheusRule, toGroup, type AlertGroup } from '../../platform/alert-rules.ts';
import { alertmanagerConfig, alertmanagerSecrets, AM_NAMESPACE, RECEIVER_SECRET } from './alertmanager.ts';
import { dashboardConfigMaps } from './dashboards.ts';
import { renderTemplate } from '../../text.ts';
import { rotationOf } from '../../../inventory/rotation.ts';
import { alloyConfig } from './alloy.ts';
import { PRIORITY } from '../../platform/scheduling.ts';
import { nodeExporterValues } from './node-textfiles.ts';

export const MONITORING_NS = AM_NAMESPACE;
export const LOGGING_NS = 'logging';
export const LOKI_BUCKET = 'loki-chunks';
/** In-cluster push/query URL of Loki (the chart's gateway Service for release "loki"). */
export const LOKI_URL = `http://loki-gateway.${LOGGING_NS}.svc.cluster.local`;
const PRIVILEGED = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};
const CLUSTER_RBAC = [
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/** Where a runbook is browsed: the rendered site repository on the site's Git server. */
export const runbookUrl = (site: Site) => (name: string) => `${site.site.gitBrowseUrl}/runbooks/${name}.md`;

/** Kubernetes object name of a rule group's PrometheusRule. */
export const ruleObjectName = (group: string) => group;

/** Prometheus' volume (GiB); its retentionSize is derived from it. */
const PROMETHEUS_VOLUME_GI = 50;

export function platformRules(site: Site, groups: AlertGroup[]): K8sObject[] {
  const url = runbookUrl(site);
  return groups.map((g) => k8s(prometheusRule(ruleObjectName(g.name), MONITORING_NS, [toGroup(g, url)])));
}

/** Where `labctl up` wrote the admin kubeconfig, as a shell word: the state directory's own rule. */
export const adminKubeconfigShell = (site: string) =>
  `\${LABCTL_STATE_DIR:-\${XDG_STATE_HOME:-$HOME/.local/state}/labctl/${site}}/admin.conf`;

export function runbookFiles(site: Site, groups: AlertGroup[]): RepoFile[] {
  const escalateAfterMinutes = rotationOf(site)?.escalateAfterMinutes ?? 15;
  const files: RepoFile[] = [];
  const index: { name: string; severity: string; group: string; summary: string }[] = [];
  for (const g of groups) {
    for (const a of g.alerts) {
      files.push({
        path: `runbooks/${a.name}.md`,
        content: renderTemplate('render/components/monitoring/templates/runbook.md.hbs', {
          name: a.name,
          severity: a.severity,
          group: g.name,
          for: a.for ?? '',
          summary: a.summary,
          description: a.description,
          runbook: a.runbook,
          expr: a.expr,
          site: site.site.name,
          admins: site.identity.admins,
          escalateAfterMinutes,
          amNamespace: AM_NAMESPACE,
          grafana: site.hosts.grafana,
          adminKubeconfig: adminKubeconfigShell(site.site.name),
        }),
      });
      index.push({ name: a.name, severity: a.severity, group: g.name, summary: a.summary.replace(/\|/g, '\\|') });
    }
  }
  files.push({
    path: 'runbooks/README.md',
    content: renderTemplate('render/components/monitoring/templates/runbooks-index.md.hbs', {
      site: site.site.name,
      alerts: index,
    }),
  });
  return files;
}

export const prometheusCrds: ComponentBuilder = () => ({
  name: 'prometheus-crds',
  namespace: MONITORING_NS,
  tier: 'crds',
  namespaceLabels: PRIVILEGED, // the same namespace as kube-prometheus-stack: same managed labels
  chart: { component: 'prometheus-operator-crds', values: {} },
  syncOptions: ['ServerSideApply=true'],
});

/**
 * Who may log in to Grafana (logs and metrics of every namespace): only the groups of GRAFANA_GROUPS.
 * Two locks: allowed_groups refuses anyone in none of them, and with role_attribute_strict a user the
 * role expression gives no role is refused too (no fallback to Viewer).
 */
export function grafanaAccess() {
  const { admin, editor } = GRAFANA_GROUPS;
  return {
    allowed_groups: [admin, editor].join(' '),
    role_attribute_path: `contains(${GROUPS_CLAIM}[*], '${admin}') && 'Admin' || contains(${GROUPS_CLAIM}[*], '${editor}') && 'Editor'`,
    role_attribute_strict: true,
  };
}

/** Grafana on the site domain: the kube-prometheus-stack release's Service (release = Application name). */
const grafanaExposure = (site: Site): Exposure => ({
  name: site.hosts.grafana.split('.')[0]!,
  namespace: MONITORING_NS,
  host: site.hosts.grafana,
  service: 'kube-prometheus-stack-grafana',
  port: 80,
});

function grafanaValues({ site, ingress }: RenderContext): Record<string, unknown> {
  const client = oidcClients(site).grafana;
  const oidc = `${issuerUrl(site)}/protocol/openid-connect`;
  // The chart makes its own Ingress when the layer can describe one (identical output); else the layer publishes.
  const ing = ingress.chartIngress?.(grafanaExposure(site));
  return {
    // Client secret only from the Secret (GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET), never inline.
    envFromSecret: client.secretRef!.name,
    admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
    'grafana.ini': {
      server: { root_url: `https://${site.hosts.grafana}` },
      auth: { disable_login_form: true, oauth_auto_login: false },
      'auth.generic_oauth': {
        enabled: true,
        name: 'Keycloak',
        client_id: client.clientId,
        scopes: client.scopes.join(' '),
        use_pkce: true,
        auth_url: `${oidc}/auth`,
        token_url: `${oidc}/token`,
        api_url: `${oidc}/userinfo`,
        signout_redirect_url: `${oidc}/logout?post_logout_redirect_uri=${encodeURIComponent(`https://${site.hosts.grafana}/login`)}`,
        login_attribute_path: 'preferred_username',
        groups_attribute_path: GROUPS_CLAIM,
        allow_sign_up: true,
        ...grafanaAccess(),
        // internal-ca: the token and userinfo calls go to Keycloak over HTTPS signed by the site CA.
        ...(site.tls.mode === 'internal-ca' ? { tls_client_ca: SITE_CA_FILE } : {}),
      },
    },
    ingress: ing
      ? {
          enabled: true,
          ingressClassName: ing.className,
          annotations: ing.annotations,
          hosts: [site.hosts.grafana],
          tls: [{ secretName: ing.tlsSecret, hosts: [site.hosts.grafana] }],
        }
      : { enabled: false },
    persistence: { enabled: true, storageClassName: STORAGE_CLASSES.block, size: '5Gi' },
    priorityClassName: PRIORITY.platform.name,
    sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } },
    ...(site.tls.mode === 'internal-ca'
      ? {
          extraSecretMounts: [
            { name: SITE_CA.name, secretName: SITE_CA.name, mountPath: SITE_CA.mountPath, readOnly: true },
          ],
        }
      : {}),
    additionalDataSources: [
      { name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: LOKI_URL, jsonData: { maxLines: 5000 } },
    ],
  };
}

export const kubePrometheusStack: ComponentBuilder = (ctx): Component => {
  const { site } = ctx;
  const amSecrets = alertmanagerSecrets(site);
  const pvc = (size: string) => ({
    spec: {
      storageClassName: STORAGE_CLASSES.block,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
    },
  });
  const groups = ctx.observability.alertGroups;
  const secrets: SecretNeed[] = [
    ...amSecrets,
    clientSecretNeed(site, 'grafana'),
    ...siteCaNeeds(site, MONITORING_NS, 'Grafana (OIDC to Keycloak)'),
    {
      ref: 'monitoring/grafana-admin-user',
      namespace: MONITORING_NS,
      name: 'grafana-admin',
      key: 'admin-user',
      generate: { kind: 'hex', length: 8 },
      purpose: "user name of Grafana's break-glass local admin (the login form is off; Keycloak is the way in)",
    },
    {
      ref: 'monitoring/grafana-admin-password',
      namespace: MONITORING_NS,
      name: 'grafana-admin',
      key: 'admin-password',
      generate: { kind: 'password', length: 32 },
      purpose: "password of Grafana's break-glass local admin",
    },
  ];
  return {
    name: 'kube-prometheus-stack',
    namespace: MONITORING_NS,
    // After storage (Prometheus, Alertmanager and Grafana keep data on ceph-block) and cert-manager.
    tier: 'platform',
    namespaceLabels: PRIVILEGED, // node-exporter needs host PID/network and hostPath mounts
    syncOptions: ['ServerSideApply=true'],
    clusterResources: [
      ...CLUSTER_RBAC,
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
    ],
    chart: {
      component: 'kube-prometheus-stack',
      values: {
        crds: { enabled: false }, // the prometheus-crds application owns them
        // Watching and paging come before students' VMs (priority-classes.ts); keys read from the chart's values.yaml.
        prometheusOperator: { priorityClassName: PRIORITY.platformCritical.name },
        'prometheus-node-exporter': nodeExporterValues(),
        defaultRules: {
          create: true,
          // Replaced by our labctl-* rules (runbooks in the site repository, node label for inhibition).
          rules: { etcd: false, general: false, nodeExporterAlerting: false },
          disabled: { KubePodNotReady: true, KubePodCrashLooping: true },
        },
        // Kubelets serve certificates signed by the cluster CA (serverTLSBootstrap, approved by
        // kubelet-csr-approver), so Prometheus verifies them against its service account's ca.crt.
        kubelet: { serviceMonitor: { https: true, insecureSkipVerify: false } },
        // kubeadm serves etcd metrics on :2381 (listen-metrics-urls, see the bootstrap's kubeadm config).
        kubeEtcd: { service: { enabled: true, port: 2381, targetPort: 2381 } },
        prometheus: {
          prometheusSpec: {
            retention: site.monitoring.retention,
            priorityClassName: PRIORITY.platformCritical.name,
            // Pick up every ServiceMonitor/PodMonitor/PrometheusRule of the cluster, not only the chart's.
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            scrapeConfigSelectorNilUsesHelmValues: false,
            storageSpec: { volumeClaimTemplate: pvc(`${PROMETHEUS_VOLUME_GI}Gi`) },
            // A size bound as well as the time bound: TSDB blocks stop at 85% of the volume, the rest is
            // headroom for the WAL and compaction (a full volume stops Prometheus, and with it every alert).
            retentionSize: `${Math.floor(PROMETHEUS_VOLUME_GI * 0.85)}GB`,
            externalUrl: `https://${site.hosts.grafana}/explore`,
          },
        },
        alertmanager: {
          config: alertmanagerConfig(site),
          alertmanagerSpec: {
            storage: { volumeClaimTemplate: pvc('2Gi') },
            priorityClassName: PRIORITY.platformCritical.name,
            // Paging must survive a node: up to three replicas (they gossip to deduplicate), kept on
            // different nodes where the site has them.
            replicas: Math.min(3, site.nodes.length),
            podAntiAffinity: 'soft',
            // Receiver URLs and passwords: mounted at /etc/alertmanager/secrets/<secret>/<key>, read via *_file.
            ...(amSecrets.length ? { secrets: [RECEIVER_SECRET] } : {}),
          },
        },
        grafana: grafanaValues(ctx),
      },
    },
    manifests: [...platformRules(site, groups), ...dashboardConfigMaps(ctx.observability.dashboards, MONITORING_NS)],
    files: runbookFiles(site, groups),
    exposures: ctx.ingress.chartIngress ? [] : [grafanaExposure(site)],
    secrets,
  };
};

export const loki: ComponentBuilder = ({ site }): Component => {
  const obc: K8sObject = {
    apiVersion: 'objectbucket.io/v1alpha1',
    kind: 'ObjectBucketClaim',
    metadata: { name: LOKI_BUCKET, namespace: LOGGING_NS },
    spec: { bucketName: LOKI_BUCKET, storageClassName: STORAGE_CLASSES.bucket },
  };
  const retentionHours = `${durationHours(site.monitoring.logRetention)}h`;
  return {
    name: 'loki',
    namespace: LOGGING_NS,
    tier: 'platform',
    namespaceLabels: PRIVILEGED, // shared with Alloy, which mounts /var/log
    syncOptions: ['SkipDryRunOnMissingResource=true'],
    clusterResources: CLUSTER_RBAC,
    chart: {
      component: 'loki',
      values: {
        deploymentMode: 'Monolithic',
        // Single binary and gateway (the chart's _pod.tpl and gateway/_helpers.tpl fall back to it).
        global: { priorityClassName: PRIORITY.platform.name },
        loki: {
          auth_enabled: false,
          commonConfig: { replication_factor: 3 },
          schemaConfig: {
            configs: [
              {
                from: '2026-01-01',
                store: 'tsdb',
                object_store: 's3',
                schema: 'v13',
                index: { prefix: 'loki_index_', period: '24h' },
              },
            ],
          },
          storage: {
            type: 's3',
            bucketNames: { chunks: LOKI_BUCKET, ruler: LOKI_BUCKET, admin: LOKI_BUCKET },
            // Credentials come from the OBC's Secret as environment variables (-config.expand-env).
            s3: {
              endpoint: OBJECT_STORE.endpoint.replace(/^http:\/\//, ''),
              region: 'us-east-1',
              insecure: true,
              s3ForcePathStyle: true,
              accessKeyId: '${AWS_ACCESS_KEY_ID}',
              secretAccessKey: '${AWS_SECRET_ACCESS_KEY}',
            },
          },
          limits_config: { retention_period: retentionHours },
          compactor: { retention_enabled: true, delete_request_store: 's3' },
        },
        singleBinary: {
          replicas: 3,
          extraArgs: ['-config.expand-env=true'],
          extraEnvFrom: [{ secretRef: { name: LOKI_BUCKET } }],
          persistence: { enabled: true, storageClass: STORAGE_CLASSES.block, size: '20Gi' },
        },
        backend: { replicas: 0 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        ingester: { replicas: 0 },
        querier: { replicas: 0 },
        queryFrontend: { replicas: 0 },
        queryScheduler: { replicas: 0 },
        distributor: { replicas: 0 },
        compactor: { replicas: 0 },
        indexGateway: { replicas: 0 },
        bloomGateway: { replicas: 0 },
        bloomPlanner: { replicas: 0 },
        bloomBuilder: { replicas: 0 },
        minio: { enabled: false },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        monitoring: { serviceMonitor: { enabled: true } },
      },
    },
    manifests: [obc],
  };
};

export const alloy: ComponentBuilder = (): Component => ({
  name: 'alloy',
  namespace: LOGGING_NS,
  tier: 'platform',
  wave: 11, // after Loki
  namespaceLabels: PRIVILEGED, // hostPath mounts of /var/log
  clusterResources: CLUSTER_RBAC,
  chart: {
    component: 'alloy',
    values: {
      controller: { type: 'daemonset', tolerations: [{ operator: 'Exists' }] },
      alloy: {
        configMap: { create: true, content: alloyConfig(LOKI_URL) },
        mounts: { varlog: true },
        extraEnv: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      },
      serviceMonitor: { enabled: true },
    },
  },
});

/** '14d' -> 336, '2w' -> 336, '36h' -> 36. */
export function durationHours(d: string): number {
  const m = /^([0-9]+)(h|d|w|y)$/.exec(d);
  if (!m) throw new Error(`duration ${d} is not <n>h|d|w|y`);
  return Number(m[1]) * { h: 1, d: 24, w: 168, y: 8760 }[m[2] as 'h' | 'd' | 'w' | 'y'];
}

export const MONITORING_BUILDERS: ComponentBuilder[] = [prometheusCrds, kubePrometheusStack, loki, alloy];

export const component = defineComponent({
  name: 'monitoring',
  build: (ctx) => MONITORING_BUILDERS.flatMap((b) => [b(ctx) ?? []].flat()),
  alerts,
  dashboards,
  crdSchemas: SCHEMAS,
});
