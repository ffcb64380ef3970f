// Whether a node may leave the site: a pure check from the inventory and what the cluster reports.
// Refused while the control plane would lose its etcd quorum or Ceph its redundancy.
import type { Site } from '../../inventory/types.ts';
import { isControlPlane } from '../steps/types.ts';

export const quorumOf = (members: number) => Math.floor(members / 2) + 1;

export interface RemoveInput {
  node: string;
  /** Nodes the cluster reports Ready. */
  ready: Set<string>;
}

export function removeRefusals(site: Site, input: RemoveInput): string[] {
  const node = site.nodes.find((n) => n.name === input.node);
  if (!node)
    return [`${input.node} is not a node of the inventory (nodes: ${site.nodes.map((n) => n.name).join(', ')})`];
  const out: string[] = [];
  const cps = site.nodes.filter(isControlPlane);
  if (isControlPlane(node)) {
    // Stacked etcd: one member per control plane. The removal itself (etcd member remove) needs the
    // quorum of today's membership; afterwards the rest must still hold the quorum of the smaller one.
    const others = cps.filter((n) => n.name !== node.name);
    const readyOthers = others.filter((n) => input.ready.has(n.name));
    if (others.length === 0)
      out.push(`${node.name} is the only control plane: the cluster would have no API server and no etcd`);
    else if (readyOthers.length < quorumOf(cps.length) || readyOthers.length < quorumOf(others.length)) {
      out.push(
        `control-plane quorum: ${cps.length} control planes (etcd members), ${readyOthers.length} other(s) Ready (${readyOthers.map((n) => n.name).join(', ') || 'none'}); removing ${node.name} needs ${Math.max(quorumOf(cps.length), quorumOf(others.length))} other Ready control planes`,
      );
    }
    if (cps[0]!.name === node.name) {
      out.push(
        `${node.name} is the first control plane of the inventory (labctl up and upgrade start there): list another control plane first in the inventory, run labctl up, then remove ${node.name}`,
      );
    }
  }
  if (node.roles.includes('storage')) {
    const { failureDomain, replicas } = site.storage;
    const domainOf = (n: typeof node) => (failureDomain === 'rack' ? n.rack : n.name);
    const remaining = new Set(
      site.nodes.filter((n) => n.roles.includes('storage') && n.name !== node.name).map(domainOf),
    );
    if (remaining.size < replicas) {
      out.push(
        `Ceph redundancy: storage.replicas is ${replicas} with failure domain ${failureDomain}; without ${node.name} ${remaining.size} ${failureDomain === 'rack' ? 'rack(s)' : 'storage host(s)'} would remain (${[...remaining].join(', ') || 'none'}), fewer than ${replicas}: add a storage node first, or lower storage.replicas`,
      );
    }
  }
  return out;
}
