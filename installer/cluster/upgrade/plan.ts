// The upgrade plan: a pure function from the Site, the target version and what the cluster reports
// (each node's kubelet version) to ordered batches of per-node steps. `labctl upgrade --plan` prints it;
// `labctl upgrade --yes` runs it (run.ts). Control planes one at a time, the first control plane first
// (it runs `kubeadm upgrade apply`), then storage nodes one at a time (Rook's OSD disruption budgets let
// one failure domain down at a time), then the other nodes in batches of `batchSize`.
import type { Site, SiteNode } from '../../inventory/types.ts';
import { renderTemplate } from '../../render/text.ts';
import '../shell.ts'; // registers the quoting helpers the templates use
import { inputsHash } from '../plan.ts';
import { kubePackages } from '../steps/0030-kube-packages.ts';
import { isControlPlane } from '../steps/types.ts';
import { cmp, fmt, parseVersion, upgradeRefusals } from './versions.ts';

/** Other nodes drained at the same time. Two: a lab rack keeps most of its capacity, and KubeVirt's default
 *  limit of two outbound live migrations per node is not the bottleneck. */
export const DEFAULT_BATCH_SIZE = 2;
/** `kubectl drain --timeout`: a PodDisruptionBudget that never allows the eviction stops the upgrade here. */
export const DEFAULT_DRAIN_TIMEOUT_SEC = 600;
/** How long the uncordon step waits for the node to report Ready at the target version (every 5 s). */
export const READY_TRIES = 60;

export type UpgradeStepId = '10-kubeadm' | '20-drain' | '30-kubelet' | '40-uncordon';
export interface UpgradeStep {
  /** Journal key: `upgrade-<target>/<id>`, so another target never counts as done. */
  key: string;
  id: UpgradeStepId;
  title: string;
  /** The node upgraded. */
  node: string;
  /** Where the script runs: the node itself, or the first control plane (kubectl with admin.conf). */
  runsOn: string;
  timeoutSec: number;
  script: string;
  inputs: string;
}
export interface UpgradeNode {
  node: string;
  role: 'first control plane' | 'control plane' | 'storage' | 'worker';
  from: string;
  steps: UpgradeStep[];
}
export interface UpgradePlan {
  site: string;
  target: string;
  apiHost: string;
  batchSize: number;
  batches: UpgradeNode[][];
  /** Nodes left out, with why (already at the target; not a member yet). */
  skipped: { node: string; why: string }[];
}

export interface UpgradeInput {
  target: string;
  /** kubelet version each registered node reports (node name → version). */
  current: Record<string, string>;
  /** Whether a step key is journaled as finished for a node (resume). */
  finished?: (node: string, key: string) => boolean;
  batchSize?: number;
  drainTimeoutSec?: number;
}

export class UpgradeRefused extends Error {
  constructor(readonly reasons: string[]) {
    super(`upgrade refused:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
  }
}

export const stepKey = (target: string, id: UpgradeStepId) => `upgrade-${target}/${id}`;
const STEP_IDS: UpgradeStepId[] = ['10-kubeadm', '20-drain', '30-kubelet', '40-uncordon'];

function prelude(step: string, node: string): string {
  return renderTemplate('cluster/templates/_prelude.sh.hbs', { step, node }) + '\n';
}

/** The inventory must pin the target first, so that a later `labctl up` installs the same version. */
function notPinned(site: Site, target: string): string[] {
  const to = parseVersion(target);
  return to && fmt(to) !== site.kubernetes.version
    ? [
        `--to ${fmt(to)} is not the version the inventory pins (kubernetes.version ${site.kubernetes.version}): set kubernetes.version: ${fmt(to)} (and its packageRepo) in the inventory first, so a later labctl up installs the same version`,
      ]
    : [];
}

/**
 * What refuses --to without asking the cluster (its form, a supported minor): checked before connecting. A
 * well-formed target the inventory does not pin is refused after the nodes are read, with each node's reason.
 */
export function targetRefusals(target: string): string[] {
  return upgradeRefusals(target, {}, []);
}

export function buildUpgradePlan(site: Site, input: UpgradeInput): UpgradePlan {
  const to = parseVersion(input.target);
  const cps = site.nodes.filter(isControlPlane);
  const first = cps[0]!;
  const reasons = upgradeRefusals(
    input.target,
    input.current,
    cps.map((n) => n.name),
  );
  reasons.push(...notPinned(site, input.target));
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    reasons.push(`--batch-size ${batchSize}: expected a whole number >= 1`);
  if (reasons.length) throw new UpgradeRefused(reasons);
  const target = fmt(to!);
  const drainTimeoutSec = input.drainTimeoutSec ?? DEFAULT_DRAIN_TIMEOUT_SEC;
  const finished = input.finished ?? (() => false);
  const skipped: UpgradePlan['skipped'] = [];

  const nodeOf = (n: SiteNode): UpgradeNode | undefined => {
    const from = input.current[n.name];
    if (!from) {
      skipped.push({ node: n.name, why: 'not a member of the cluster yet: labctl up joins it at the pinned version' });
      return undefined;
    }
    const keys = STEP_IDS.map((id) => stepKey(target, id));
    const started = keys.some((k) => finished(n.name, k));
    const allDone = keys.every((k) => finished(n.name, k));
    // A node already at the target is left alone, unless this upgrade started on it and did not finish
    // (e.g. it stopped after the kubelet restart, before the uncordon).
    if (cmp(parseVersion(from)!, to!) === 0 && (!started || allDone)) {
      skipped.push({ node: n.name, why: `already at ${target}` });
      return undefined;
    }
    const role =
      n === first
        ? 'first control plane'
        : isControlPlane(n)
          ? 'control plane'
          : n.roles.includes('storage')
            ? 'storage'
            : 'worker';
    return { node: n.name, role, from, steps: upgradeSteps(site, n, target, n === first, first.name, drainTimeoutSec) };
  };

  const batches: UpgradeNode[][] = [];
  for (const n of cps) {
    const u = nodeOf(n);
    if (u) batches.push([u]);
  }
  const rest = site.nodes.filter((n) => !isControlPlane(n));
  for (const n of rest.filter((x) => x.roles.includes('storage'))) {
    const u = nodeOf(n);
    if (u) batches.push([u]);
  }
  const others = rest
    .filter((x) => !x.roles.includes('storage'))
    .map(nodeOf)
    .filter((u): u is UpgradeNode => !!u);
  for (let i = 0; i < others.length; i += batchSize) batches.push(others.slice(i, i + batchSize));
  return { site: site.site.name, target, apiHost: first.name, batchSize, batches, skipped };
}

export function upgradeSteps(
  site: Site,
  node: SiteNode,
  target: string,
  firstCp: boolean,
  apiHost: string,
  drainTimeoutSec: number,
): UpgradeStep[] {
  const pinned = { ...site, kubernetes: { ...site.kubernetes, version: target } };
  const pkg = kubePackages.data(pinned, node) as { repo: string; debVersion: string; sourcesLine: string };
  const data = {
    ...pkg,
    node: node.name,
    target,
    firstCp,
    drainTimeoutSec,
    readyTries: READY_TRIES,
    kubeconfig: '/etc/kubernetes/admin.conf',
  };
  const make = (
    id: UpgradeStepId,
    title: string,
    runsOn: string,
    template: string,
    timeoutSec: number,
    extra: object = {},
  ): UpgradeStep => {
    const key = stepKey(target, id);
    const script =
      prelude(key, node.name) + renderTemplate(`cluster/upgrade/templates/${template}`, { ...data, ...extra });
    return { key, id, title, node: node.name, runsOn, timeoutSec, script, inputs: inputsHash(key, script) };
  };
  return [
    make(
      '10-kubeadm',
      firstCp ? `kubeadm ${target}, kubeadm upgrade plan and apply` : `kubeadm ${target}, kubeadm upgrade node`,
      node.name,
      'kubeadm.sh.hbs',
      1200,
      { packages: ['kubeadm'], packagesBlock: packagesBlock(data, ['kubeadm']) },
    ),
    make(
      '20-drain',
      `cordon and drain (PodDisruptionBudgets and live migration respected, ${drainTimeoutSec} s at most)`,
      apiHost,
      'drain.sh.hbs',
      drainTimeoutSec + 120,
    ),
    make('30-kubelet', `kubelet and kubectl ${target}, kubelet restarted`, node.name, 'kubelet.sh.hbs', 900, {
      packagesBlock: packagesBlock(data, ['kubelet', 'kubectl']),
    }),
    make('40-uncordon', `wait until Ready at ${target}, uncordon`, apiHost, 'uncordon.sh.hbs', READY_TRIES * 5 + 120),
  ];
}

function packagesBlock(data: Record<string, unknown>, packages: string[]): string {
  return renderTemplate('cluster/upgrade/templates/_packages.sh.hbs', { ...data, packages });
}

/** Human-readable plan, in the order the upgrade runs. */
export function formatUpgradePlan(p: UpgradePlan): string {
  const out = [
    `upgrade plan for site ${p.site}: Kubernetes → ${p.target} (kubectl runs on ${p.apiHost}; other nodes in batches of ${p.batchSize})`,
    '',
  ];
  p.batches.forEach((b, i) => {
    out.push(`batch ${i + 1}: ${b.map((n) => `${n.node} (${n.role}, ${n.from} → ${p.target})`).join(', ')}`);
    for (const n of b)
      for (const s of n.steps)
        out.push(
          `  ${n.node.padEnd(12)} ${s.id.padEnd(12)} ${s.title}${s.runsOn !== n.node ? ` [on ${s.runsOn}]` : ''}`,
        );
  });
  if (!p.batches.length) out.push('nothing to upgrade');
  for (const s of p.skipped) out.push(`skipped: ${s.node}: ${s.why}`);
  return out.join('\n') + '\n';
}
