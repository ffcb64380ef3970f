import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { Problem } from '../../core/diagnostics.ts';
import { defaultStateDir } from '../../cluster/journal.ts';
import { loadChosenKubeconfig } from '../../cluster/kube-access.ts';
import { StepRunner } from '../../cluster/upgrade/run.ts';
import type { Site } from '../../inventory/types.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';
import { redact } from '../../ssh/redact.ts';
import { formatBackupNowPlan, formatListing } from '../../backup/format.ts';
import { listAll, planBackupNow, runBackupNow, type Remote } from '../../backup/run.ts';
import { requireBackup } from '../../backup/settings.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite } from './cluster-common.ts';

export interface BackupCommonOptions {
  inventory: string;
  output: OutputFormat;
  stateDir?: string;
  kubeconfig?: string;
  connectTimeout: number;
}

/** What a backup command works with: the site (with its backup: section), the cluster's API and SSH to the nodes. */
export interface BackupContext {
  site: Site;
  kc: k8s.KubeConfig;
  remote: Remote;
  close(): void;
}

export function backupContext(o: BackupCommonOptions): BackupContext {
  const site = loadSite(o.inventory);
  requireBackup(site);
  return contextFor(site, o);
}

/** The context of an already loaded site (the CLI loads it from -i; tests hand one in). */
export function contextFor(site: Site, o: Omit<BackupCommonOptions, 'inventory' | 'output'>): BackupContext {
  requireBackup(site);
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const kc = loadChosenKubeconfig({ kubeconfig: o.kubeconfig, stateDir });
  if (typeof kc === 'string') throw new Problem(kc);
  const runner = new StepRunner(site, {
    connectTimeoutMs: o.connectTimeout * 1000,
    knownHosts: join(stateDir, PIN_FILE),
  });
  return { site, kc, remote: runner, close: () => runner.close() };
}

const logger = (o: { output: OutputFormat }) => (s: string) => {
  if (o.output === 'text') process.stdout.write(redact(s));
};

export async function backupListCommand(o: BackupCommonOptions, ctx = backupContext(o)): Promise<void> {
  try {
    const l = await listAll(ctx.site, ctx.kc, ctx.remote);
    if (o.output === 'json') printJson(l);
    else process.stdout.write(formatListing(l));
    if ('error' in l.etcd) throw new Problem(`etcd snapshots could not be listed on ${l.etcd.node}: ${l.etcd.error}`);
  } finally {
    ctx.close();
  }
}

export interface BackupNowOptions extends BackupCommonOptions {
  yes: boolean;
  wait: boolean;
  waitTimeout: number;
  /** Between polls while waiting (tests shorten it). */
  pollMs?: number;
}

export async function backupNowCommand(o: BackupNowOptions, ctx = backupContext(o), now = new Date()): Promise<void> {
  const log = logger(o);
  try {
    const plan = await planBackupNow(ctx.site, ctx.kc, now);
    if (!plan.backups.length)
      throw new Problem(
        'there are no Velero Schedules in namespace velero: is the velero component rendered (backup: in the inventory) and synced? (labctl status)',
      );
    log(formatBackupNowPlan(plan));
    if (!o.yes) {
      if (o.output === 'json') printJson({ plan, ran: false });
      log('\nnothing changed; to take them: the same command with --yes\n');
      return;
    }
    const r = await runBackupNow(ctx.kc, ctx.remote, plan, {
      waitSec: o.wait ? o.waitTimeout : undefined,
      pollMs: o.pollMs,
      log,
    });
    if (o.output === 'json') printJson({ plan, ran: true, result: r });
    const bad = Object.entries(r.phases ?? {}).filter(([, p]) => p !== 'Completed');
    const problems = [
      ...(r.etcd.ok ? [] : [`the etcd snapshot on ${r.etcd.node} failed: ${r.etcd.error}`]),
      ...(r.waitTimedOut
        ? [
            `not finished after ${o.waitTimeout} s: ${bad.map(([n, p]) => `${n} ${p}`).join(', ')} (labctl backup list shows them later)`,
          ]
        : bad.length
          ? [`${bad.map(([n, p]) => `${n} ended ${p}`).join(', ')} (velero backup logs NAME says why)`]
          : []),
    ];
    if (problems.length) throw new Problem(problems.join('; '));
    log(o.wait ? 'all backups completed\n' : 'the Backups run in Velero now: labctl backup list shows their phase\n');
  } finally {
    ctx.close();
  }
}
