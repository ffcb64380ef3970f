// The site CA (tls.mode internal-ca) must reach every in-cluster client of the platform's own HTTPS
// endpoints. Consumers are FOUND, not listed by hand: any component whose values, manifests or files name
// another platform host (https://sso..., docker://harbor...) or an in-cluster https:// URL is a client of a
// site-CA-signed endpoint. Each must be a known consumer with its CA wiring checked below, else this fails.
// (The node side — API server OIDC CA, containerd's hosts.toml for Harbor — is the bootstrap's, tested there.)
import { describe, expect, it } from 'vitest';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import type { Component, SecretNeed } from '../../installer/render/model.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { SITE_CA, SITE_CA_FILE } from '../../installer/render/components/cert-manager/index.ts';
import { EXAMPLE, fixture } from '../helpers.ts';

async function render(file: string): Promise<{ site: Site; r: RenderResult }> {
  const v = requireSite(file);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  return { site: v.site, r: await renderSite(v.site, readRenderInputs(v.site)) };
}

type HostKey = keyof Site['hosts'];
/** Which platform host each component serves (its own URL is not a client call). */
const OWNS: Record<string, HostKey[]> = {
  argocd: ['argocd'],
  harbor: ['harbor'],
  keycloak: ['sso'],
  'kube-prometheus-stack': ['grafana'],
};
/** Components that name other hosts only for browsers (redirect URIs), never calling them. */
const BROWSER_ONLY: Record<string, string> = {
  keycloak: "the realm lists the clients' redirect URIs; Keycloak never calls them",
};

const any = (v: unknown) => v as any; // eslint-disable-line @typescript-eslint/no-explicit-any
/** Each consumer: what it calls, and the proof its CA wiring is there (values as the pinned charts read them). */
const CONSUMERS: Record<string, { calls: HostKey[]; wired: (c: Component) => void }> = {
  argocd: {
    calls: ['sso'],
    // argo-cd chart 10.1.1: server.volumes / server.volumeMounts / server.env; Go reads SSL_CERT_DIR (":"-separated).
    wired: (c) => {
      const s = any(c.chart!.values).server;
      expect(s.volumes).toContainEqual({ name: SITE_CA.name, secret: { secretName: SITE_CA.name } });
      expect(s.volumeMounts).toContainEqual({ name: SITE_CA.name, mountPath: SITE_CA.mountPath, readOnly: true });
      expect(s.env).toContainEqual({ name: 'SSL_CERT_DIR', value: `/etc/ssl/certs:${SITE_CA.mountPath}` });
    },
  },
  'kube-prometheus-stack': {
    calls: ['sso'],
    // grafana chart: extraSecretMounts; grafana.ini [auth.generic_oauth] tls_client_ca.
    wired: (c) => {
      const g = any(c.chart!.values).grafana;
      expect(g.extraSecretMounts).toContainEqual({
        name: SITE_CA.name,
        secretName: SITE_CA.name,
        mountPath: SITE_CA.mountPath,
        readOnly: true,
      });
      expect(g['grafana.ini']['auth.generic_oauth'].tls_client_ca).toBe(SITE_CA_FILE);
    },
  },
  harbor: {
    calls: ['sso'],
    // harbor chart 1.19.1 values.yaml: caBundleSecretName, a Secret with key ca.crt, trusted by core, jobservice, registry, trivy.
    wired: (c) => expect(any(c.chart!.values).caBundleSecretName).toBe(SITE_CA.name),
  },
  'vm-images': {
    calls: ['harbor'],
    // CDI registry source: certConfigMap (a ConfigMap in the DataImportCron's namespace).
    wired: (c) => {
      const crons = c.manifests!.filter((m) => m.kind === 'DataImportCron');
      expect(crons.length).toBeGreaterThan(0);
      for (const m of crons) expect(any(m).spec.template.spec.source.registry.certConfigMap).toBe(SITE_CA.name);
    },
  },
};

/** Platform hosts a component calls, and in-cluster https URLs it uses. */
function calls(site: Site, c: Component): { hosts: HostKey[]; inCluster: string[] } {
  const text = JSON.stringify({
    values: c.chart?.values,
    manifests: c.manifests,
    files: c.files?.map((f) => f.content),
  });
  const hosts = (Object.keys(site.hosts) as HostKey[])
    .filter((k) => k !== 'api' && !(OWNS[c.name] ?? []).includes(k))
    .filter((k) => new RegExp(`(https|docker)://${site.hosts[k].replace(/\./g, '\\.')}`).test(text));
  // The API server (kubernetes.default.svc) is signed by the cluster CA every pod already trusts.
  const inCluster = [...text.matchAll(/https:\/\/[a-z0-9.-]+\.svc(\.cluster\.local)?/g)]
    .map((m) => m[0])
    .filter((u) => !u.startsWith('https://kubernetes.default.svc'));
  return { hosts, inCluster };
}

const caNeeds = (_site: Site, c: Component): SecretNeed[] =>
  (c.secrets ?? []).filter((s) => s.name === SITE_CA.name && s.key === SITE_CA.key && s.namespace === c.namespace);

describe("the site CA reaches every in-cluster client of the platform's HTTPS endpoints (internal-ca)", () => {
  for (const f of ['inventory/valid/airgapped.yaml', 'inventory/valid/bgp-lab.yaml']) {
    it(`${f}: every client found is a known consumer with the CA mounted where its reader looks`, async () => {
      const { site, r } = await render(fixture(f));
      expect(site.tls.mode).toBe('internal-ca');
      const found: Record<string, HostKey[]> = {};
      for (const c of r.components) {
        const { hosts, inCluster } = calls(site, c);
        // Loki, Alloy, Harbor's config Job and the rest talk plain HTTP inside the cluster: no CA needed.
        // The day one of them uses https to a Service, it must be wired (and listed) like the others.
        expect(inCluster, `${c.name} calls an in-cluster https endpoint: give it the site CA`).toEqual([]);
        if (hosts.length && !BROWSER_ONLY[c.name]) found[c.name] = hosts;
      }
      expect(found).toEqual(Object.fromEntries(Object.entries(CONSUMERS).map(([k, v]) => [k, v.calls])));
      for (const [name, consumer] of Object.entries(CONSUMERS)) {
        const c = r.components.find((x) => x.name === name)!;
        const needs = caNeeds(site, c);
        expect(
          needs.map((n) => n.ref),
          `${name}: the site CA certificate in namespace ${c.namespace}`,
        ).toEqual([`${site.tls.internalCa!.keyPairRef}-crt`]);
        consumer.wired(c);
      }
      // The same store entry feeds the issuer: one CA, no copy that could drift.
      const issuer = r.components.find((x) => x.name === 'cert-manager-issuers')!;
      expect(issuer.secrets!.map((s) => s.ref)).toContain(`${site.tls.internalCa!.keyPairRef}-crt`);
    });
  }

  it('a consumer without its CA fails the check (the test can fail)', async () => {
    const { site, r } = await render(fixture('inventory/valid/airgapped.yaml'));
    const harbor = r.components.find((x) => x.name === 'harbor')!;
    const weakened = {
      ...harbor,
      chart: { ...harbor.chart!, values: { ...any(harbor.chart!.values), caBundleSecretName: undefined } },
      secrets: harbor.secrets!.filter((s) => s.name !== SITE_CA.name),
    };
    expect(caNeeds(site, weakened)).toEqual([]);
    expect(() => CONSUMERS.harbor!.wired(weakened)).toThrow();
  });

  it('an unknown new client of a platform host is caught', async () => {
    const { site } = await render(fixture('inventory/valid/airgapped.yaml'));
    const c: Component = {
      name: 'new-thing',
      namespace: 'x',
      tier: 'platform',
      manifests: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', namespace: 'x' },
          data: { url: `https://${site.hosts.sso}/realms/campus` },
        } as never,
      ],
    };
    expect(calls(site, c).hosts).toEqual(['sso']);
    expect(CONSUMERS['new-thing']).toBeUndefined();
  });

  it('ACME sites (public CAs) get no site CA anywhere', async () => {
    const { r } = await render(EXAMPLE);
    expect(r.secrets.filter((s) => s.name === SITE_CA.name)).toEqual([]);
  });
});

describe('secrets apply sends the CA certificate as a ConfigMap where the reader wants one (CDI), as Secrets elsewhere', () => {
  it('airgapped: one ConfigMap in vm-images with the PEM as written, Secrets site-ca in argocd, harbor, monitoring', async () => {
    const { buildConfigMaps, buildSecrets } = await import('../../installer/secrets/objects.ts');
    const { site, r } = await render(fixture('inventory/valid/airgapped.yaml'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const values = new Map(
      r.secrets.map((s) => [
        s.generate.kind === 'htpasswd' ? s.generate.from : s.ref,
        s.ref === `${site.tls.internalCa!.keyPairRef}-crt` ? pem : 'x',
      ]),
    );
    expect(buildConfigMaps(r.secrets, values).map((c) => [c.metadata!.namespace, c.metadata!.name, c.data])).toEqual([
      ['vm-images', SITE_CA.name, { [SITE_CA.key]: pem }],
    ]);
    const cas = buildSecrets(r.secrets, values).filter((s) => s.metadata!.name === SITE_CA.name);
    // cert-manager's site-ca is the issuer's key pair (tls.crt/tls.key), the others the certificate alone.
    expect(cas.map((s) => s.metadata!.namespace).sort()).toEqual(['argocd', 'cert-manager', 'harbor', 'monitoring']);
    for (const s of cas.filter((x) => x.metadata!.namespace !== 'cert-manager'))
      expect(Buffer.from(s.data![SITE_CA.key]!, 'base64').toString()).toBe(pem);
  });
});
