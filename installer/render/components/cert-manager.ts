// cert-manager and the ClusterIssuer the inventory asks for: ACME HTTP-01, ACME DNS-01 through RFC2136
// updates to the campus DNS, or a site CA for air-gapped sites. Every Ingress names SITE_ISSUER.
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import type { Component, ComponentBuilder, SecretNeed } from '../model.ts';
import { k8s } from '../model.ts';
import type { Site } from '../../inventory/types.ts';

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

export function siteCaNeeds(site: Site, namespace: string, reader: string, opts: { configMap?: boolean } = {}): SecretNeed[] {
  if (site.tls.mode !== 'internal-ca') return [];
  return [{
    ref: `${site.tls.internalCa!.keyPairRef}-crt`, namespace, name: SITE_CA.name, key: SITE_CA.key, generate: { kind: 'external' },
    purpose: `site CA certificate (PEM, public) that ${reader} trusts for the platform's HTTPS endpoints`,
    ...(opts.configMap ? { configMap: true } : {}),
  }];
}

/** Pod volume + mount of the site CA Secret (internal-ca sites), for charts that take plain volumes. */
export function siteCaVolume(site: Site): { volumes: object[]; volumeMounts: object[] } | undefined {
  if (site.tls.mode !== 'internal-ca') return undefined;
  return {
    volumes: [{ name: SITE_CA.name, secret: { secretName: SITE_CA.name } }],
    volumeMounts: [{ name: SITE_CA.name, mountPath: SITE_CA.mountPath, readOnly: true }],
  };
}
export const CERT_MANAGER_NS = 'cert-manager';

export const certManager: ComponentBuilder = ({ site }) => {
  const dns01 = site.tls.mode === 'acme-dns01';
  const operator: Component = {
    name: 'cert-manager',
    namespace: CERT_MANAGER_NS,
    tier: 'operators',
    chart: {
      component: 'cert-manager',
      values: {
        crds: { enabled: true, keep: true },
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
        // Split-horizon campus DNS: DNS-01 self-checks must ask the campus resolvers, not public ones.
        ...(dns01 ? {
          dns01RecursiveNameservers: site.network.dnsServers.map((s) => `${s}:53`).join(','),
          dns01RecursiveNameserversOnly: true,
        } : {}),
      },
    },
  };

  const secrets: SecretNeed[] = [];
  const tls = site.tls;
  let spec: NonNullable<IClusterIssuer['spec']>;
  if (tls.mode === 'internal-ca') {
    const ref = tls.internalCa!.keyPairRef;
    for (const key of ['tls.crt', 'tls.key']) {
      secrets.push({ ref: `${ref}-${key.split('.')[1]}`, namespace: CERT_MANAGER_NS, name: 'site-ca', key, generate: { kind: 'external' }, caCommonName: tls.internalCa!.commonName,
        purpose: `site CA ${key === 'tls.crt' ? 'certificate' : 'private key'} (PEM) for the internal-ca issuer (${tls.internalCa!.commonName})` });
    }
    spec = { ca: { secretName: 'site-ca' } };
  } else {
    const solver = tls.mode === 'acme-http01'
      // ingressClassName (cert-manager >= 1.12) is newer than the Node-20-compatible model package's type.
      ? { http01: { ingress: { ingressClassName: 'nginx' } as { class?: string } } }
      : {
          dns01: {
            rfc2136: {
              nameserver: tls.rfc2136!.nameserver,
              tsigKeyName: tls.rfc2136!.tsigKeyName,
              tsigAlgorithm: tls.rfc2136!.tsigAlgorithm ?? 'HMACSHA256',
              tsigSecretSecretRef: { name: 'rfc2136-tsig', key: 'secret' },
            },
          },
        };
    if (tls.mode === 'acme-dns01') {
      secrets.push({ ref: tls.rfc2136!.tsigSecretRef, namespace: CERT_MANAGER_NS, name: 'rfc2136-tsig', key: 'secret', generate: { kind: 'external' },
        purpose: `TSIG secret of key ${tls.rfc2136!.tsigKeyName} for dynamic updates of the campus DNS` });
    }
    spec = { acme: { server: tls.acme!.server, email: tls.acme!.email, privateKeySecretRef: { name: 'acme-account-key' }, solvers: [solver] } };
  }
  const issuer: IClusterIssuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: SITE_ISSUER }, spec };
  const issuers: Component = {
    name: 'cert-manager-issuers',
    namespace: CERT_MANAGER_NS,
    tier: 'resources',
    manifests: [k8s(issuer)],
    clusterResources: [{ group: 'cert-manager.io', kind: 'ClusterIssuer' }],
    syncOptions: ['SkipDryRunOnMissingResource=true'],
    secrets,
  };
  return [operator, issuers];
};
