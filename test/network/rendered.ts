// Renders an inventory the way `labctl render` does and gives the tests typed access to the networking
// objects in the rendered files (parsed back from YAML, so tests see exactly what is written).
import { parseAllDocuments } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import type { Site } from '../../installer/inventory/types.ts';
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  IPAddressPool,
} from '../../installer/render/components/metallb/index.ts';

export interface Rendered {
  site: Site;
  result: RenderResult;
  files: Map<string, string>;
  objects: {
    file: string;
    object: Record<string, unknown> & {
      kind: string;
      apiVersion: string;
      metadata: { name: string; namespace?: string };
    };
  }[];
  kind<T>(apiVersion: string, kind: string): T[];
}

export async function renderInventory(file: string): Promise<Rendered> {
  const v = requireSite(file);
  if ('errors' in v) throw new Error(`${file} is not valid: ${JSON.stringify(v.errors)}`);
  const result = await renderSite(v.site, readRenderInputs(v.site));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length)
    throw new Error(`render of ${file} failed: ${errors.map((e) => `${e.file} ${e.path}: ${e.message}`).join('; ')}`);
  const objects: Rendered['objects'] = [];
  for (const [path, content] of result.files) {
    if (!path.endsWith('.yaml') || path.endsWith('/values.yaml')) continue;
    for (const doc of parseAllDocuments(content)) {
      const o = doc.toJS() as Rendered['objects'][number]['object'] | null;
      if (o && typeof o === 'object' && 'kind' in o) objects.push({ file: path, object: o });
    }
  }
  return {
    site: v.site,
    result,
    files: result.files,
    objects,
    kind: <T>(apiVersion: string, kind: string) =>
      objects
        .filter((o) => o.object.apiVersion === apiVersion && o.object.kind === kind)
        .map((o) => o.object as unknown as T),
  };
}

export const metallbKinds = (r: Rendered) => ({
  pools: r.kind<IPAddressPool>('metallb.io/v1beta1', 'IPAddressPool'),
  peers: r.kind<BGPPeer>('metallb.io/v1beta2', 'BGPPeer'),
  bfd: r.kind<BFDProfile>('metallb.io/v1beta1', 'BFDProfile'),
  adverts: r.kind<BGPAdvertisement>('metallb.io/v1beta1', 'BGPAdvertisement'),
});

type Selector = BGPPeer['spec']['nodeSelectors'][number];

/** Kubernetes label-selector semantics (matchLabels AND matchExpressions). */
export function selects(sel: Selector, labels: Record<string, string>): boolean {
  const okLabels = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const okExpr = (sel.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(labels[e.key]!);
      case 'NotIn':
        return !has || !(e.values ?? []).includes(labels[e.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
  return okLabels && okExpr;
}

/**
 * The labels a node of the inventory carries in the cluster: its zone (set by the bootstrap), its
 * hostname (kubelet), and kubeadm's exclude-from-external-load-balancers on control-plane nodes.
 */
export function nodeLabels(node: Site['nodes'][number]): Record<string, string> {
  return {
    'kubernetes.io/hostname': node.name,
    'topology.kubernetes.io/zone': node.rack,
    ...(node.roles.includes('control-plane')
      ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }
      : {}),
  };
}

/** Nodes a MetalLB BGPPeer opens sessions from: those matching any of its node selectors (none = all). */
export const nodesOfPeer = (site: Site, peer: BGPPeer) =>
  site.nodes.filter(
    (n) => !peer.spec.nodeSelectors.length || peer.spec.nodeSelectors.some((s) => selects(s, nodeLabels(n))),
  );
