// cert-manager and the ClusterIssuer the inventory asks for: ACME HTTP-01, ACME DNS-01 through RFC2136
// updates to the campus DNS, or a site CA for air-gapped sites. Every published host names SITE_ISSUER.
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import type { Component, ComponentBuilder, SecretNeed } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { k8s } from '../../model.ts';
import { SITE_ISSUER, siteCaPermittedDns } from '../../platform/site-issuer.ts';

// The site issuer contract lives in platform/ (every component needs it); re-exported for callers of this module.
export { SITE_ISSUER, SITE_CA, SITE_CA_FILE, siteCaNeeds, siteCaVolume } from '../../platform/site-issuer.ts';

export const CERT_MANAGER_NS = 'cert-manager';

export const certManager: ComponentBuilder = ({ site, ingress }) => {
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
        ...(dns01
          ? {
              dns01RecursiveNameservers: site.network.dnsServers.map((s) => `${s}:53`).join(','),
              dns01RecursiveNameserversOnly: true,
            }
          : {}),
        // What the ingress layer needs of cert-manager (Gateway API support for a Gateway layer).
        ...ingress.certManagerValues,
      },
    },
  };

  const secrets: SecretNeed[] = [];
  const tls = site.tls;
  let spec: NonNullable<IClusterIssuer['spec']>;
  if (tls.mode === 'internal-ca') {
    const ref = tls.internalCa!.keyPairRef;
    for (const key of ['tls.crt', 'tls.key']) {
      secrets.push({
        ref: `${ref}-${key.split('.')[1]}`,
        namespace: CERT_MANAGER_NS,
        name: 'site-ca',
        key,
        generate: { kind: 'external' },
        caCommonName: tls.internalCa!.commonName,
        caPermittedDns: siteCaPermittedDns(site),
        purpose: `site CA ${key === 'tls.crt' ? 'certificate' : 'private key'} (PEM) for the internal-ca issuer (${tls.internalCa!.commonName})`,
      });
    }
    spec = { ca: { secretName: 'site-ca' } };
  } else {
    const solver =
      tls.mode === 'acme-http01'
        ? // The ingress layer says how ACME's HTTP-01 challenge reaches the solver (an Ingress class, a Gateway).
          { http01: ingress.http01Solver() }
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
      secrets.push({
        ref: tls.rfc2136!.tsigSecretRef,
        namespace: CERT_MANAGER_NS,
        name: 'rfc2136-tsig',
        key: 'secret',
        generate: { kind: 'external' },
        purpose: `TSIG secret of key ${tls.rfc2136!.tsigKeyName} for dynamic updates of the campus DNS`,
      });
    }
    spec = {
      acme: {
        server: tls.acme!.server,
        email: tls.acme!.email,
        privateKeySecretRef: { name: 'acme-account-key' },
        solvers: [solver],
      },
    };
  }
  const issuer: IClusterIssuer = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: SITE_ISSUER },
    spec,
  };
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

export const component = defineComponent({ name: 'cert-manager', build: certManager, alerts });
