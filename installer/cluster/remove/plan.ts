// The removal of one node, as journaled steps: drain, Ceph OSDs out and rebalanced (storage nodes),
// kubeadm reset on the node (as `labctl reset` does; it removes a control plane's etcd member), then the
// Node object deleted. Refused first when quorum or Ceph redundancy would be lost (check.ts).
import type { Site } from '../../inventory/types.ts';
import { renderTemplate } from '../../render/text.ts';
import '../shell.ts';
import { inputsHash } from '../plan.ts';
import { resetScript } from '../reset.ts';
import { isControlPlane } from '../steps/types.ts';
import { DEFAULT_DRAIN_TIMEOUT_SEC } from '../upgrade/plan.ts';
import { removeRefusals } from './check.ts';

/** Default wait for Ceph to move the data off the node's OSDs: an hour (tries of 10 s). */
export const DEFAULT_REBALANCE_TIMEOUT_SEC = 3600;
/** Seconds between two `ceph osd safe-to-destroy` questions (--rebalance-interval). */
export const DEFAULT_REBALANCE_INTERVAL_SEC = 10;

export type RemoveStepId = '10-drain' | '20-ceph-out' | '30-reset' | '40-delete-node';
export interface RemoveStep {
  key: string;
  id: RemoveStepId;
  title: string;
  runsOn: string;
  timeoutSec: number;
  script: string;
  inputs: string;
}
export interface RemovePlan {
  site: string;
  node: string;
  apiHost: string;
  steps: RemoveStep[];
}

export class RemoveRefused extends Error {
  constructor(readonly reasons: string[]) {
    super(`remove refused:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
  }
}

export const removeKey = (id: RemoveStepId) => `remove/${id}`;

export function buildRemovePlan(
  site: Site,
  input: {
    node: string;
    ready: Set<string>;
    drainTimeoutSec?: number;
    rebalanceTimeoutSec?: number;
    rebalanceIntervalSec?: number;
  },
): RemovePlan {
  const reasons = removeRefusals(site, input);
  if (reasons.length) throw new RemoveRefused(reasons);
  const node = site.nodes.find((n) => n.name === input.node)!;
  const apiHost = site.nodes.find((n) => isControlPlane(n) && n.name !== node.name)!.name;
  const drainTimeoutSec = input.drainTimeoutSec ?? DEFAULT_DRAIN_TIMEOUT_SEC;
  const rebalanceIntervalSec = input.rebalanceIntervalSec ?? DEFAULT_REBALANCE_INTERVAL_SEC;
  const rebalanceTries = Math.max(
    1,
    Math.ceil((input.rebalanceTimeoutSec ?? DEFAULT_REBALANCE_TIMEOUT_SEC) / rebalanceIntervalSec),
  );
  const data = {
    node: node.name,
    kubeconfig: '/etc/kubernetes/admin.conf',
    drainTimeoutSec,
    rebalanceTries,
    rebalanceIntervalSec,
  };
  const pre = (key: string) =>
    renderTemplate('cluster/templates/_prelude.sh.hbs', { step: key, node: node.name }) + '\n';
  const make = (id: RemoveStepId, title: string, runsOn: string, timeoutSec: number, body: string): RemoveStep => {
    const key = removeKey(id);
    const script = id === '30-reset' ? body : pre(key) + body;
    return { key, id, title, runsOn, timeoutSec, script, inputs: inputsHash(key, script) };
  };
  const steps: RemoveStep[] = [
    make(
      '10-drain',
      `cordon and drain (PodDisruptionBudgets and live migration respected, ${drainTimeoutSec} s at most)`,
      apiHost,
      drainTimeoutSec + 120,
      renderTemplate('cluster/upgrade/templates/drain.sh.hbs', data),
    ),
  ];
  if (node.roles.includes('storage')) {
    steps.push(
      make(
        '20-ceph-out',
        `Ceph OSDs of ${node.name} out, wait until safe to destroy (${rebalanceTries * rebalanceIntervalSec} s at most)`,
        apiHost,
        rebalanceTries * rebalanceIntervalSec + 120,
        renderTemplate('cluster/remove/templates/ceph-out.sh.hbs', data),
      ),
    );
  }
  steps.push(
    make('30-reset', "kubeadm reset and labctl's files (disks are not touched)", node.name, 300, resetScript(node)),
    make(
      '40-delete-node',
      'delete the Node object',
      apiHost,
      240,
      renderTemplate('cluster/remove/templates/delete-node.sh.hbs', data),
    ),
  );
  return { site: site.site.name, node: node.name, apiHost, steps };
}

export function formatRemovePlan(p: RemovePlan): string {
  return (
    [
      `remove plan for ${p.node} (site ${p.site}; kubectl runs on ${p.apiHost}):`,
      ...p.steps.map((s) => `  ${s.id.padEnd(16)} ${s.title}${s.runsOn !== p.node ? ` [on ${s.runsOn}]` : ''}`),
    ].join('\n') + '\n'
  );
}
