import { obj, str, int, list, label, ipv4, oneOf, bool, secretRef, DNS_NAME, type Schema } from './dsl.ts';

const hostname = (svc: string, dflt: string) =>
  str(`Full host name of ${svc}; must be inside site.domain. Default: ${dflt}.<site.domain>`, { pattern: DNS_NAME });

export const ingress: Schema = obj('The ingress layer in front of every web service.', {
  controller: oneOf('Ingress layer: ingress-nginx (default; final release, retired upstream; see README) or calico-gateway (Gateway API through Calico Ingress Gateway)', ['ingress-nginx', 'calico-gateway']),
  pool: label('Pool (bgp.pools[].name) the controller\'s Service address comes from. Default: the first pool'),
  address: ipv4('Fixed address of the ingress controller inside `pool`. Default: the first usable address of the pool'),
});

export const TLS_MODES = ['acme-http01', 'acme-dns01', 'internal-ca'] as const;
export const tls: Schema = obj('How certificates are issued.', {
  mode: oneOf('acme-http01 (public names), acme-dns01 (RFC2136 to the campus DNS) or internal-ca (air-gapped).', TLS_MODES),
  acme: obj('ACME account; required for acme-* modes.', {
    server: str('ACME directory URL.', { pattern: '^https://\\S+$' }),
    email: str('Contact address of the ACME account.', { pattern: '^[^@\\s]+@[^@\\s]+$' }),
  }, ['server', 'email']),
  rfc2136: obj('Dynamic DNS updates for DNS-01; required for acme-dns01.', {
    nameserver: str('DNS server accepting updates, host:port.', { pattern: '^[^:\\s]+:[0-9]{1,5}$' }),
    tsigKeyName: str('TSIG key name.', { minLength: 1 }),
    tsigAlgorithm: oneOf('TSIG algorithm. Default: HMACSHA256', ['HMACMD5', 'HMACSHA1', 'HMACSHA256', 'HMACSHA512']),
    tsigSecretRef: secretRef('TSIG secret.'),
  }, ['nameserver', 'tsigKeyName', 'tsigSecretRef']),
  internalCa: obj('Site CA; required for internal-ca.', {
    commonName: str('Common name of the CA certificate.', { minLength: 1 }),
    keyPairRef: secretRef('CA certificate and key (PEM). Generated when absent.'),
  }, ['commonName', 'keyPairRef']),
}, ['mode']);

export const identity: Schema = obj('Keycloak: the one login for every service.', {
  realm: label('Keycloak realm name. Default: the site name'),
  hostname: hostname('Keycloak', 'sso'),
  admins: list('Login names of the platform administrators.', str('A login name.', { pattern: '^[a-z0-9][-a-z0-9_.]*$' }), { minItems: 1, uniqueItems: true }),
  federation: obj('Federation with the campus directory. Default: none', {
    ldap: obj('Campus LDAP (user federation).', {
      url: str('LDAP URL; must be ldaps://.', { pattern: '^[a-z]+://\\S+$' }),
      bindDn: str('Bind DN of the Keycloak service account.', { minLength: 1 }),
      bindPasswordRef: secretRef('Bind password.'),
      usersDn: str('DN under which users live.', { minLength: 1 }),
      usernameAttribute: str('Attribute holding the login name. Default: uid', { minLength: 1 }),
    }, ['url', 'bindDn', 'bindPasswordRef', 'usersDn']),
    saml: obj('Campus SAML identity provider.', {
      alias: label('Alias of the identity provider in Keycloak.'),
      metadataUrl: str('URL of the IdP\'s SAML metadata.', { pattern: '^https://\\S+$' }),
    }, ['alias', 'metadataUrl']),
    oidc: obj('Campus OIDC identity provider.', {
      alias: label('Alias of the identity provider in Keycloak.'),
      issuer: str('Issuer URL.', { pattern: '^https://\\S+$' }),
      clientId: str('Client id at the campus IdP.', { minLength: 1 }),
      clientSecretRef: secretRef('Client secret at the campus IdP.'),
    }, ['alias', 'issuer', 'clientId', 'clientSecretRef']),
  }),
}, ['admins']);

export const PROXY_TYPES = ['docker-hub', 'docker-registry', 'quay', 'github-ghcr'] as const;
export const registry: Schema = obj('Harbor, the site registry.', {
  hostname: hostname('Harbor', 'harbor'),
  projects: list('Harbor projects to create. Default: [{name: labs}]', obj('A project.', {
    name: label('Project name.'),
    public: bool('Anonymous pull allowed. Default: false'),
  }, ['name'])),
  proxyCaches: list('Pull-through caches of public registries. Default: []', obj('A proxy-cache project.', {
    name: label('Project name.'),
    upstream: str('Upstream registry URL.', { pattern: '^https?://\\S+$' }),
    type: oneOf('Upstream registry type. Default: docker-registry', PROXY_TYPES),
  }, ['name', 'upstream'])),
});

export const storage: Schema = obj('Rook-Ceph storage.', {
  failureDomain: oneOf('CRUSH failure domain of the pools: host or rack. Default: host', ['host', 'rack']),
  replicas: int('Replica count of the pools; at most the number of failure domains holding OSDs. Default: 3', { minimum: 1, maximum: 7 }),
});

export const versions: Schema = {
  type: 'object',
  description: 'Overrides of pinned upstream versions from gitops/versions.yaml, by component name. Default: {}',
  additionalProperties: str('A version string.', { minLength: 1 }),
};
