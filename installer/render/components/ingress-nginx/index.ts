// ingress-nginx as a DaemonSet behind a fixed MetalLB address, and the ingress layer it provides
// (layer.ts). Retired upstream (March 2026): pinned to the final release 4.15.1 / 1.15.1. Selected by
// `ingress.controller: ingress-nginx`; with another controller this component is not deployed at all.
import type { ComponentBuilder } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { dashboards } from './dashboards.ts';
import { INGRESS_CLASS, nginxLayer } from './layer.ts';

export const ingressNginx: ComponentBuilder = ({ site }) =>
  site.ingress.controller !== nginxLayer.controller
    ? null
    : {
        name: 'ingress-nginx',
        namespace: 'ingress-nginx',
        tier: 'platform',
        wave: 5,
        chart: {
          component: 'ingress-nginx',
          values: {
            controller: {
              kind: 'DaemonSet',
              ingressClassResource: { name: INGRESS_CLASS, enabled: true, default: true },
              ingressClass: INGRESS_CLASS,
              allowSnippetAnnotations: false,
              service: {
                type: 'LoadBalancer',
                // Local keeps the client address for logs and rate limits; MetalLB announces from nodes with a pod.
                externalTrafficPolicy: 'Local',
                annotations: {
                  'metallb.io/address-pool': site.ingress.pool,
                  'metallb.io/loadBalancerIPs': site.ingress.address,
                },
              },
              config: {
                // Container and VM images are pushed through Harbor behind this proxy: no body size limit,
                // no request buffering to disk, long timeouts for multi-GB layers.
                'proxy-body-size': '0',
                'proxy-request-buffering': 'off',
                'proxy-read-timeout': '900',
                'proxy-send-timeout': '900',
                'use-forwarded-headers': 'false',
                'enable-real-ip': 'false',
              },
              metrics: { enabled: true, serviceMonitor: { enabled: true } },
              admissionWebhooks: { enabled: true },
              tolerations: [],
              nodeSelector: { 'kubernetes.io/os': 'linux' },
            },
          },
        },
        clusterResources: [
          { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
          { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
          { group: 'networking.k8s.io', kind: 'IngressClass' },
          { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
        ],
      };

export const component = defineComponent({
  name: 'ingress-nginx',
  build: ingressNginx,
  ingressLayer: () => nginxLayer,
  // Its metrics exist only where it runs.
  alerts: ({ site }) => (site.ingress.controller === nginxLayer.controller ? alerts() : []),
  dashboards: (ctx) => (ctx.site.ingress.controller === nginxLayer.controller ? dashboards(ctx) : []),
});
