import { buildPlan, formatPlan } from '../../cluster/plan.ts';
import { helmCommands } from '../../cluster/handover.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite, pickNodes } from './cluster-common.ts';
import { formatMembership, membership, readJournalData } from '../../cluster/upgrade/members.ts';

export interface PlanOptions {
  inventory: string;
  output: OutputFormat;
  nodes?: string[];
  scripts?: boolean;
}

/** `labctl plan`: what `up` would do, in order; changes nothing and connects to nothing. */
export async function planCommand(o: PlanOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const plan = buildPlan(site, pickNodes(site, o.nodes));
  // Day two: which nodes up would join, from the journal in the state directory (read only, no lock).
  const journal = readJournalData(site);
  const members = membership(site, journal?.data);
  if (o.output === 'json') {
    printJson({
      ...plan,
      phases: plan.phases.map((p) => ({
        ...p,
        hosts: p.hosts.map((h) => ({
          node: h.node,
          steps: h.steps.map(({ script, ...s }) => (o.scripts ? { ...s, script } : s)),
        })),
      })),
      membership: members,
      helm: helmCommands(site).map((c) => ({ title: c.title, argv: ['helm', ...c.argv] })),
    });
    return;
  }
  process.stdout.write(formatPlan(plan));
  process.stdout.write('\n' + formatMembership(members, journal?.file));
  if (o.scripts) {
    for (const p of plan.phases)
      for (const h of p.hosts) for (const s of h.steps) process.stdout.write(`\n### ${h.node} ${s.id}\n${s.script}`);
  }
}
