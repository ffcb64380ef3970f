// The CloudNativePG operator: the PostgreSQL behind Keycloak and Harbor (no Bitnami charts, UPSTREAM.md §0).
import type { ComponentBuilder } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { SCHEMAS } from './schemas.ts';

export const CNPG_NAMESPACE = 'cnpg-system';

export const cloudnativePg: ComponentBuilder = () => ({
  name: 'cloudnative-pg',
  namespace: CNPG_NAMESPACE,
  tier: 'operators',
  // The Cluster CRD is far larger than client-side apply's annotation limit.
  syncOptions: ['ServerSideApply=true'],
  chart: {
    component: 'cloudnative-pg',
    values: {
      crds: { create: true },
      // PodMonitors of the Clusters need the monitoring CRDs, which the crds wave installs first.
      monitoring: { podMonitorEnabled: true },
    },
  },
});

export const component = defineComponent({ name: 'cloudnative-pg', build: cloudnativePg, crdSchemas: SCHEMAS });
