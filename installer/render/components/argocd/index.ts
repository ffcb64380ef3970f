// ArgoCD manages itself after the bootstrap: the installer installs this chart with these same values,
// then the root app-of-apps adopts it. Login through the site's Keycloak (client secret by reference).
import { toYaml } from '../../yaml.ts';
import type { ComponentBuilder, SecretNeed } from '../../model.ts';
import { ARGOCD_NAMESPACE } from '../../platform/namespaces.ts';
import type { Exposure } from '../../platform/exposure.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { argocdOidc } from './oidc.ts';
import { clientSecretNeed } from '../../platform/identity.ts';
import { courseStaffPolicy } from '../../platform/labs.ts';
import { SITE_CA, siteCaNeeds, siteCaVolume } from '../../platform/site-issuer.ts';

/**
 * Argo CD removed the health check of Application resources in 1.8; without it a parent app-of-apps
 * does not wait for a child's health before the next sync wave. This restores it (Argo CD docs,
 * operator-manual/health.md).
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/**
 * CephCluster health. ArgoCD's built-in check (resource_customizations/ceph.rook.io/CephCluster) maps
 * HEALTH_WARN to Degraded; HEALTH_WARN is routine (deep-scrub overdue, a recent daemon crash, one storage
 * node down for maintenance) and Ceph keeps serving I/O, but a Degraded resource fails the waved sync of
 * the root app and, after its retries, automated sync gives up on that commit: no later wave (Harbor,
 * Keycloak, monitoring, chart bumps) would be applied. Here HEALTH_WARN is Healthy with Ceph's message
 * kept (the CephHealthWarning alert reports it to the on-call); HEALTH_ERR, an unavailable cluster, and
 * Rook's Error state stay Degraded; no status yet or a state other than Created/Connected is Progressing.
 */
export const CEPH_CLUSTER_HEALTH_LUA = `hs = { status = "Progressing", message = "Waiting for status to be reported" }
if obj.status == nil then
  return hs
end
local health = nil
if obj.status.ceph ~= nil then
  health = obj.status.ceph.health
end
local state = obj.status.state
hs.message = "Ceph health is " .. tostring(health) .. ", cluster state is " .. tostring(state)
if obj.status.message ~= nil then
  hs.message = hs.message .. " - " .. obj.status.message
end
if health == "HEALTH_ERR" or state == "Error" then
  hs.status = "Degraded"
elseif (health == "HEALTH_OK" or health == "HEALTH_WARN") and (state == "Created" or state == "Connected") then
  hs.status = "Healthy"
end
return hs
`;

/** argocd-server on the site domain (plain HTTP behind the layer: server.insecure). */
const argocdExposure = (host: string): Exposure => ({
  name: host.split('.')[0]!,
  namespace: ARGOCD_NAMESPACE,
  host,
  service: 'argocd-server',
  port: 80,
  backendProtocol: 'http',
});

export const argocd: ComponentBuilder = ({ site, ingress }) => {
  const oidc = argocdOidc(site);
  const secrets: SecretNeed[] = [
    clientSecretNeed(site, 'argocd'),
    {
      ref: 'argocd/site-repo-password',
      namespace: ARGOCD_NAMESPACE,
      name: 'site-repo',
      key: 'password',
      generate: { kind: 'external' },
      purpose: `read token/password ArgoCD uses to pull ${site.site.gitRepo}`,
      labels: { 'argocd.argoproj.io/secret-type': 'repository' },
      extraData: { url: site.site.gitRepo, type: 'git', username: 'argocd' },
    },
  ];
  const ing = ingress.chartIngress?.(argocdExposure(site.hosts.argocd));
  // internal-ca: argocd-server fetches Keycloak's discovery, keys and tokens over HTTPS signed by the site
  // CA. Without oidc.config rootCA (a PEM in Git) ArgoCD uses Go's system roots, which SSL_CERT_DIR extends.
  secrets.push(...siteCaNeeds(site, ARGOCD_NAMESPACE, 'argocd-server (OIDC to Keycloak)'));
  const ca = siteCaVolume(site);
  return {
    name: 'argocd',
    namespace: ARGOCD_NAMESPACE,
    tier: 'operators',
    // ArgoCD already runs (the installer put it there with these values, health customizations included);
    // this Application only adopts it. It comes after the ingress layer (wave 5): its Ingress is Healthy only
    // with a load-balancer address, which needs MetalLB and its pool (wave 0) and the ingress controller.
    // Earlier, its Progressing Ingress would hold every later wave of the root app (docs/architecture.md).
    wave: 6,
    chart: {
      component: 'argo-cd',
      values: {
        global: { domain: site.hosts.argocd },
        crds: { install: true, keep: true },
        configs: {
          // TLS ends at the ingress.
          params: {
            'server.insecure': true,
            // The labs ApplicationSet's `labs/*/*.yaml` must match one folder level only: with the legacy
            // globbing "*" crosses "/", so labs/<course>/<other>/x.yaml would become a lab of course <other>.
            'applicationsetcontroller.enable.new.git.file.globbing': true,
          },
          cm: {
            url: `https://${site.hosts.argocd}`,
            // No local admin, ever (not even during the hand-over, which talks to the API server with the
            // admin kubeconfig, not to ArgoCD): people log in through Keycloak; break-glass is the admin
            // kubeconfig with `argocd --core` (docs/decisions.md "ArgoCD without a local admin").
            'admin.enabled': false,
            // YAML inside a string is read by ArgoCD (YAML 1.1) too: the one 1.1-safe writer.
            'oidc.config': toYaml(
              {
                name: 'Keycloak',
                issuer: oidc.issuer,
                clientID: oidc.clientId,
                clientSecret: `$${oidc.secretName}:${oidc.secretKey}`,
                requestedScopes: ['openid', 'profile', 'email', 'groups'],
              },
              { object: false },
            ),
            'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA,
            'resource.customizations.health.ceph.rook.io_CephCluster': CEPH_CLUSTER_HEALTH_LUA,
          },
          rbac: {
            'policy.default': '',
            // Admins run the platform; each course's staff may watch and re-sync that course's lab Applications only.
            'policy.csv':
              [
                ...oidc.adminGroups.map((g) => `g, ${g}, role:admin`),
                ...courseStaffPolicy(site.labs.courses.map((c) => c.name)),
              ].join('\n') + '\n',
            scopes: '[groups]',
          },
        },
        server: {
          ingress: ing
            ? {
                enabled: true,
                ingressClassName: ing.className,
                hostname: ing.host,
                annotations: ing.annotations,
                tls: true,
              }
            : { enabled: false },
          metrics: { enabled: true, serviceMonitor: { enabled: true } },
          ...(ca ? { ...ca, env: [{ name: 'SSL_CERT_DIR', value: `/etc/ssl/certs:${SITE_CA.mountPath}` }] } : {}),
        },
        controller: { metrics: { enabled: true, serviceMonitor: { enabled: true } } },
        repoServer: { metrics: { enabled: true, serviceMonitor: { enabled: true } } },
        applicationSet: { metrics: { enabled: true, serviceMonitor: { enabled: true } } },
      },
    },
    secrets,
    exposures: ing ? [] : [argocdExposure(site.hosts.argocd)],
  };
};

export const component = defineComponent({ name: 'argocd', build: argocd, alerts });
