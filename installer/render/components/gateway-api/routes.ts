// publish(): one HTTPRoute per Exposure, in the backend's namespace, attached to the site Gateway's HTTPS
// listener for its host. Certificates belong to the Gateway's listeners (gateway.ts), so an exposure adds
// no Secret or Certificate of its own. No TLSRoute: every exposure terminates TLS at the Gateway.
import type { Site } from '../../../inventory/types.ts';
import type { Exposure } from '../../platform/exposure.ts';
import { gatewayHosts, parentRef } from './gateway.ts';
import type { HTTPRoute } from './types.ts';

/** Why an exposure cannot be published by this layer: thrown with the exposure named. */
export class ExposureError extends Error {}

export function httpRoute(site: Site, e: Exposure): HTTPRoute {
  const where = `exposure ${e.namespace}/${e.name} (${e.host})`;
  const listener = gatewayHosts(site).find((h) => h.host === e.host)?.listener;
  if (!listener) {
    throw new ExposureError(
      `${where}: the site Gateway has no listener for this host; it serves ${gatewayHosts(site)
        .map((h) => h.host)
        .join(', ')} (inventory hosts)`,
    );
  }
  // Gateway API backendRefs take a port number only.
  if (typeof e.port !== 'number')
    throw new ExposureError(`${where}: port ${JSON.stringify(e.port)} must be a number with Gateway API`);
  // Envoy streams request bodies to the backend without a size limit, which is what '0' (registries) asks
  // for and is also this layer's default. A finite limit would need an Envoy Gateway policy: refused, not ignored.
  if (e.maxBodySize !== undefined && e.maxBodySize !== '0') {
    throw new ExposureError(
      `${where}: maxBodySize ${JSON.stringify(e.maxBodySize)} is not supported by the calico-gateway layer (bodies are streamed, unlimited)`,
    );
  }
  if ((e.backendProtocol ?? 'http') !== 'http') {
    throw new ExposureError(
      `${where}: backendProtocol ${JSON.stringify(e.backendProtocol)} needs a BackendTLSPolicy, which the calico-gateway layer does not write yet`,
    );
  }
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: e.name, namespace: e.namespace },
    spec: {
      parentRefs: [parentRef(listener)],
      hostnames: [e.host],
      rules: (e.paths ?? ['/']).map((path) => ({
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: e.service, port: e.port as number }],
        // No overall request deadline: Envoy Gateway sets a route timeout only from this field, else Envoy's
        // 15 s default applies and cuts image pulls and ArgoCD's event streams; ingress-nginx had none
        // either. Envoy's idle timeouts still end stalled streams.
        timeouts: { request: '0s' },
      })),
    },
  };
}
