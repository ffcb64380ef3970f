import { join } from 'node:path';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { Journal, defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';
import { redact } from '../../ssh/redact.ts';
import { observeCluster } from '../../cluster/upgrade/observe.ts';
import { RemoveRefused, buildRemovePlan, formatRemovePlan } from '../../cluster/remove/plan.ts';
import { runRemove } from '../../cluster/remove/run.ts';
import { formatNodeLines, nodeEntryLines } from '../../cluster/remove/inventory-lines.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite } from './cluster-common.ts';
import { progressLine } from './up.ts';

export interface RemoveOptions {
  node: string;
  yesRemove?: string;
  drainTimeout: number;
  rebalanceTimeout: number;
  rebalanceInterval: number;
  inventory: string;
  output: OutputFormat;
  stateDir?: string;
  connectTimeout: number;
  /** -i and --state-dir as typed, repeated in the commands this suggests (installer/cli/site-args.ts). */
  siteArgs?: string;
}

/** `labctl remove NODE`: checks quorum and Ceph redundancy, shows the plan; runs it with --yes-remove NODE. */
export async function removeCommand(o: RemoveOptions): Promise<void> {
  const site = loadSite(o.inventory);
  if (!site.nodes.some((n) => n.name === o.node))
    throw new UsageError(`remove: unknown node ${o.node} (nodes: ${site.nodes.map((n) => n.name).join(', ')})`);
  if (o.yesRemove !== undefined && o.yesRemove !== o.node)
    throw new UsageError(
      `remove: confirmation --yes-remove ${o.yesRemove} does not match ${o.node}; nothing was changed`,
    );
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const unlock = lockStateDir(stateDir);
  const log = (s: string) => {
    if (o.output === 'text') process.stdout.write(redact(s));
  };
  try {
    const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
    const cluster = { connectTimeoutMs: o.connectTimeout * 1000, knownHosts: join(stateDir, PIN_FILE) };
    const observed = await observeCluster(site, cluster);
    const ready = new Set([...observed.nodes].filter(([, v]) => v.ready).map(([n]) => n));
    let plan: ReturnType<typeof buildRemovePlan>;
    try {
      plan = buildRemovePlan(site, {
        node: o.node,
        ready,
        drainTimeoutSec: o.drainTimeout,
        rebalanceTimeoutSec: o.rebalanceTimeout,
        rebalanceIntervalSec: o.rebalanceInterval,
      });
    } catch (e) {
      if (e instanceof RemoveRefused) throw new ExitError(`${e.message}\nnothing was changed`, 1);
      throw e;
    }
    log(formatRemovePlan(plan));
    if (o.yesRemove === undefined) {
      log(`\nnothing changed; to run it: labctl remove ${o.node}${o.siteArgs ?? ''} --yes-remove ${o.node}\n`);
      return;
    }
    const r = await runRemove(site, plan, journal, { ...cluster, onEvent: (e) => log(progressLine(e)) });
    const lines = nodeEntryLines(o.inventory, o.node);
    if (o.output === 'json') printJson({ ...r, inventoryLines: lines ?? null });
    if (!r.ok)
      throw new ExitError(
        `remove stopped at ${r.error}; fix the cause and run labctl remove ${o.node}${o.siteArgs ?? ''} --yes-remove ${o.node} again: finished steps are not repeated`,
        1,
      );
    log(`\n${o.node} is out of the cluster.\n`);
    if (lines) log(formatNodeLines(lines, o.node));
    if (r.osds.length)
      log(
        `after that commit is synced (Rook no longer lists ${o.node}), purge its OSDs: kubectl -n rook-ceph exec deploy/rook-ceph-tools -- ceph osd purge <id> --yes-i-really-mean-it for ${r.osds.join(', ')}\n`,
      );
  } finally {
    unlock();
  }
}
