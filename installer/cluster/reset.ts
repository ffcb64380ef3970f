// `labctl reset`: undoes a node's cluster membership (kubeadm reset and labctl's files), never its disks.
// Needs an explicit, specific confirmation: the node's name typed back (or --yes-reset NODE).
import type { Site, SiteNode } from '../inventory/types.ts';
import { renderTemplate } from '../render/text.ts';
import './shell.ts'; // registers the quoting helpers the step templates use
import { CRI_SOCKET } from './artifacts.ts';
import { connectNode, errorText, forEachNode, type ClusterOptions } from './hosts.ts';
import type { Journal } from './journal.ts';
import { stepFailure } from './apply.ts';

/** Journal steps that make a control plane a member of the cluster (its etcd holds the cluster). */
const MEMBER_STEPS = new Set(['0050-kubeadm-init', '0060-kubeadm-join-control-plane']);

/**
 * Whether resetting `targets` leaves no control plane: the cluster, its etcd data and every workload are
 * gone. Members are the control planes the journal shows as initialized or joined; with none recorded
 * (another machine ran up, or a lost journal) every control plane of the inventory counts, so the
 * warning errs on the side of asking.
 */
export function destroysCluster(site: Site, targets: string[], journal: Journal): string[] | undefined {
  const cps = site.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.name);
  const hit = cps.filter((n) => targets.includes(n));
  if (!hit.length) return undefined;
  const members = cps.filter((n) => journal.steps(n).some((id) => MEMBER_STEPS.has(id)));
  const remaining = (members.length ? members : cps).filter((n) => !targets.includes(n));
  return remaining.length ? undefined : hit;
}

export function resetScript(node: SiteNode): string {
  return (
    renderTemplate('cluster/templates/_prelude.sh.hbs', { step: 'reset', node: node.name }) +
    '\n' +
    renderTemplate('cluster/templates/reset.sh.hbs', { node: node.name, criSocket: CRI_SOCKET })
  );
}

export interface ResetOutcome {
  node: string;
  ok: boolean;
  error?: string;
}

export async function resetNodes(
  site: Site,
  names: string[],
  journal: Journal,
  o: ClusterOptions & { timeoutSec?: number },
): Promise<ResetOutcome[]> {
  const nodes = site.nodes.filter((n) => names.includes(n.name));
  const res = await forEachNode(nodes, o, async (node) => {
    const host = await connectNode(node, o);
    try {
      const timeoutSec = o.timeoutSec ?? 300;
      const r = await host.runScript(resetScript(node), { timeoutMs: timeoutSec * 1000, step: 'reset' });
      if (r.code !== 0)
        throw new Error(`${node.name} [reset]: ${stepFailure(r.code, r.signal, r.stdout, r.stderr, timeoutSec)}`);
    } finally {
      host.close();
    }
    // All of the node's steps: the next `up` checks and redoes them from the start (they change nothing
    // that is already right), as it would on a reinstalled server.
    await journal.forget(node.name);
  });
  return nodes.map((n) => {
    const r = res.get(n.name)!;
    return r.ok ? { node: n.name, ok: true } : { node: n.name, ok: false, error: errorText(r.error) };
  });
}
