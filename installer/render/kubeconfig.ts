// The kubeconfig a student or teacher uses: the API server by its DNS name, and a user entry that runs
// the kubelogin plugin (`kubectl oidc-login`) against the realm's public `kubernetes` client. No secret
// in it: kubelogin gets the tokens in the browser (authorization code + PKCE) and caches them locally.
import type { Site } from '../inventory/types.ts';
import { GROUPS_CLAIM, apiServerOidc } from './platform/identity.ts';

export const API_PORT = 6443;

export interface KubeconfigOptions {
  user: string;
  /** PEM of the cluster CA (public; /etc/kubernetes/pki/ca.crt or the kube-public/cluster-info ConfigMap). */
  caPem?: string;
  /**
   * PEM of the CA that signed Keycloak's certificate, when the clients' own trust store lacks it (the site CA
   * of tls.mode internal-ca sites): kubelogin gets it as --certificate-authority-data, or it cannot log in.
   */
  oidcCaPem?: string;
  namespace?: string;
}

export function buildKubeconfig(site: Site, o: KubeconfigOptions): Record<string, unknown> {
  const oidc = apiServerOidc(site);
  const cluster = site.site.name;
  const userName = `${o.user}@${cluster}`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': userName,
    clusters: [
      {
        name: cluster,
        cluster: {
          server: `https://${site.kubernetes.apiDnsName}:${API_PORT}`,
          ...(o.caPem ? { 'certificate-authority-data': Buffer.from(o.caPem).toString('base64') } : {}),
        },
      },
    ],
    contexts: [
      { name: userName, context: { cluster, user: userName, ...(o.namespace ? { namespace: o.namespace } : {}) } },
    ],
    users: [
      {
        name: userName,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: 'kubectl',
            args: [
              'oidc-login',
              'get-token',
              `--oidc-issuer-url=${oidc.issuerUrl}`,
              `--oidc-client-id=${oidc.clientId}`,
              `--oidc-extra-scope=${GROUPS_CLAIM}`,
              '--oidc-extra-scope=email',
              '--oidc-extra-scope=profile',
              ...(o.oidcCaPem ? [`--certificate-authority-data=${Buffer.from(o.oidcCaPem).toString('base64')}`] : []),
            ],
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
            installHint:
              'Install the kubelogin plugin: kubectl krew install oidc-login (or the kubelogin release binary named kubectl-oidc_login on PATH). See docs/kubeconfig.md.',
          },
        },
      },
    ],
  };
}
