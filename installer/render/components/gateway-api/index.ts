// The Gateway API ingress layer (inventory `ingress.controller: calico-gateway`): Calico Ingress Gateway,
// i.e. the Envoy Gateway that Calico's operator runs, with the Gateway API CRDs pinned in
// gitops/versions.yaml (components.gateway-api, v1 standard channel). Why Calico's and not Envoy Gateway's
// own chart: docs/decisions.md, "Gateway API through Calico Ingress Gateway".
//   gateway-api-crds  (crds tier)      the upstream standard-install.yaml, server-side applied
//   calico-gateway    (platform, wave 5) GatewayAPI resource, the site Gateway, the HTTP->HTTPS redirect,
//                                        the PodMonitor of the Envoy proxies
// and gatewayApiLayer(): the IngressLayer every other component publishes through (HTTPRoutes).
import type { Site } from '../../../inventory/types.ts';
import type { Component, ComponentBuilder, K8sObject, RenderContext } from '../../model.ts';
import type { IngressLayer } from '../../platform/exposure.ts';
import { defineComponent } from '../../platform/component.ts';
import { GATEWAY_API_SCHEMAS } from '../../schemas/generated/gateway-api.ts';
import { CALICO_GATEWAY_SCHEMAS } from '../../schemas/generated/calico-gateway.ts';
import { ENVOY_GATEWAY_SCHEMAS } from '../../schemas/generated/envoy-gateway.ts';
import {
  GATEWAY_NAMESPACE,
  HTTP_LISTENER,
  calicoGatewayApi,
  clientHeaderPolicy,
  httpsRedirect,
  parentRef,
  siteGateway,
} from './gateway.ts';
import { envoyPodMonitor, gatewayAlerts, gatewayDashboard } from './monitoring.ts';
import { httpRoute } from './routes.ts';

export { gatewayAlerts, gatewayDashboard } from './monitoring.ts';
export { GATEWAY_CLASS, GATEWAY_NAME, GATEWAY_NAMESPACE, gatewayHosts } from './gateway.ts';
export { ExposureError } from './routes.ts';

/** The `ingress.controller` value that selects this layer. */
export const CONTROLLER = 'calico-gateway';

const obj = (o: object) => o as K8sObject;

/** The standard-channel install manifest of the pinned Gateway API release. */
export function gatewayApiCrdsUrl(ctx: RenderContext): string {
  const pin = ctx.versions.components['gateway-api'];
  if (!pin?.manifests) throw new Error('gitops/versions.yaml: gateway-api has no manifests URL');
  return `${pin.manifests}/${pin.version}/standard-install.yaml`;
}

/**
 * cert-manager values this layer needs (merged into the cert-manager chart values): Gateway API support
 * (the gateway-shim issues each listener's certificate; HTTP-01 through HTTPRoutes). cert-manager checks
 * for the Gateway API CRDs only at start, so they come in the crds tier, before cert-manager (operators).
 */
export const CERT_MANAGER_VALUES = {
  config: {
    apiVersion: 'controller.config.cert-manager.io/v1alpha1',
    kind: 'ControllerConfiguration',
    enableGatewayAPI: true,
  },
};

export const gatewayApi: ComponentBuilder = (ctx): Component[] | null =>
  ctx.site.ingress.controller !== CONTROLLER
    ? null
    : [
        {
          name: 'gateway-api-crds',
          namespace: 'tigera-operator',
          tier: 'crds',
          remoteManifests: [gatewayApiCrdsUrl(ctx)],
          // The HTTPRoute CRD is too big for client-side apply's last-applied annotation.
          syncOptions: ['ServerSideApply=true'],
          clusterResources: [
            { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
            // standard-install.yaml also holds the policy that refuses downgrades of the CRDs.
            { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
            { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding' },
          ],
        },
        {
          name: 'calico-gateway',
          namespace: GATEWAY_NAMESPACE,
          tier: 'platform',
          wave: 5,
          manifests: [
            calicoGatewayApi(ctx.site),
            siteGateway(ctx.site),
            clientHeaderPolicy(),
            httpsRedirect(),
            envoyPodMonitor(),
          ].map(obj),
          // The GatewayClass appears only once the operator has read the GatewayAPI resource.
          syncOptions: ['SkipDryRunOnMissingResource=true'],
          clusterResources: [{ group: 'operator.tigera.io', kind: 'GatewayAPI' }],
        },
      ];

export function gatewayApiLayer(site: Site): IngressLayer {
  return {
    controller: CONTROLLER,
    publish: (e) => [obj(httpRoute(site, e))],
    // cert-manager creates the challenge HTTPRoute in the Certificate's namespace (the Gateway's) and
    // attaches it to the port-80 listener, which accepts routes from that namespace only.
    http01Solver: () => ({ gatewayHTTPRoute: { parentRefs: [parentRef(HTTP_LISTENER)] } }),
    // Envoy sets X-Forwarded-For/-Proto, never the RFC 7239 Forwarded header; a client's own forwarding
    // headers are dropped first (clientHeaderPolicy), so the services see Envoy's alone.
    forwardedHeaders: 'xforwarded',
    certManagerValues: CERT_MANAGER_VALUES,
  };
}

export const component = defineComponent({
  name: 'gateway-api',
  build: gatewayApi,
  ingressLayer: ({ site }) => gatewayApiLayer(site),
  // Envoy's metrics exist only where the gateway runs.
  alerts: ({ site }) => (site.ingress.controller === CONTROLLER ? [gatewayAlerts] : []),
  dashboards: ({ site }) => (site.ingress.controller === CONTROLLER ? [gatewayDashboard(site)] : []),
  crdSchemas: { ...GATEWAY_API_SCHEMAS, ...CALICO_GATEWAY_SCHEMAS, ...ENVOY_GATEWAY_SCHEMAS },
});
