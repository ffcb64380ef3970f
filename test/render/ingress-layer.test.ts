// The ingress layer really swaps: a second layer component (a stand-in that publishes each exposure as a
// ConfigMap, so the test needs no Gateway API schemas) selected by `ingress.controller` takes over every
// published service: no Ingress and no trace of nginx is left in the rendered site, cert-manager's HTTP-01
// solver and Keycloak's proxy headers are the layer's, and the charts that make their own Ingress turn
// it off and hand their exposure to the layer instead.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { COMPONENTS } from '../../installer/render/components/index.ts';
import { renderContext, renderSite } from '../../installer/render/render.ts';
import { k8s } from '../../installer/render/model.ts';
import { defineComponent } from '../../installer/render/platform/component.ts';
import type { Exposure, IngressLayer } from '../../installer/render/platform/exposure.ts';
import { EXAMPLE } from '../helpers.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';

function site(controller: string, tls?: Site['tls']['mode']): Site {
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  const s = structuredClone(v.site);
  (s.ingress as { controller: string }).controller = controller;
  if (tls === 'acme-http01')
    s.tls = {
      mode: 'acme-http01',
      acme: { server: 'https://acme.example.edu/directory', email: 'ops@example.edu' },
    } as Site['tls'];
  return s;
}

const standIn: IngressLayer = {
  controller: 'stand-in',
  publish: (e: Exposure) => [
    k8s({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `route-${e.name}`, namespace: e.namespace },
      data: { exposure: JSON.stringify(e) },
    }),
  ],
  http01Solver: () => ({ gatewayHTTPRoute: { parentRefs: [{ name: 'site', namespace: 'stand-in' }] } }),
  forwardedHeaders: 'forwarded',
};
const STAND_IN = defineComponent({ name: 'stand-in', build: () => null, ingressLayer: () => standIn });
const WITH_STAND_IN = [...COMPONENTS, STAND_IN];

const docs = (text: string) =>
  parseAllDocuments(text).map(
    (d) =>
      d.toJS() as {
        kind?: string;
        metadata?: { name: string };
        spec?: Record<string, unknown>;
        data?: Record<string, string>;
      },
  );

describe('ingress layer selection (ingress.controller)', () => {
  it('the default renders ingress-nginx Ingresses; the stand-in layer replaces every one of them', async () => {
    const nginx = await renderSite(site('ingress-nginx'), readRenderInputs(site('ingress-nginx')), WITH_STAND_IN);
    expect([...nginx.files.values()].some((c) => /^kind: Ingress$/m.test(c))).toBe(true);

    const r = await renderSite(
      site('stand-in', 'acme-http01'),
      readRenderInputs(site('stand-in', 'acme-http01')),
      WITH_STAND_IN,
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ingressFiles = [...r.files].filter(([, c]) => /^kind: Ingress$/m.test(c)).map(([p]) => p);
    expect(ingressFiles).toEqual([]);
    const nginxFiles = [...r.files].filter(([, c]) => /nginx/i.test(c)).map(([p]) => p);
    expect(nginxFiles).toEqual([]);

    // Every service reached the layer, with its neutral fields.
    const published = [...r.files]
      .filter(([p]) => /\/configmap-[^/]*-route-/.test(p))
      .map(([, c]) => JSON.parse(docs(c)[0]!.data!.exposure!) as Exposure);
    const s = site('stand-in');
    expect(published.map((e) => e.host).sort()).toEqual(
      [s.hosts.argocd, s.hosts.grafana, s.hosts.harbor, s.hosts.sso].sort(),
    );
    expect(published.find((e) => e.host === s.hosts.harbor)?.maxBodySize).toBe('0');
    expect(published.find((e) => e.host === s.hosts.argocd)?.backendProtocol).toBe('http');
    expect(published.find((e) => e.host === s.hosts.sso)?.paths?.length).toBeGreaterThan(0);

    const issuer = docs(r.files.get('components/cert-manager-issuers/manifests/clusterissuer-site-issuer.yaml')!)[0]!;
    expect((issuer.spec as { acme: { solvers: unknown[] } }).acme.solvers).toEqual([
      { http01: standIn.http01Solver() },
    ]);
    const kc = [...r.files].find(([p]) => p.startsWith('components/keycloak/manifests/keycloak-'))!;
    expect((docs(kc[1])[0]!.spec as { proxy: { headers: string } }).proxy.headers).toBe('forwarded');
    expect(r.files.has('apps/ingress-nginx.yaml')).toBe(false);
  });

  it('an unknown controller is refused, naming the layers there are', () => {
    expect(() => renderContext(site('traefik'), readRenderInputs(site('traefik')), WITH_STAND_IN)).toThrow(
      /ingress\.controller: "traefik" is no ingress layer of this labctl \(calico-gateway, ingress-nginx, stand-in\)/,
    );
  });
});
