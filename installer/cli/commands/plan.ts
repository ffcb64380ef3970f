import { buildPlan, formatPlan } from '../../cluster/plan.ts';
import { helmCommands } from '../../cluster/helm-commands.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite, pickNodes } from './cluster-common.ts';
import { formatMembership, membership, readJournalData } from '../../cluster/upgrade/members.ts';
import { etcdBackupInputs, missingBackupCredentials } from '../../cluster/etcd-snapshot.ts';
import { siteRepoOf } from '../options.ts';

export interface PlanOptions {
  inventory: string;
  output: OutputFormat;
  nodes?: string[];
  scripts?: boolean;
  /** The site repository holding secrets/ (default: the inventory's folder) and the site key. */
  repo?: string;
  keyFile?: string;
}

/** `labctl plan`: what `up` would do, in order; changes nothing and connects to nothing. */
export async function planCommand(o: PlanOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const plan = buildPlan(site, pickNodes(site, o.nodes));
  // Day two: which nodes up would join, from the journal in the state directory (read only, no lock).
  const journal = readJournalData(site);
  const members = membership(site, journal?.data);
  // What `up` would stop on before touching a host: the backup credentials, read from the local secret store.
  const repo = o.repo ?? siteRepoOf(o.inventory);
  const backup = await etcdBackupInputs(site, repo, o.keyFile);
  const warning = missingBackupCredentials(backup, { inventory: o.inventory, repo, keyFile: o.keyFile });
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
      warnings: warning ? [warning] : [],
      helm: helmCommands(site).map((c) => ({ title: c.title, argv: ['helm', ...c.argv] })),
    });
    return;
  }
  process.stdout.write(formatPlan(plan));
  if (warning) process.stdout.write(`\nwarning: ${warning} (labctl up stops on this before touching any host)\n`);
  process.stdout.write('\n' + formatMembership(members, journal?.file));
  if (o.scripts) {
    for (const p of plan.phases)
      for (const h of p.hosts) for (const s of h.steps) process.stdout.write(`\n### ${h.node} ${s.id}\n${s.script}`);
  }
}
