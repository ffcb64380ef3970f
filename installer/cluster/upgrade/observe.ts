// What the cluster says about its nodes (kubelet version, Ready), asked with kubectl and the admin
// kubeconfig on the first control plane over SSH, the same way the upgrade and remove steps talk to the API.
import { Problem } from '../../core/diagnostics.ts';
import type { Site } from '../../inventory/types.ts';
import { isControlPlane } from '../steps/types.ts';
import type { ClusterOptions } from '../hosts.ts';
import { StepRunner } from './run.ts';

export interface ObservedNode {
  version: string;
  ready: boolean;
  unschedulable: boolean;
}

export const OBSERVE_SCRIPT = `set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.nodeInfo.kubeletVersion} {.status.conditions[?(@.type=="Ready")].status} {.spec.unschedulable}{"\\n"}{end}'
`;

/** Parses the lines OBSERVE_SCRIPT prints: `name version ReadyStatus [true]`. */
export function parseObserved(text: string): Map<string, ObservedNode> {
  const out = new Map<string, ObservedNode>();
  for (const line of text.split('\n')) {
    const [name, version, ready, unsched] = line.trim().split(/\s+/);
    if (!name || !version) continue;
    out.set(name, { version, ready: ready === 'True', unschedulable: unsched === 'true' });
  }
  return out;
}

/** Asks the first control plane; a control plane that does not answer is tried next. */
export async function observeNodes(
  site: Site,
  runner: StepRunner,
): Promise<{ apiHost: string; nodes: Map<string, ObservedNode> }> {
  const errors: string[] = [];
  for (const cp of site.nodes.filter(isControlPlane)) {
    try {
      return { apiHost: cp.name, nodes: parseObserved(await runner.run(cp.name, OBSERVE_SCRIPT, 'observe-nodes', 60)) };
    } catch (e) {
      const m = (e as Error).message;
      errors.push(m.startsWith(`${cp.name}: `) ? m : `${cp.name}: ${m}`); // the connection errors name their host already
    }
  }
  // No answer is the site's state (a key not in place, hosts down), not a labctl bug: exit 1 with the reasons.
  throw new Problem(
    `could not read the nodes' versions (kubectl get nodes over SSH) from any control plane: ${errors.join('; ')}`,
  );
}

/** observeNodes over a connection of its own, closed afterwards (upgrade and remove read the cluster once before planning). */
export async function observeCluster(
  site: Site,
  cluster: ClusterOptions,
): Promise<Awaited<ReturnType<typeof observeNodes>>> {
  const probe = new StepRunner(site, cluster);
  try {
    return await observeNodes(site, probe);
  } finally {
    probe.close();
  }
}
