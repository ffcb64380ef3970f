// The ingress layer as one swappable module: every web service is exposed through `expose()`.
// Today it returns an Ingress for ingress-nginx (retired upstream in March 2026, pinned to its final
// release); moving to a Gateway API implementation means changing this module to return HTTPRoutes,
// not touching every component.
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { Site } from '../../../inventory/types.ts';
import { k8s, type K8sObject } from '../../model.ts';
import { SITE_ISSUER } from '../cert-manager/index.ts';

export const INGRESS_CLASS = 'nginx';

export interface Exposure {
  name: string;
  namespace: string;
  host: string;
  service: string;
  port: number | string;
  /** Extra controller annotations (e.g. body size for registries). */
  annotations?: Record<string, string>;
  /** Path prefixes to publish (default: everything, `/`); Keycloak publishes only its public paths. */
  paths?: string[];
}

/** The Ingress (with a cert-manager certificate for `host`) that publishes a Service. */
export function expose(_site: Site, e: Exposure): K8sObject {
  const ing: IIngress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: e.name,
      namespace: e.namespace,
      annotations: { 'cert-manager.io/cluster-issuer': SITE_ISSUER, ...e.annotations },
    },
    spec: {
      ingressClassName: INGRESS_CLASS,
      tls: [{ hosts: [e.host], secretName: `${e.name}-tls` }],
      rules: [{
        host: e.host,
        http: { paths: (e.paths ?? ['/']).map((path) => ({ path, pathType: 'Prefix', backend: { service: { name: e.service, port: typeof e.port === 'number' ? { number: e.port } : { name: e.port } } } })) },
      }],
    },
  };
  return k8s(ing);
}

/** Values fragment for upstream charts that create their own Ingress. */
export function chartIngress(host: string, extra: Record<string, string> = {}) {
  return {
    ingressClassName: INGRESS_CLASS,
    annotations: { 'cert-manager.io/cluster-issuer': SITE_ISSUER, ...extra },
    host,
    tlsSecret: `${host.split('.')[0]}-tls`,
  };
}
