// `labctl reset`: undoes a node's cluster membership (kubeadm reset and labctl's files), never its disks.
// Needs an explicit, specific confirmation: the node's name typed back (or --yes-reset NODE).
import type { Site, SiteNode } from '../inventory/types.ts';
import { renderTemplate } from '../render/text.ts';
import './shell.ts'; // registers the quoting helpers the step templates use
import { CRI_SOCKET } from './artifacts.ts';
import { connectNode, errorText, forEachNode, type ClusterOptions } from './hosts.ts';
import type { Journal } from './journal.ts';
import { stepFailure } from './apply.ts';

/** Steps whose effects reset undoes; the next `up` runs them again. OS, containerd and packages stay. */
export const RESET_FORGETS = (step: string) => Number.parseInt(step, 10) >= 40;

export function resetScript(node: SiteNode): string {
  return renderTemplate('cluster/templates/_prelude.sh.hbs', { step: 'reset', node: node.name }) + '\n' +
    renderTemplate('cluster/templates/reset.sh.hbs', { node: node.name, criSocket: CRI_SOCKET });
}

export interface ResetOutcome { node: string; ok: boolean; error?: string }

export async function resetNodes(site: Site, names: string[], journal: Journal, o: ClusterOptions & { timeoutSec?: number }): Promise<ResetOutcome[]> {
  const nodes = site.nodes.filter((n) => names.includes(n.name));
  const res = await forEachNode(nodes, o, async (node) => {
    const host = await connectNode(node, o);
    try {
      const timeoutSec = o.timeoutSec ?? 300;
      const r = await host.runScript(resetScript(node), { timeoutMs: timeoutSec * 1000, step: 'reset' });
      if (r.code !== 0) throw new Error(`${node.name} [reset]: ${stepFailure(r.code, r.signal, r.stdout, r.stderr, timeoutSec)}`);
    } finally {
      host.close();
    }
    await journal.forget(node.name, RESET_FORGETS);
  });
  return nodes.map((n) => {
    const r = res.get(n.name)!;
    return r.ok ? { node: n.name, ok: true } : { node: n.name, ok: false, error: errorText(r.error) };
  });
}
