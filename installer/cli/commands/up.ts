import { dirname, join } from 'node:path';
import { ExitError } from '../../core/diagnostics.ts';
import { buildPlan } from '../../cluster/plan.ts';
import { runPlan } from '../../cluster/apply.ts';
import { runPreflight } from '../../cluster/run-preflight.ts';
import { Journal, defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import { handOver } from '../../cluster/handover.ts';
import { lineProgress, ttyProgress } from '../../cluster/progress.ts';
import { REPO_CREDENTIAL, prepareDelivery, repoNeedsCredentials, waitingText } from '../../cluster/deliver-secrets.ts';
import { redact, registerSecret } from '../../ssh/redact.ts';
import { localChecks, localTable } from '../../cluster/local-preflight.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite, pickNodes } from './cluster-common.ts';
import { siteCaCertificate } from '../../cluster/site-ca.ts';
import {
  WITHOUT_BACKUP_CREDENTIALS,
  etcdBackupInputs,
  missingBackupCredentials,
  withoutEtcdSnapshot,
} from '../../cluster/etcd-snapshot.ts';
import { coverCredentials } from '../../cluster/credential-digest.ts';
import type { Site } from '../../inventory/types.ts';
import { shellWord, siteArgs } from '../../core/shell-words.ts';

export interface UpOptions {
  inventory: string;
  output: OutputFormat;
  nodes?: string[];
  concurrency: number;
  connectTimeout: number;
  stateDir?: string;
  stepTimeout?: number;
  skipPreflight?: boolean;
  handOver: boolean;
  waitTimeout: number;
  repo?: string;
  keyFile?: string;
  /** Go on while the backup credentials are missing: step 0037-etcd-snapshot is left out (noted). */
  withoutBackupCredentials?: boolean;
}

export { defaultStateDir };
export { progressLine } from '../../cluster/progress.ts';

/** Seconds between "still running" lines when the output is not a terminal (LABCTL_PROGRESS_SECONDS). */
const heartbeatMs = () =>
  (Number(process.env.LABCTL_PROGRESS_SECONDS) > 0 ? Number(process.env.LABCTL_PROGRESS_SECONDS) : 30) * 1000;

/**
 * The platform's Secrets, delivered before the hand-over waits on ArgoCD. Stops (throws) with the next
 * command when the site key cannot be read or when ArgoCD could not pull the site repository.
 */
export async function deliverPlatformSecrets(
  site: Site,
  o: UpOptions,
  repo: string,
  kubeconfig: string,
  log: (s: string) => void,
): Promise<void> {
  // Each suggested command with the site flags as given, quoted for the shell it is pasted into.
  const flags = { inventory: o.inventory, repo, keyFile: o.keyFile };
  const again = `then run labctl up${siteArgs(flags)} again (finished steps are not repeated)`;
  const { SecretStore, defaultKeyFile } = await import('../../secrets/store.ts');
  const { buildComponents, renderContext } = await import('../../render/render.ts');
  const { readRenderInputs } = await import('../../render/inputs.ts');
  const { applySecrets } = await import('../../secrets/apply.ts');
  const needs = buildComponents(renderContext(site, readRenderInputs(site))).flatMap((c) => c.secrets ?? []);
  const store = new SecretStore(repo, { keyFile: o.keyFile ?? defaultKeyFile() });
  if (!store.has(REPO_CREDENTIAL)) {
    const why = await repoNeedsCredentials(site.site.gitRepo);
    if (why)
      throw new Error(
        `ArgoCD needs credentials to pull the site repository (${why}) and the secret store in ${repo} has no ${REPO_CREDENTIAL}. Store it, ${again}: labctl secrets set ${REPO_CREDENTIAL}${siteArgs(flags)}`,
      );
    log(`secrets: ${site.site.gitRepo} is readable without credentials; ArgoCD pulls it anonymously`);
  }
  let d: Awaited<ReturnType<typeof prepareDelivery>>;
  try {
    d = await prepareDelivery(needs, store);
  } catch (e) {
    throw new Error(
      `cannot read the secret store in ${repo} to deliver the platform's Secrets: ${(e as Error).message}. Next: labctl up${siteArgs({ ...flags, keyFile: undefined })} -k KEYFILE (or, where the site key is: labctl secrets apply${siteArgs({ ...flags, keyFile: undefined })} --kubeconfig ${shellWord(kubeconfig)}), ${again}`,
    );
  }
  const applied = await applySecrets(d.objects, { kubeconfig });
  log(
    `secrets: applied ${applied.length} Secrets/ConfigMaps from ${repo}${d.waiting.length ? `; ${d.waiting.length} wait (labctl secrets apply once they are set):` : ''}`,
  );
  for (const l of waitingText(d.waiting)) log(`  ${l}`);
}

export async function upCommand(o: UpOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const only = pickNodes(site, o.nodes);
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const repo = o.repo ?? dirname(o.inventory);
  const unlock = lockStateDir(stateDir);
  const log = (s: string) => {
    if (o.output === 'text') process.stdout.write(redact(s));
  };
  try {
    const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
    const cluster = {
      concurrency: o.concurrency,
      connectTimeoutMs: o.connectTimeout * 1000,
      knownHosts: join(stateDir, PIN_FILE),
    };
    // Read on this machine before any host is touched: missing backup credentials would otherwise only stop
    // every control plane at 0037-etcd-snapshot, after everything before it has run.
    const backupInputs = await etcdBackupInputs(site, repo, o.keyFile);
    const missingBackup = missingBackupCredentials(backupInputs, { inventory: o.inventory, repo, keyFile: o.keyFile });
    if (missingBackup && !o.withoutBackupCredentials)
      throw new ExitError(`${missingBackup}\nNo server was touched.`, 1);
    if (missingBackup)
      log(
        `etcd snapshots: not installed this run (${WITHOUT_BACKUP_CREDENTIALS}); missing ${backupInputs.missing.join(', ')}\n`,
      );
    const exclude = new Map<string, { step: string; reason: string }>();
    if (!o.skipPreflight) {
      // This machine first (helm and kubectl only matter for the hand-over): nothing is touched on a failure.
      const local = (await localChecks(site, { repo, keyFile: o.keyFile })).filter(
        (c) => o.handOver || c.id === 'site-key',
      );
      const bad = local.filter((c) => c.status === 'fail');
      if (bad.length)
        throw new ExitError(
          `preflight of this machine failed; no server was touched:\n${localTable(bad).trimEnd()}`,
          1,
        );
      const pre = await runPreflight(site, cluster, only);
      for (const h of pre.hosts) {
        const failed = h.checks.filter((c) => c.status === 'fail');
        if (failed.length)
          exclude.set(h.node, { step: 'preflight', reason: failed.map((c) => `${c.id}: ${c.reason}`).join('; ') });
      }
      log(
        `preflight: ${pre.hosts.length - exclude.size} of ${pre.hosts.length} node(s) ready${exclude.size ? `; not working on ${[...exclude.keys()].join(', ')}` : ''}\n`,
      );
    }
    const full = buildPlan(site, only);
    const plan = missingBackup
      ? withoutEtcdSnapshot(
          full,
          `${WITHOUT_BACKUP_CREDENTIALS}: the secret store lacks ${backupInputs.missing.join(', ')}`,
        )
      : full;
    const inputs = {
      ...(await siteCaCertificate(site, repo, o.keyFile, (m) => log(`${m}\n`))),
      ...backupInputs.values,
    };
    // Never printed: every line labctl prints goes through redact().
    for (const v of [inputs.backupS3AccessKey, inputs.backupS3SecretKey, inputs.backupEtcdPassword])
      if (v) registerSecret(v);
    coverCredentials(plan, inputs); // a rotated S3 key or password re-runs the snapshot step
    const logDir = join(stateDir, 'logs');
    log(`step output is kept in ${logDir}/<host>/<step>.log\n`);
    const hosts = [...new Set(plan.phases.flatMap((p) => p.hosts.map((h) => h.node)))];
    const progress =
      o.output !== 'text' ? undefined : process.stdout.isTTY ? ttyProgress(hosts) : lineProgress(log, heartbeatMs());
    let r: Awaited<ReturnType<typeof runPlan>> | undefined;
    try {
      r = await runPlan(site, plan, journal, {
        ...cluster,
        stepTimeoutSec: o.stepTimeout,
        exclude,
        inputs,
        logDir,
        onEvent: (e) => progress?.event(e),
      });
    } finally {
      await progress?.end(
        new Map((r?.hosts ?? []).filter((h) => h.status !== 'done').map((h) => [h.node, h.error ?? h.status])),
      );
    }
    let handOverResult: { converged: boolean; message: string } | undefined;
    if (o.handOver && r.initDone && r.hosts.find((h) => h.node === plan.firstControlPlane)?.status === 'done') {
      try {
        handOverResult = await handOver(site, {
          ...cluster,
          stateDir,
          waitTimeoutMs: o.waitTimeout * 1000,
          log: (l) => log(`${l}\n`),
          deliver: (kubeconfig) => deliverPlatformSecrets(site, o, repo, kubeconfig, (l) => log(`${l}\n`)),
        });
      } catch (e) {
        handOverResult = { converged: false, message: `hand-over stopped: ${redact((e as Error).message)}` };
      }
    }
    if (o.output === 'json') {
      printJson({
        ok: r.ok && (handOverResult?.converged ?? true),
        hosts: r.hosts,
        handOver: handOverResult ?? null,
        journal: journal.file,
        logs: logDir,
      });
    } else {
      process.stdout.write('\n');
      for (const h of r.hosts) {
        process.stdout.write(
          `${h.node.padEnd(12)} ${h.status === 'done' ? 'ok' : h.status.toUpperCase()}${h.error ? `  ${h.error}` : ''}  (ran ${h.ran.length}, already done ${h.skipped.length})\n`,
        );
      }
      if (handOverResult) process.stdout.write(`hand-over: ${handOverResult.message}\n`);
      else if (!r.initDone)
        process.stdout.write(`hand-over: not started (needs ${plan.firstControlPlane} 0050-kubeadm-init)\n`);
    }
    const failed = r.hosts.filter((h) => h.status !== 'done');
    if (failed.length || (handOverResult && !handOverResult.converged)) {
      throw new ExitError(
        o.output === 'json'
          ? ''
          : `up did not finish: ${failed.map((h) => `${h.node} (${h.step})`).join(', ') || handOverResult?.message}; fix the cause and run labctl up again: finished steps are not repeated`,
        1,
      );
    }
  } finally {
    unlock();
  }
}
