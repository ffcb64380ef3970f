import { join } from 'node:path';
import { ExitError } from '../../core/diagnostics.ts';
import { Journal, defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';
import { redact } from '../../ssh/redact.ts';
import { runUpgrade } from '../../cluster/upgrade/run.ts';
import { observeCluster } from '../../cluster/upgrade/observe.ts';
import { UpgradeRefused, buildUpgradePlan, formatUpgradePlan, targetRefusals } from '../../cluster/upgrade/plan.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite } from './cluster-common.ts';
import { progressLine } from './up.ts';

export interface UpgradeOptions {
  to: string;
  yes: boolean;
  batchSize: number;
  drainTimeout: number;
  inventory: string;
  output: OutputFormat;
  stateDir?: string;
  connectTimeout: number;
  /** -i and --state-dir as typed, repeated in the command this suggests (installer/cli/site-args.ts). */
  siteArgs?: string;
}

/** `labctl upgrade --to vX`: asks the cluster for each node's version, shows the plan, runs it with --yes. */
export async function upgradeCommand(o: UpgradeOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const early = targetRefusals(o.to); // before any connection: a typo in --to needs no SSH key
  if (early.length) throw new ExitError(new UpgradeRefused(early).message, 1);
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const unlock = lockStateDir(stateDir);
  const log = (s: string) => {
    if (o.output === 'text') process.stdout.write(redact(s));
  };
  try {
    const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
    const cluster = { connectTimeoutMs: o.connectTimeout * 1000, knownHosts: join(stateDir, PIN_FILE) };
    const observed = await observeCluster(site, cluster);
    const current = Object.fromEntries([...observed.nodes].map(([n, v]) => [n, v.version]));
    let plan: ReturnType<typeof buildUpgradePlan>;
    try {
      plan = buildUpgradePlan(site, {
        target: o.to,
        current,
        batchSize: o.batchSize,
        drainTimeoutSec: o.drainTimeout,
        finished: (n, k) => !!journal.record(n, k),
      });
    } catch (e) {
      if (e instanceof UpgradeRefused) throw new ExitError(e.message, 1);
      throw e;
    }
    if (o.output === 'json' && !o.yes) {
      printJson({
        ...plan,
        batches: plan.batches.map((b) => b.map((n) => ({ ...n, steps: n.steps.map(({ script, ...s }) => s) }))),
      });
      return;
    }
    log(formatUpgradePlan(plan));
    if (!o.yes) {
      log('\nnothing changed; run again with --yes to upgrade\n');
      return;
    }
    const r = await runUpgrade(site, plan, journal, { ...cluster, onEvent: (e) => log(progressLine(e)) });
    if (o.output === 'json') printJson(r);
    else
      for (const n of r.nodes)
        log(
          `${n.node.padEnd(12)} ${n.status === 'done' ? 'ok' : n.status.toUpperCase()}${n.error ? `  ${n.error}` : ''}\n`,
        );
    if (!r.ok) {
      const failed = r.nodes.find((n) => n.status === 'failed');
      throw new ExitError(
        `upgrade stopped${failed ? ` at ${failed.node} [${failed.step}]` : ''}; fix the cause and run labctl upgrade --to ${plan.target}${o.siteArgs ?? ''} --yes again: finished steps are not repeated`,
        1,
      );
    }
  } finally {
    unlock();
  }
}
