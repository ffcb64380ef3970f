// The neutral contract between components and the ingress layer. A component says what it publishes
// (host, service, port, body size, backend protocol); the one ingress layer chosen by the inventory
// (`ingress.controller`) turns that into its own objects: an Ingress for ingress-nginx, an HTTPRoute on
// the site Gateway for a Gateway API implementation. No component names a controller.
import type { K8sObject } from '../model.ts';

export interface Exposure {
  /** Name of the publishing object(s); the TLS Secret is `${name}-tls`. DNS label. */
  name: string;
  /** Namespace of the backend Service (and of the Ingress/HTTPRoute). */
  namespace: string;
  /** Public host name on the site domain (certificate from the site issuer). */
  host: string;
  service: string;
  port: number | string;
  /** Path prefixes to publish; default: everything (`/`). Keycloak publishes only its public paths. */
  paths?: string[];
  /** Largest request body: undefined = the layer's default (about 1 MiB), '0' = unlimited (registries). */
  maxBodySize?: string;
  /** Protocol the backend Service speaks (default 'http'). */
  backendProtocol?: 'http' | 'https';
}

/** Ingress values for an upstream chart that makes its own Ingress (Harbor, ArgoCD, Grafana). */
export interface ChartIngress {
  className: string;
  annotations: Record<string, string>;
  host: string;
  tlsSecret: string;
}

/** The ingress layer. Exactly one component provides it; render hands it to every other component. */
export interface IngressLayer {
  /** The `ingress.controller` inventory value that selects this layer. */
  controller: string;
  /** Our objects that publish one exposure, with its certificate from the site issuer. */
  publish(e: Exposure): K8sObject[];
  /** cert-manager ACME HTTP-01 solver block for the site ClusterIssuer (`solvers[].http01`). */
  http01Solver(): Record<string, unknown>;
  /** How the layer forwards the client address, so backends (Keycloak `proxy.headers`) trust exactly that. */
  forwardedHeaders: 'xforwarded' | 'forwarded';
  /**
   * Optional: the values with which a chart makes the Ingress of `e` itself. A layer without it (Gateway
   * API) leaves the chart's ingress off, and the component lists `e` in its exposures for publish().
   */
  chartIngress?(e: Exposure): ChartIngress;
  /** Optional: values the cert-manager chart needs for this layer (Gateway API support), merged into its own. */
  certManagerValues?: Record<string, unknown>;
}
