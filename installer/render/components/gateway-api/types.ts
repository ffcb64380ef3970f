// Local types for the Gateway API (v1, standard channel) and Calico operator kinds this component writes.
// The generated schemas (installer/render/schemas/generated/) validate them against the upstream CRDs;
// these types only cover the fields we set.
interface Meta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ParentRef {
  group?: 'gateway.networking.k8s.io';
  kind?: 'Gateway';
  name: string;
  namespace: string;
  sectionName: string;
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  tls?: { mode: 'Terminate'; certificateRefs: { kind: 'Secret'; name: string }[] };
  allowedRoutes: {
    namespaces: {
      from: 'All' | 'Same' | 'Selector';
      selector?: {
        matchExpressions: { key: string; operator: 'DoesNotExist' | 'Exists' | 'In' | 'NotIn'; values?: string[] }[];
      };
    };
    kinds: { kind: 'HTTPRoute' }[];
  };
}

export interface Gateway {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'Gateway';
  metadata: Meta;
  spec: { gatewayClassName: string; listeners: Listener[] };
}

export interface HTTPRouteRule {
  matches: { path: { type: 'PathPrefix'; value: string } }[];
  backendRefs?: { name: string; port: number }[];
  filters?: { type: 'RequestRedirect'; requestRedirect: { scheme: 'https'; statusCode: 301 } }[];
  timeouts?: { request: string };
}

export interface HTTPRoute {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'HTTPRoute';
  metadata: Meta;
  spec: { parentRefs: ParentRef[]; hostnames?: string[]; rules: HTTPRouteRule[] };
}

/** operator.tigera.io/v1 GatewayAPI (cluster-scoped, name `default`): turns on Calico Ingress Gateway. */
export interface CalicoGatewayAPI {
  apiVersion: 'operator.tigera.io/v1';
  kind: 'GatewayAPI';
  metadata: { name: 'default' };
  spec: {
    crdManagement: 'PreferExisting' | 'Reconcile';
    gatewayClasses: {
      name: string;
      gatewayKind: 'DaemonSet' | 'Deployment';
      gatewayService: { metadata: { annotations: Record<string, string> } };
    }[];
  };
}

/** gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy (Envoy Gateway inside Calico; fields we set). */
export interface ClientTrafficPolicy {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1';
  kind: 'ClientTrafficPolicy';
  metadata: Meta;
  spec: {
    targetRefs: { group: 'gateway.networking.k8s.io'; kind: 'Gateway'; name: string }[];
    headers: { earlyRequestHeaders: { remove: string[] } };
  };
}

/** monitoring.coreos.com/v1 PodMonitor (fields we set). */
export interface PodMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PodMonitor';
  metadata: Meta;
  spec: {
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: { port: string; path: string; interval: string }[];
  };
}
