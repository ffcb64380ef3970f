// The plan: a pure function from the Site to ordered steps per host, grouped in phases. `labctl plan`
// prints it; `labctl up` runs it. Scripts are rendered here (secrets are placeholders), and each step
// carries the hash of its inputs, which the journal uses to know a finished step needs no re-run.
import { createHash } from 'node:crypto';
import type { Site, SiteNode } from '../inventory/types.ts';
import { renderTemplate } from '../render/text.ts';
import './shell.ts'; // registers the quoting helpers the step templates use
import { PHASES, STEPS, type Phase, type SecretName, type StepDef } from './steps/index.ts';

export interface PlannedStep {
  id: string;
  title: string;
  node: string;
  phase: Phase;
  timeoutSec: number;
  /** The full script (prelude + step), secrets as variables set at run time. */
  script: string;
  /** sha256 of the step id and its script: a finished step with the same hash is not run again. */
  inputs: string;
  needs: SecretName[];
  produces: boolean;
}

export interface PlanPhase {
  phase: Phase;
  description: string;
  hosts: { node: string; steps: PlannedStep[] }[];
}
export interface HandOver {
  title: string;
  items: string[];
}
export interface Plan {
  site: string;
  firstControlPlane: string;
  phases: PlanPhase[];
  /** Steps that run on no host of this site, with the reason ("<id> skipped: <why>"). */
  skipped: string[];
  handOver: HandOver;
}

const PHASE_TEXT: Record<Phase, string> = {
  prepare: 'every node in parallel: OS, containerd, Kubernetes packages',
  init: 'the first control plane: API VIP and kubeadm init',
  'join-control-plane': 'the other control planes join (needs init)',
  'join-workers': 'the other nodes join (needs init)',
};

export function renderStep(site: Site, node: SiteNode, def: StepDef): string {
  const prelude = renderTemplate('cluster/templates/_prelude.sh.hbs', { step: def.id, node: node.name });
  return prelude + '\n' + renderTemplate(`cluster/templates/${def.template}`, def.data(site, node));
}

export const inputsHash = (id: string, script: string) => createHash('sha256').update(`${id}\n${script}`).digest('hex');

export function buildPlan(site: Site, only?: string[]): Plan {
  const nodes = only ? site.nodes.filter((n) => only.includes(n.name)) : site.nodes;
  const first = site.nodes.find((n) => n.roles.includes('control-plane'))!;
  const phases: PlanPhase[] = PHASES.map((phase) => ({
    phase,
    description: PHASE_TEXT[phase],
    hosts: nodes
      .map((node) => ({
        node: node.name,
        steps: STEPS.filter((d) => d.phase === phase && d.appliesTo(site, node)).map((d): PlannedStep => {
          const script = renderStep(site, node, d);
          return {
            id: d.id,
            title: d.title,
            node: node.name,
            phase,
            timeoutSec: d.timeoutSec,
            script,
            inputs: inputsHash(d.id, script),
            needs: d.needs ?? [],
            produces: !!d.produces,
          };
        }),
      }))
      .filter((h) => h.steps.length > 0),
  })).filter((p) => p.hosts.length > 0);
  return {
    site: site.site.name,
    firstControlPlane: first.name,
    phases,
    skipped: STEPS.flatMap((d) => {
      const why = d.skippedBecause?.(site);
      return why ? [`${d.id} skipped: ${why}`] : [];
    }),
    handOver: {
      title: 'hand-over to ArgoCD (from this machine, with the admin kubeconfig of the first control plane)',
      items: [
        `the platform's Secrets from the secret store (ArgoCD's credentials for ${site.site.gitRepo} among them, when it needs them); what cannot exist yet waits, listed`,
        'Calico CRDs (helm, server-side apply) and the tigera-operator (helm)',
        'Argo CD (helm)',
        `the root Application (${site.site.gitRepo} @ ${site.site.gitRevision}, path apps) with @kubernetes/client-node`,
        'wait for every ArgoCD Application to be Synced and Healthy, or name what is stuck',
      ],
    },
  };
}

/** Human-readable plan, the same order `up` follows. */
export function formatPlan(plan: Plan): string {
  const out: string[] = [`plan for site ${plan.site} (first control plane: ${plan.firstControlPlane})`, ''];
  plan.phases.forEach((p, i) => {
    out.push(`phase ${i + 1}: ${p.phase} — ${p.description}`);
    for (const h of p.hosts)
      for (const s of h.steps)
        out.push(
          `  ${h.node.padEnd(12)} ${s.id.padEnd(32)} ${s.title}${s.produces ? ' [every run, not journaled]' : ''}`,
        );
    out.push('');
  });
  if (plan.skipped.length) out.push(...plan.skipped.map((s) => `  ${s}`), '');
  out.push(`phase ${plan.phases.length + 1}: ${plan.handOver.title}`);
  for (const it of plan.handOver.items) out.push(`  - ${it}`);
  return out.join('\n') + '\n';
}
