// The ingress layer (platform/exposure.ts) as ingress-nginx implements it: an Ingress of class "nginx"
// per exposure, its neutral fields (body size, backend protocol) as nginx annotations, and the values
// fragment for charts that make their own Ingress (Harbor, ArgoCD, Grafana), so their output stays the
// chart's. ingress-nginx is retired upstream (March 2026) and pinned to its final release; the Gateway
// API layer implements the same interface in its own component folder.
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { k8s, type K8sObject } from '../../model.ts';
import type { ChartIngress, Exposure, IngressLayer } from '../../platform/exposure.ts';
import { SITE_ISSUER } from '../../platform/site-issuer.ts';

export const INGRESS_CLASS = 'nginx';
const NGINX = 'nginx.ingress.kubernetes.io';

/** The certificate from the site issuer, and the exposure's fields the controller reads from annotations. */
function annotations(e: Exposure): Record<string, string> {
  return {
    'cert-manager.io/cluster-issuer': SITE_ISSUER,
    ...(e.backendProtocol ? { [`${NGINX}/backend-protocol`]: e.backendProtocol.toUpperCase() } : {}),
    ...(e.maxBodySize !== undefined ? { [`${NGINX}/proxy-body-size`]: e.maxBodySize } : {}),
  };
}

/** The Ingress (with a cert-manager certificate for `host`) that publishes a Service. */
export function ingressOf(e: Exposure): K8sObject {
  const ing: IIngress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: e.name, namespace: e.namespace, annotations: annotations(e) },
    spec: {
      ingressClassName: INGRESS_CLASS,
      tls: [{ hosts: [e.host], secretName: `${e.name}-tls` }],
      rules: [
        {
          host: e.host,
          http: {
            paths: (e.paths ?? ['/']).map((path) => ({
              path,
              pathType: 'Prefix',
              backend: {
                service: { name: e.service, port: typeof e.port === 'number' ? { number: e.port } : { name: e.port } },
              },
            })),
          },
        },
      ],
    },
  };
  return k8s(ing);
}

export const nginxLayer: IngressLayer = {
  controller: 'ingress-nginx',
  publish: (e) => [ingressOf(e)],
  chartIngress: (e): ChartIngress => ({
    className: INGRESS_CLASS,
    annotations: annotations(e),
    host: e.host,
    tlsSecret: `${e.name}-tls`,
  }),
  // ingressClassName (cert-manager >= 1.12) is newer than the Node-20-compatible model package's type.
  http01Solver: () => ({ ingress: { ingressClassName: INGRESS_CLASS } }),
  // The controller sets X-Forwarded-* (use-forwarded-headers off: it never passes a client's on).
  forwardedHeaders: 'xforwarded',
};
