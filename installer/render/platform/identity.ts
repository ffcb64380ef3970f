// The identity contract of the platform: realm, issuer, OIDC clients, group names and the
// kube-apiserver OIDC settings. The Keycloak realm (components/keycloak.ts), Harbor, ArgoCD, Grafana and
// the bootstrap all read these values from here, so a client id or redirect URI can only differ if a
// consumer ignores this module (test/platform/identity-agreement.test.ts checks that they line up).
import type { Site } from '../../inventory/types.ts';
import type { SecretNeed } from '../model.ts';

/** Claim that carries group names (Keycloak "Group Membership" mapper, full path off). */
export const GROUPS_CLAIM = 'groups';
/** Claim kube-apiserver takes the user name from. */
export const USERNAME_CLAIM = 'preferred_username';
/** Prefix kube-apiserver puts before OIDC user and group names, so they never collide with system: names. */
export const KUBE_OIDC_PREFIX = 'oidc:';

/** Realm group names. Flat names (no paths) so claims and RBAC bindings read the same everywhere. */
export const GROUPS = {
  /** cluster-admin, ArgoCD admin, Grafana admin, Harbor admin. */
  platformAdmins: 'platform-admins',
  /**
   * The on-call rotation: may log in to Grafana (logs and metrics of every namespace) as Editor, which is
   * what creating a silence (the acknowledgement of a page) needs. Members are added in Keycloak or come
   * from the campus directory; nothing else is granted to this group.
   */
  oncall: 'platform-oncall',
  /** Teachers and tutors of a course: manage the course namespace and its labs. */
  courseStaff: (course: string) => `course-${course}-staff`,
  /** Students of a course: use the labs of the course namespace. */
  students: (course: string) => `course-${course}-students`,
} as const;

/** Every group the realm declares, in a stable order. */
export function realmGroups(site: Site): string[] {
  return [
    GROUPS.platformAdmins,
    GROUPS.oncall,
    ...site.labs.courses.flatMap((c) => [GROUPS.courseStaff(c.name), GROUPS.students(c.name)]),
  ];
}

/** The only realm groups Grafana lets in (logs and metrics of every namespace are not for course staff or students). */
export const GRAFANA_GROUPS = { admin: GROUPS.platformAdmins, editor: GROUPS.oncall } as const;

/** The name a realm group has inside Kubernetes RBAC (after the API server's groups prefix). */
export const kubeGroup = (group: string) => `${KUBE_OIDC_PREFIX}${group}`;
export const kubeUser = (login: string) => `${KUBE_OIDC_PREFIX}${login}`;

export const issuerUrl = (site: Site) => `https://${site.hosts.sso}/realms/${site.identity.realm}`;

export type ClientName = 'kubernetes' | 'argocd' | 'grafana' | 'harbor';
export const CLIENT_NAMES: readonly ClientName[] = ['argocd', 'grafana', 'harbor', 'kubernetes'];

/** Where a confidential client's secret lives: one store entry, delivered to the consumer's Secret. */
export interface ClientSecretRef {
  /** Secret-store entry (the same value is given to Keycloak and to the consumer). */
  ref: string;
  namespace: string;
  name: string;
  key: string;
  labels?: Record<string, string>;
}

export interface OidcClient {
  clientId: string;
  /** Public clients (kubelogin) use PKCE and have no secret. */
  public: boolean;
  redirectUris: string[];
  webOrigins: string[];
  postLogoutRedirectUris: string[];
  /** Scopes the consumer requests; `groups` is also a default scope of every client. */
  scopes: string[];
  secretRef?: ClientSecretRef;
}

/** Local ports kubelogin listens on for the browser redirect (its defaults). */
export const KUBELOGIN_PORTS = [8000, 18000] as const;
/** Local port of `argocd login --sso` (PKCE). */
export const ARGOCD_CLI_PORT = 8085;

const clientSecretRef = (
  client: string,
  namespace: string,
  name: string,
  key: string,
  labels?: Record<string, string>,
): ClientSecretRef => ({ ref: `identity/clients/${client}`, namespace, name, key, ...(labels ? { labels } : {}) });

/** Namespaces of the consumers; the realm component delivers nothing there, the consumer does. */
export const CONSUMER_NAMESPACES = { argocd: 'argocd', grafana: 'monitoring', harbor: 'harbor' } as const;

export function oidcClients(site: Site): Record<ClientName, OidcClient> {
  const h = site.hosts;
  const scopes = ['openid', 'profile', 'email', GROUPS_CLAIM];
  return {
    kubernetes: {
      clientId: 'kubernetes',
      public: true,
      redirectUris: KUBELOGIN_PORTS.map((p) => `http://localhost:${p}`),
      webOrigins: [],
      postLogoutRedirectUris: [],
      scopes,
    },
    argocd: {
      clientId: 'argocd',
      public: false,
      redirectUris: [`https://${h.argocd}/auth/callback`, `http://localhost:${ARGOCD_CLI_PORT}/auth/callback`],
      webOrigins: [`https://${h.argocd}`],
      postLogoutRedirectUris: [`https://${h.argocd}/*`],
      scopes,
      // ArgoCD reads `$argocd-oidc:clientSecret` only from Secrets labelled part-of argocd.
      secretRef: clientSecretRef('argocd', CONSUMER_NAMESPACES.argocd, 'argocd-oidc', 'clientSecret', {
        'app.kubernetes.io/part-of': 'argocd',
      }),
    },
    grafana: {
      clientId: 'grafana',
      public: false,
      redirectUris: [`https://${h.grafana}/login/generic_oauth`],
      webOrigins: [`https://${h.grafana}`],
      postLogoutRedirectUris: [`https://${h.grafana}/*`],
      scopes,
      // Grafana takes it as an environment variable (envFromSecret), never inline (assertNoLeakedSecrets).
      secretRef: clientSecretRef(
        'grafana',
        CONSUMER_NAMESPACES.grafana,
        'grafana-oidc',
        'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET',
      ),
    },
    harbor: {
      clientId: 'harbor',
      public: false,
      redirectUris: [`https://${h.harbor}/c/oidc/callback`],
      webOrigins: [`https://${h.harbor}`],
      postLogoutRedirectUris: [`https://${h.harbor}/*`],
      scopes: [...scopes, 'offline_access'],
      secretRef: clientSecretRef('harbor', CONSUMER_NAMESPACES.harbor, 'harbor-oidc', 'clientSecret'),
    },
  };
}

/** The SecretNeed a consumer (ArgoCD, Grafana, Harbor) declares for its client secret. */
export function clientSecretNeed(site: Site, client: Exclude<ClientName, 'kubernetes'>): SecretNeed {
  const s = oidcClients(site)[client].secretRef!;
  return {
    ref: s.ref,
    namespace: s.namespace,
    name: s.name,
    key: s.key,
    generate: { kind: 'password', length: 48 },
    purpose: `OIDC client secret of ${client} in the Keycloak realm ${site.identity.realm}`,
    ...(s.labels ? { labels: s.labels } : {}),
  };
}

export interface ApiServerOidc {
  issuerUrl: string;
  clientId: string;
  usernameClaim: string;
  usernamePrefix: string;
  groupsClaim: string;
  groupsPrefix: string;
  signingAlgs: string[];
  /**
   * With tls.mode internal-ca Keycloak's certificate is signed by the site CA, which the API server must
   * trust: the bootstrap places the CA certificate (PEM) at this path on every control-plane node.
   */
  caFile?: string;
  /** kube-apiserver flags (kubeadm ClusterConfiguration apiServer.extraArgs as name/value). */
  extraArgs: { name: string; value: string }[];
  /**
   * The same settings as a structured AuthenticationConfiguration (apiserver.config.k8s.io/v1), for
   * --authentication-config; use either this or the flags, never both (kube-apiserver refuses). With
   * caFile set, the bootstrap also puts the CA's PEM into jwt[0].issuer.certificateAuthority.
   */
  authenticationConfiguration: Record<string, unknown>;
}

/**
 * Where the API server reads the site CA that signed Keycloak's certificate (internal-ca sites only): the
 * file step 0015-site-ca writes on every node (cluster/artifacts.ts SITE_CA_FILE); kubeadm mounts its folder
 * into kube-apiserver, and `kubeadm reset` leaves it alone (it would empty /etc/kubernetes/pki).
 */
export const OIDC_CA_FILE = '/usr/local/share/ca-certificates/labctl-site-ca.crt';

/** The kube-apiserver OIDC settings that match the realm's `kubernetes` client. */
export function apiServerOidc(site: Site): ApiServerOidc {
  const issuer = issuerUrl(site);
  const clientId = oidcClients(site).kubernetes.clientId;
  const signingAlgs = ['RS256'];
  const caFile = site.tls.mode === 'internal-ca' ? OIDC_CA_FILE : undefined;
  return {
    issuerUrl: issuer,
    clientId,
    usernameClaim: USERNAME_CLAIM,
    usernamePrefix: KUBE_OIDC_PREFIX,
    groupsClaim: GROUPS_CLAIM,
    groupsPrefix: KUBE_OIDC_PREFIX,
    signingAlgs,
    ...(caFile ? { caFile } : {}),
    extraArgs: [
      { name: 'oidc-issuer-url', value: issuer },
      { name: 'oidc-client-id', value: clientId },
      { name: 'oidc-username-claim', value: USERNAME_CLAIM },
      { name: 'oidc-username-prefix', value: KUBE_OIDC_PREFIX },
      { name: 'oidc-groups-claim', value: GROUPS_CLAIM },
      { name: 'oidc-groups-prefix', value: KUBE_OIDC_PREFIX },
      { name: 'oidc-signing-algs', value: signingAlgs.join(',') },
      ...(caFile ? [{ name: 'oidc-ca-file', value: caFile }] : []),
    ],
    authenticationConfiguration: {
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: { url: issuer, audiences: [clientId] },
          claimMappings: {
            username: { claim: USERNAME_CLAIM, prefix: KUBE_OIDC_PREFIX },
            groups: { claim: GROUPS_CLAIM, prefix: KUBE_OIDC_PREFIX },
          },
        },
      ],
    },
  };
}
