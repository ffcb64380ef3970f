// The site's Keycloak realm as code: a RealmRepresentation that keycloak-config-cli applies (creating the
// realm on day 1 and updating it afterwards; decision record "Keycloak realm as code"). Client secrets and
// federation credentials appear only as $(env:NAME) placeholders that config-cli fills from a Secret.
import type { Site } from '../../../inventory/types.ts';
import {
  CLIENT_NAMES,
  GROUPS,
  GROUPS_CLAIM,
  oidcClients,
  realmGroups,
  type ClientName,
} from '../../platform/identity.ts';

/** Environment variable that carries a client's secret into the config-cli Job. */
export const clientSecretEnv = (c: ClientName) => `${c.toUpperCase()}_CLIENT_SECRET`;
export const LDAP_BIND_ENV = 'LDAP_BIND_PASSWORD';
export const OIDC_IDP_SECRET_ENV = 'OIDC_IDP_CLIENT_SECRET';

const env = (name: string) => `$(env:${name})`;

/** The client scope that puts group names (no paths) into ID tokens, access tokens and userinfo. */
function groupsScope() {
  return {
    name: GROUPS_CLAIM,
    description: 'Group names of the user (claim "groups"), for Kubernetes RBAC, ArgoCD, Grafana and Harbor.',
    protocol: 'openid-connect',
    attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
    protocolMappers: [
      {
        name: 'groups',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-group-membership-mapper',
        consentRequired: false,
        config: {
          'claim.name': GROUPS_CLAIM,
          'full.path': 'false',
          'id.token.claim': 'true',
          'access.token.claim': 'true',
          'userinfo.token.claim': 'true',
        },
      },
    ],
  };
}

function clients(site: Site) {
  const all = oidcClients(site);
  return CLIENT_NAMES.map((name) => {
    const c = all[name];
    return {
      clientId: c.clientId,
      name: `${name} (${site.site.name})`,
      enabled: true,
      protocol: 'openid-connect',
      publicClient: c.public,
      ...(c.public ? {} : { secret: env(clientSecretEnv(name)), clientAuthenticatorType: 'client-secret' }),
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
      redirectUris: c.redirectUris,
      webOrigins: c.webOrigins,
      attributes: {
        'post.logout.redirect.uris': c.postLogoutRedirectUris.join('##'),
        // Public clients (kubelogin) must prove possession with PKCE.
        ...(c.public ? { 'pkce.code.challenge.method': 'S256' } : {}),
      },
      defaultClientScopes: ['acr', 'basic', 'email', GROUPS_CLAIM, 'profile', 'roles', 'web-origins'],
      optionalClientScopes: ['offline_access'],
    };
  });
}

function federation(site: Site) {
  const f = site.identity.federation;
  const out: Record<string, unknown> = {};
  if (f?.ldap) {
    const attr = f.ldap.usernameAttribute ?? 'uid';
    out.components = {
      'org.keycloak.storage.UserStorageProvider': [
        {
          name: 'campus-ldap',
          providerId: 'ldap',
          config: {
            enabled: ['true'],
            vendor: ['other'],
            connectionUrl: [f.ldap.url],
            startTls: ['false'],
            bindDn: [f.ldap.bindDn],
            bindCredential: [env(LDAP_BIND_ENV)],
            authType: ['simple'],
            usersDn: [f.ldap.usersDn],
            usernameLDAPAttribute: [attr],
            rdnLDAPAttribute: [attr],
            uuidLDAPAttribute: ['entryUUID'],
            userObjectClasses: ['inetOrgPerson, organizationalPerson'],
            searchScope: ['2'],
            pagination: ['true'],
            // The campus directory stays the source of truth: Keycloak never writes to it.
            editMode: ['READ_ONLY'],
            importEnabled: ['true'],
            syncRegistrations: ['false'],
            trustEmail: ['true'],
            useTruststoreSpi: ['always'],
            connectionPooling: ['true'],
          },
        },
      ],
    };
  }
  const idps: Record<string, unknown>[] = [];
  if (f?.saml) {
    idps.push({
      alias: f.saml.alias,
      displayName: 'Campus login (SAML)',
      providerId: 'saml',
      enabled: true,
      trustEmail: true,
      firstBrokerLoginFlowAlias: 'first broker login',
      config: {
        metadataDescriptorUrl: f.saml.metadataUrl,
        useMetadataDescriptorUrl: 'true',
        entityId: `https://${site.hosts.sso}/realms/${site.identity.realm}`,
        nameIDPolicyFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        postBindingResponse: 'true',
        postBindingAuthnRequest: 'true',
        wantAssertionsSigned: 'true',
        validateSignature: 'true',
        syncMode: 'IMPORT',
      },
    });
  }
  if (f?.oidc) {
    idps.push({
      alias: f.oidc.alias,
      displayName: 'Campus login (OIDC)',
      providerId: 'oidc',
      enabled: true,
      trustEmail: true,
      firstBrokerLoginFlowAlias: 'first broker login',
      config: {
        issuer: f.oidc.issuer,
        metadataDescriptorUrl: `${f.oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
        useMetadataDescriptorUrl: 'true',
        clientId: f.oidc.clientId,
        clientSecret: env(OIDC_IDP_SECRET_ENV),
        clientAuthMethod: 'client_secret_post',
        defaultScope: 'openid profile email',
        pkceEnabled: 'true',
        pkceMethod: 'S256',
        validateSignature: 'true',
        useJwksUrl: 'true',
        syncMode: 'IMPORT',
      },
    });
  }
  if (idps.length) out.identityProviders = idps;
  return out;
}

/** Users the inventory names: admins and course staff, with their groups (membership is only added, never removed). */
function users(site: Site) {
  const groupsOf = new Map<string, Set<string>>();
  const add = (u: string, g: string) => groupsOf.set(u, (groupsOf.get(u) ?? new Set()).add(g));
  site.identity.admins.forEach((a) => add(a, GROUPS.platformAdmins));
  site.labs.courses.forEach((c) => (c.staff ?? []).forEach((s) => add(s, GROUPS.courseStaff(c.name))));
  const federated = !!site.identity.federation?.ldap;
  return [...groupsOf.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([username, gs]) => ({
      username,
      enabled: true,
      groups: [...gs].sort(),
      // Local accounts get a password only through the admin console; with LDAP the directory has it.
      ...(federated ? {} : { requiredActions: ['UPDATE_PASSWORD'] }),
    }));
}

export function realmRepresentation(site: Site): Record<string, unknown> {
  return {
    realm: site.identity.realm,
    enabled: true,
    displayName: `${site.site.name} lab cloud`,
    sslRequired: 'external',
    registrationAllowed: false,
    loginWithEmailAllowed: true,
    duplicateEmailsAllowed: false,
    bruteForceProtected: true,
    groups: realmGroups(site).map((name) => ({ name })),
    clientScopes: [groupsScope()],
    clients: clients(site),
    users: users(site),
    ...federation(site),
  };
}

/**
 * Where the admin console lives: only behind `kubectl port-forward` from a machine holding the admin
 * kubeconfig (docs/security.md, boundary 7). Keycloak's `hostname-admin` points the console there, and
 * the master realm's frontend URL does too, so logging in to the master realm never goes through the
 * public SSO host (keycloak/keycloak#45390: without it the console's login is sent to the public host;
 * keycloak/keycloak discussion #46646: the master realm's frontend URL is the way to keep it off that host).
 */
export const ADMIN_CONSOLE_PORT = 18080;
export const ADMIN_CONSOLE_URL = `http://localhost:${ADMIN_CONSOLE_PORT}`;
export const MASTER_REALM = 'master';

/** The master realm's only managed setting: its frontend URL (logins of the admin console stay internal). */
export function masterRealmRepresentation(): Record<string, unknown> {
  return { realm: MASTER_REALM, attributes: { frontendUrl: ADMIN_CONSOLE_URL } };
}

/** Names of the environment variables the realm file needs, for the Job's env. */
export function realmEnv(site: Site): string[] {
  const f = site.identity.federation;
  return [
    ...CLIENT_NAMES.filter((c) => !oidcClients(site)[c].public).map(clientSecretEnv),
    ...(f?.ldap ? [LDAP_BIND_ENV] : []),
    ...(f?.oidc ? [OIDC_IDP_SECRET_ENV] : []),
  ];
}
