// The site issuer contract: the ClusterIssuer every published host takes its certificate from (cert-manager
// creates it; the ingress layer names it) and the site CA certificate in-cluster clients trust on
// internal-ca sites. Components import these names from here, never from the cert-manager component.
import type { Site } from '../../inventory/types.ts';
import type { SecretNeed } from '../model.ts';

export const SITE_ISSUER = 'site-issuer';

/**
 * The site CA certificate (public half of tls.internalCa.keyPairRef) for in-cluster clients of the
 * platform's own HTTPS endpoints (Keycloak, Harbor), on internal-ca sites: a Secret (or, for readers that
 * only take one, a ConfigMap) `site-ca` with key ca.crt in the consumer's namespace, from the store entry
 * the issuer's certificate comes from, and where it is mounted. Every consumer is listed in
 * test/render/site-ca.test.ts, which finds them by the site URLs they call.
 */
export const SITE_CA = { name: 'site-ca', key: 'ca.crt', mountPath: '/etc/ssl/site-ca' } as const;
export const SITE_CA_FILE = `${SITE_CA.mountPath}/${SITE_CA.key}`;

export function siteCaNeeds(
  site: Site,
  namespace: string,
  reader: string,
  opts: { configMap?: boolean } = {},
): SecretNeed[] {
  if (site.tls.mode !== 'internal-ca') return [];
  return [
    {
      ref: `${site.tls.internalCa!.keyPairRef}-crt`,
      namespace,
      name: SITE_CA.name,
      key: SITE_CA.key,
      generate: { kind: 'external' },
      purpose: `site CA certificate (PEM, public) that ${reader} trusts for the platform's HTTPS endpoints`,
      ...(opts.configMap ? { configMap: true } : {}),
    },
  ];
}

/** Pod volume + mount of the site CA Secret (internal-ca sites), for charts that take plain volumes. */
export function siteCaVolume(site: Site): { volumes: object[]; volumeMounts: object[] } | undefined {
  if (site.tls.mode !== 'internal-ca') return undefined;
  return {
    volumes: [{ name: SITE_CA.name, secret: { secretName: SITE_CA.name } }],
    volumeMounts: [{ name: SITE_CA.name, mountPath: SITE_CA.mountPath, readOnly: true }],
  };
}

/**
 * The DNS subtrees the site CA may sign for: the site domain and every published host outside it (each
 * host the site issuer certifies is one of these). A name constraint of the CA (secrets/site-ca.ts).
 */
export function siteCaPermittedDns(site: Site): string[] {
  const domain = site.site.domain.toLowerCase();
  const outside = Object.values(site.hosts)
    .map((h) => h.toLowerCase())
    .filter((h) => h !== domain && !h.endsWith(`.${domain}`));
  return [domain, ...[...new Set(outside)].sort()];
}
