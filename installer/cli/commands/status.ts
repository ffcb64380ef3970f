import { join } from 'node:path';
import { buildPlan } from '../../cluster/plan.ts';
import { Journal, defaultStateDir } from '../../cluster/journal.ts';
import {
  clusterStatus,
  formatStatus,
  loadKubeconfig,
  nodeStatus,
  statusProblems,
  type StatusReport,
} from '../../cluster/status.ts';
import { Problem } from '../../core/diagnostics.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite } from './cluster-common.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';

export interface StatusOptions {
  inventory: string;
  output: OutputFormat;
  stateDir?: string;
  kubeconfig?: string;
  connectTimeout: number;
}

export async function statusCommand(o: StatusOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
  const nodes = await nodeStatus(site, buildPlan(site), journal, {
    connectTimeoutMs: o.connectTimeout * 1000,
    knownHosts: join(stateDir, PIN_FILE),
  });
  const kc = loadKubeconfig(o.kubeconfig ?? join(stateDir, 'admin.conf'));
  const cluster =
    typeof kc === 'string'
      ? {
          applications: { available: false as const, reason: kc },
          ceph: { available: false as const, reason: kc },
          bgp: { available: false as const, reason: kc },
          certificates: { available: false as const, reason: kc },
        }
      : await clusterStatus(kc);
  const report: StatusReport = { nodes, ...cluster };
  if (o.output === 'json') printJson(report);
  else process.stdout.write(formatStatus(report));
  // Exit 1 when anything is unhealthy or unreachable, so scripts and monitors can trust exit 0.
  const problems = statusProblems(report);
  if (problems.length)
    throw new Problem(
      `${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; ...' : ''}`,
    );
}
