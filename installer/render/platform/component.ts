// The component module contract. A platform component is one folder, installer/render/components/<name>/,
// whose index.ts exports `component` (defineComponent). render discovers the folders through the generated
// components/index.ts (`npm run schema`); nothing else lists them. A component imports only from
// platform/ (the shared contracts), model.ts, the generic tools and its own folder, never from another
// component (.dependency-cruiser.cjs). docs/components.md shows how to add one. Its inventory section, if it
// has one, is not a field here but the folder's inventory.ts (inventory/schema/component-section.ts): the
// inventory layer reads that leaf and may not import this module.
import type { Schema } from '../../inventory/schema/dsl.ts';
import type { ComponentBuilder, SiteContext } from '../model.ts';
import type { AlertGroup } from './alert-rules.ts';
import type { Dashboard } from './dashboards.ts';
import type { IngressLayer } from './exposure.ts';

export interface ComponentModule {
  /** The folder's name (a DNS label). */
  name: string;
  /**
   * Its ArgoCD Applications: chart values, manifests, other repository files, the secrets they need, the
   * cluster-scoped kinds its AppProject must allow (clusterResources) and the services it publishes
   * (exposures, neutral: the ingress layer in ctx.ingress turns them into its objects). null when the
   * inventory does not ask for the component.
   */
  build: ComponentBuilder;
  /** Its alerts, each with a runbook; a group may be shared with other components (labctl-services). */
  alerts?: (ctx: SiteContext) => AlertGroup[];
  /** Its Grafana dashboards (platform/dashboards.ts dashboard()). */
  dashboards?: (ctx: SiteContext) => Dashboard[];
  /** Schemas of the custom resources its objects use, keyed `<apiVersion>/<Kind>` (render validates against them). */
  crdSchemas?: Record<string, Schema>;
  /** The ingress layer it provides, selected when `ingress.controller` equals the layer's controller. */
  ingressLayer?: (ctx: SiteContext) => IngressLayer;
  /**
   * A section of the site README (markdown starting with its `## ` heading, from a template in its folder):
   * what campus IT and the on-call need to know about the component on this site. Sections follow the
   * README's own, in component-name order.
   */
  readme?: (ctx: SiteContext) => string;
}

/** Declares a component module (a typed identity: the contract is checked where it is written). */
export const defineComponent = (m: ComponentModule): ComponentModule => m;

/** Every component's CRD schemas in one table; a kind declared by two components is an error. */
export function gatherSchemas(modules: readonly ComponentModule[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const owner = new Map<string, string>();
  for (const m of modules) {
    for (const [key, schema] of Object.entries(m.crdSchemas ?? {})) {
      if (owner.has(key)) throw new Error(`CRD schema ${key} is declared by both ${owner.get(key)} and ${m.name}`);
      owner.set(key, m.name);
      out[key] = schema;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
