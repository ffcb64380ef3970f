// The site Gateway and what turns Calico Ingress Gateway on. One Gateway `site` in tigera-gateway: an HTTP
// listener on port 80 (ACME HTTP-01 challenges and the redirect to HTTPS, routes from its own namespace
// only) and one HTTPS listener per published site host, each with the certificate cert-manager issues for
// it (gateway-shim: the cluster-issuer annotation on the Gateway). The proxies are Envoy, run by the Envoy
// Gateway that Calico's operator deploys for the GatewayAPI resource, as a DaemonSet behind one MetalLB
// address (the inventory's ingress.address in ingress.pool), like ingress-nginx before it.
import type { Site } from '../../../inventory/types.ts';
import { SITE_ISSUER } from '../../platform/site-issuer.ts';
import type { CalicoGatewayAPI, ClientTrafficPolicy, Gateway, HTTPRoute, Listener, ParentRef } from './types.ts';

/** Where the Gateway and (Calico's layout before the per-namespace mode) its Envoy proxies live. */
export const GATEWAY_NAMESPACE = 'tigera-gateway';
export const GATEWAY_NAME = 'site';
/** Our GatewayClass, provisioned by the operator from the GatewayAPI resource (DaemonSet proxies). */
export const GATEWAY_CLASS = 'labctl-gateway';
export const HTTP_LISTENER = 'http';
/** Label of lab namespaces (vm-labs' managedNamespaceMetadata): their routes may not claim platform hosts. */
export const LAB_NAMESPACE_LABEL = 'labctl.dev/course';

/** Host names served by the Gateway: every site host except the Kubernetes API (kube-vip, not HTTP). */
export function gatewayHosts(site: Site): { listener: string; host: string }[] {
  const seen = new Set<string>();
  return Object.entries(site.hosts)
    .filter(([key]) => key !== 'api')
    .sort(([a], [b]) => a.localeCompare(b))
    .filter(([, host]) => !seen.has(host) && !!seen.add(host))
    .map(([key, host]) => ({ listener: key, host }));
}

export const listenerTlsSecret = (listener: string) => `${listener}-tls`;

export function parentRef(sectionName: string): ParentRef {
  return {
    group: 'gateway.networking.k8s.io',
    kind: 'Gateway',
    name: GATEWAY_NAME,
    namespace: GATEWAY_NAMESPACE,
    sectionName,
  };
}

export function siteGateway(site: Site): Gateway {
  const https = gatewayHosts(site).map(
    ({ listener, host }): Listener => ({
      name: listener,
      hostname: host,
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: listenerTlsSecret(listener) }] },
      // Platform services only: a lab namespace (course staff and students) cannot attach a route to a
      // platform host and take its traffic. ingress-nginx had no such guard.
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: { matchExpressions: [{ key: LAB_NAMESPACE_LABEL, operator: 'DoesNotExist' }] },
        },
        kinds: [{ kind: 'HTTPRoute' }],
      },
    }),
  );
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name: GATEWAY_NAME,
      namespace: GATEWAY_NAMESPACE,
      annotations: { 'cert-manager.io/cluster-issuer': SITE_ISSUER },
    },
    spec: {
      gatewayClassName: GATEWAY_CLASS,
      listeners: [
        {
          name: HTTP_LISTENER,
          port: 80,
          protocol: 'HTTP',
          allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ kind: 'HTTPRoute' }] },
        },
        ...https,
      ],
    },
  };
}

/**
 * Forwarding headers a client sends are dropped before Envoy adds its own. Envoy appends the peer address
 * to a client-sent X-Forwarded-For rather than replacing it, and Keycloak (proxy-headers xforwarded) reads
 * the leftmost entry: without this a client chooses the address in Keycloak's event log and brute-force
 * lockouts. Removed early (before Envoy's own header handling), so what the services see is Envoy's alone:
 * the peer in X-Forwarded-For and the connection's scheme in X-Forwarded-Proto, as ingress-nginx does.
 */
export const CLIENT_FORWARDING_HEADERS = [
  'Forwarded',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Port',
  'X-Forwarded-Proto',
  'X-Real-IP',
];

export function clientHeaderPolicy(): ClientTrafficPolicy {
  return {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'ClientTrafficPolicy',
    metadata: { name: 'drop-client-forwarding-headers', namespace: GATEWAY_NAMESPACE },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: GATEWAY_NAME }],
      headers: { earlyRequestHeaders: { remove: CLIENT_FORWARDING_HEADERS } },
    },
  };
}

/** Plain HTTP gets a permanent redirect to HTTPS (ACME challenge routes are more specific and win). */
export function httpsRedirect(): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'https-redirect', namespace: GATEWAY_NAMESPACE },
    spec: {
      parentRefs: [parentRef(HTTP_LISTENER)],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
        },
      ],
    },
  };
}

export function calicoGatewayApi(site: Site): CalicoGatewayAPI {
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'GatewayAPI',
    metadata: { name: 'default' },
    spec: {
      // Our gateway-api-crds Application installs the pinned standard-channel CRDs first; the operator
      // must not replace them with its own bundle.
      crdManagement: 'PreferExisting',
      gatewayClasses: [
        {
          name: GATEWAY_CLASS,
          // One proxy per node, as ingress-nginx ran; MetalLB announces the address from the nodes with a
          // proxy. Envoy Gateway's default for the proxy Service is externalTrafficPolicy Local, which keeps
          // client addresses (envoyproxy/gateway v1.8.0 api/v1alpha1/kubernetes_helpers.go).
          gatewayKind: 'DaemonSet',
          gatewayService: {
            metadata: {
              annotations: {
                'metallb.io/address-pool': site.ingress.pool,
                'metallb.io/loadBalancerIPs': site.ingress.address,
              },
            },
          },
        },
      ],
    },
  };
}
