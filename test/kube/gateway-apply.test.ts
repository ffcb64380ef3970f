// The Gateway API layer's objects on a real kube-apiserver with the REAL upstream CRDs installed (the
// stored inputs of scripts/crds: Gateway API v1.5.1 standard channel, Calico's GatewayAPI, prometheus-
// operator's PodMonitor), server-side applied with strict field validation as ArgoCD syncs them. The API
// server also runs what the generated ajv schemas cannot: the CRDs' CEL rules and formats.
// Not here: Calico's operator and Envoy Gateway themselves (no controller runs), so nothing is programmed.
import { describe, expect, it, beforeAll } from 'vitest';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderContext } from '../../installer/render/render.ts';
import type { Component, K8sObject } from '../../installer/render/model.ts';
import type { Exposure } from '../../installer/render/platform/exposure.ts';
import { validateObjects } from '../../installer/render/validate-objects.ts';
import { gatewayApi, gatewayApiLayer } from '../../installer/render/components/gateway-api/index.ts';
import {
  KEYCLOAK_HTTP_PORT,
  KEYCLOAK_NAMESPACE,
  KEYCLOAK_SERVICE,
  publicPaths,
} from '../../installer/render/components/keycloak/index.ts';
import { upstreamCrds } from '../../scripts/crds/generate.ts';
import { SOURCES } from '../../scripts/crds/sources.ts';
import { fixture } from '../helpers.ts';
import { applyObjects } from './apply.ts';
import { kubectlOk, waitEstablished } from './client.ts';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) as K8sObject;
let objects: K8sObject[];
let route: K8sObject;

beforeAll(async () => {
  const v = requireSite(fixture('inventory/valid/calico-gateway.yaml'));
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  const site = v.site;
  const exposures: Exposure[] = [
    { name: 'argocd-server', namespace: 'argocd', host: site.hosts.argocd, service: 'argocd-server', port: 80 },
    { name: 'harbor', namespace: 'harbor', host: site.hosts.harbor, service: 'harbor', port: 80, maxBodySize: '0' },
    {
      name: 'keycloak',
      namespace: KEYCLOAK_NAMESPACE,
      host: site.hosts.sso,
      service: KEYCLOAK_SERVICE,
      port: KEYCLOAK_HTTP_PORT,
      paths: publicPaths(site),
    },
    {
      name: 'grafana',
      namespace: 'monitoring',
      host: site.hosts.grafana,
      service: 'kube-prometheus-stack-grafana',
      port: 80,
    },
  ];
  const layer = gatewayApiLayer(site);
  const components = gatewayApi(renderContext(site, readRenderInputs(site))) as Component[];
  const routes = exposures.flatMap((e) => layer.publish(e));
  route = routes[0]!;
  objects = [...components.flatMap((c) => c.manifests ?? []), ...routes];
  const crds = SOURCES.flatMap((s) => upstreamCrds(s)) as K8sObject[];
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=gateway-test', '-f', '-'], {
    stdin: crds.map((c) => JSON.stringify(c)).join('\n'),
  });
  await waitEstablished(crds.map((c) => c.metadata.name));
  const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))].sort();
  const r = await applyObjects(namespaces.map(ns));
  if (r.refused.length) throw new Error(r.refused.join('\n'));
}, 180_000);

describe('calico-gateway objects on kube-apiserver with the upstream CRDs (server-side apply, strict validation)', () => {
  it('the GatewayAPI, the Gateway, the redirect, the PodMonitor and one HTTPRoute per exposure are accepted', async () => {
    const r = await applyObjects(objects);
    expect(r.refused).toEqual([]);
    expect(r.ok).toBe(objects.length);
    expect(objects.filter((o) => o.kind === 'HTTPRoute')).toHaveLength(5);
    const got = await kubectlOk([
      'get',
      'httproutes.gateway.networking.k8s.io',
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.hostnames}{"\\n"}{end}',
    ]);
    expect(got).toContain('harbor/harbor ["harbor.lab.chem.example.edu"]');
  });

  it('the server refuses what only a CEL rule forbids (the check can fail): a redirect next to a backend', async () => {
    const bad = structuredClone(route) as any;
    bad.metadata.name = 'redirect-and-backend';
    bad.spec.rules[0].filters = [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }];
    // ajv (the generated schema) passes it: CEL rules are left to the API server.
    expect(await validateObjects([{ object: bad, file: 'x.yaml' }])).toEqual([]);
    const r = await applyObjects([bad]);
    expect(r.refused.join('\n')).toMatch(/RequestRedirect filter must not be used together with backendRefs/);
  });
});
