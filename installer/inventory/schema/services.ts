import {
  obj,
  str,
  int,
  list,
  label,
  ipv4,
  oneOf,
  secretRef,
  raw,
  opt,
  dflt,
  section,
  hostname,
  login,
} from './build.ts';

/** The ingress layers `ingress.controller` chooses from; the first is the default. */
export const INGRESS_CONTROLLERS = ['ingress-nginx', 'calico-gateway'] as const;

export const ingress = section(
  obj('The ingress layer in front of every web service.', {
    controller: dflt(
      oneOf(
        'Ingress layer: ingress-nginx (pinned to its final release, retired upstream; see README) or calico-gateway (Gateway API through Calico Ingress Gateway, no Ingress objects).',
        INGRESS_CONTROLLERS,
      ),
      INGRESS_CONTROLLERS[0],
    ),
    pool: opt(label("Pool (bgp.pools[].name) the controller's Service address comes from. Default: the first pool")),
    address: opt(
      ipv4('Fixed address of the ingress controller inside `pool`. Default: the first usable address of the pool'),
    ),
  }),
);

export const TLS_MODES = ['acme-http01', 'acme-dns01', 'internal-ca'] as const;
export const tls = obj('How certificates are issued.', {
  mode: oneOf(
    'acme-http01 (public names), acme-dns01 (RFC2136 to the campus DNS) or internal-ca (air-gapped).',
    TLS_MODES,
  ),
  acme: opt(
    obj('ACME account; required for acme-* modes.', {
      server: str('ACME directory URL.', { pattern: '^https://\\S+$' }),
      email: str('Contact address of the ACME account.', { pattern: '^[^@\\s]+@[^@\\s]+$' }),
    }),
  ),
  rfc2136: opt(
    obj('Dynamic DNS updates for DNS-01; required for acme-dns01.', {
      nameserver: str('DNS server accepting updates, host:port.', { pattern: '^[^:\\s]+:[0-9]{1,5}$' }),
      tsigKeyName: str('TSIG key name.', { minLength: 1 }),
      tsigAlgorithm: dflt(oneOf('TSIG algorithm.', ['HMACMD5', 'HMACSHA1', 'HMACSHA256', 'HMACSHA512']), 'HMACSHA256'),
      tsigSecretRef: secretRef('TSIG secret.'),
    }),
  ),
  internalCa: opt(
    obj('Site CA; required for internal-ca.', {
      commonName: str('Common name of the CA certificate.', { minLength: 1 }),
      keyPairRef: secretRef('CA certificate and key (PEM). Generated when absent.'),
    }),
  ),
});

export const identity = obj('Keycloak: the one login for every service.', {
  realm: opt(label('Keycloak realm name. Default: the site name')),
  hostname: opt(hostname('Keycloak', 'sso')),
  admins: list('Login names of the platform administrators.', login, { minItems: 1, uniqueItems: true }),
  federation: opt(
    obj('Federation with the campus directory. Default: none', {
      ldap: opt(
        obj('Campus LDAP (user federation).', {
          url: str('LDAP URL; must be ldaps://.', { pattern: '^[a-z]+://\\S+$' }),
          bindDn: str('Bind DN of the Keycloak service account.', { minLength: 1 }),
          bindPasswordRef: secretRef('Bind password.'),
          usersDn: str('DN under which users live.', { minLength: 1 }),
          usernameAttribute: dflt(str('Attribute holding the login name.', { minLength: 1 }), 'uid'),
        }),
      ),
      saml: opt(
        obj('Campus SAML identity provider.', {
          alias: label('Alias of the identity provider in Keycloak.'),
          metadataUrl: str("URL of the IdP's SAML metadata.", { pattern: '^https://\\S+$' }),
        }),
      ),
      oidc: opt(
        obj('Campus OIDC identity provider.', {
          alias: label('Alias of the identity provider in Keycloak.'),
          issuer: str('Issuer URL.', { pattern: '^https://\\S+$' }),
          clientId: str('Client id at the campus IdP.', { minLength: 1 }),
          clientSecretRef: secretRef('Client secret at the campus IdP.'),
        }),
      ),
    }),
  ),
});

export const storage = section(
  obj('Rook-Ceph storage.', {
    failureDomain: dflt(oneOf('CRUSH failure domain of the pools: host or rack.', ['host', 'rack']), 'host'),
    replicas: dflt(
      int('Replica count of the pools; at most the number of failure domains holding OSDs.', {
        minimum: 1,
        maximum: 7,
      }),
      3,
    ),
  }),
);

export const versions = dflt(
  raw<Record<string, string>>({
    type: 'object',
    description: 'Overrides of pinned upstream versions from gitops/versions.yaml, by component name.',
    additionalProperties: str('A version string.', { minLength: 1 }),
  }),
  {},
);
