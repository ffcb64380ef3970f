import { join } from 'node:path';
import { ExitError } from '../../core/diagnostics.ts';
import { buildPlan } from '../../cluster/plan.ts';
import { runPlan, type UpEvent } from '../../cluster/apply.ts';
import { runPreflight } from '../../cluster/run-preflight.ts';
import { Journal, defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import { handOver } from '../../cluster/handover.ts';
import { redact } from '../../ssh/redact.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite, pickNodes } from './cluster-common.ts';
import { siteCaCertificate } from '../../cluster/site-ca.ts';

export interface UpOptions {
  inventory: string; output: OutputFormat; nodes?: string[]; concurrency: number; connectTimeout: number;
  stateDir?: string; stepTimeout?: number; skipPreflight?: boolean; handOver: boolean; waitTimeout: number;
  repo?: string; keyFile?: string;
}

export { defaultStateDir };

/** One line per event: time, host, step, what happened. Secrets are redacted by runPlan already. */
export function progressLine(e: UpEvent): string {
  const t = new Date().toISOString().slice(11, 19);
  const what = e.kind === 'done' ? `done${e.ms !== undefined ? ` (${(e.ms / 1000).toFixed(1)} s)` : ''}`
    : e.kind === 'skipped' ? `skipped (${e.message})`
      : e.kind === 'failed' ? `FAILED: ${e.message}`
        : e.kind === 'blocked' ? `not run: ${e.message}`
          : e.kind === 'note' ? `  ${e.message}` : 'started';
  return `${t} ${e.node.padEnd(12)} ${e.step.padEnd(32)} ${what}\n`;
}

export async function upCommand(o: UpOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const only = pickNodes(site, o.nodes);
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const unlock = lockStateDir(stateDir);
  const log = (s: string) => { if (o.output === 'text') process.stdout.write(redact(s)); };
  try {
    const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
    const cluster = { concurrency: o.concurrency, connectTimeoutMs: o.connectTimeout * 1000, knownHosts: join(stateDir, PIN_FILE) };
    const exclude = new Map<string, { step: string; reason: string }>();
    if (!o.skipPreflight) {
      const pre = await runPreflight(site, cluster, only);
      for (const h of pre.hosts) {
        const failed = h.checks.filter((c) => c.status === 'fail');
        if (failed.length) exclude.set(h.node, { step: 'preflight', reason: failed.map((c) => `${c.id}: ${c.reason}`).join('; ') });
      }
      log(`preflight: ${pre.hosts.length - exclude.size} of ${pre.hosts.length} node(s) ready${exclude.size ? `; not working on ${[...exclude.keys()].join(', ')}` : ''}\n`);
    }
    const plan = buildPlan(site, only);
    const inputs = await siteCaCertificate(site, o.repo ?? 'site', o.keyFile, (m) => log(`${m}\n`));
    const r = await runPlan(site, plan, journal, { ...cluster, stepTimeoutSec: o.stepTimeout, exclude, inputs, onEvent: (e) => log(progressLine(e)) });
    let handOverResult: { converged: boolean; message: string } | undefined;
    if (o.handOver && r.initDone && r.hosts.find((h) => h.node === plan.firstControlPlane)?.status === 'done') {
      try {
        handOverResult = await handOver(site, { ...cluster, stateDir, waitTimeoutMs: o.waitTimeout * 1000, log: (l) => log(`${l}\n`) });
      } catch (e) {
        handOverResult = { converged: false, message: `hand-over failed: ${redact((e as Error).message)}` };
      }
    }
    if (o.output === 'json') {
      printJson({ ok: r.ok && (handOverResult?.converged ?? true), hosts: r.hosts, handOver: handOverResult ?? null, journal: journal.file });
    } else {
      process.stdout.write('\n');
      for (const h of r.hosts) {
        process.stdout.write(`${h.node.padEnd(12)} ${h.status === 'done' ? 'ok' : h.status.toUpperCase()}${h.error ? `  ${h.error}` : ''}  (ran ${h.ran.length}, already done ${h.skipped.length})\n`);
      }
      if (handOverResult) process.stdout.write(`hand-over: ${handOverResult.message}\n`);
      else if (!r.initDone) process.stdout.write(`hand-over: not started (needs ${plan.firstControlPlane} 0050-kubeadm-init)\n`);
    }
    const failed = r.hosts.filter((h) => h.status !== 'done');
    if (failed.length || (handOverResult && !handOverResult.converged)) {
      throw new ExitError(o.output === 'json' ? '' : `up did not finish: ${failed.map((h) => `${h.node} (${h.step})`).join(', ') || handOverResult?.message}; fix the cause and run labctl up again: finished steps are not repeated`, 1);
    }
  } finally {
    unlock();
  }
}
