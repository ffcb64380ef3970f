import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { Journal, defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import { resetNodes } from '../../cluster/reset.ts';
import { loadSite } from './cluster-common.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';

export interface ResetOptions { inventory: string; node?: string; all?: boolean; yesReset?: string; stateDir?: string; connectTimeout: number }

/**
 * `labctl reset NODE|--all`: the confirmation must name what is reset: the node name (or, for --all, the
 * site name), typed at the prompt or given as --yes-reset. A bare "yes" is not enough.
 */
export async function resetCommand(o: ResetOptions): Promise<void> {
  const site = loadSite(o.inventory);
  if (!!o.node === !!o.all) throw new UsageError('reset: name one node, or --all');
  if (o.node && !site.nodes.some((n) => n.name === o.node)) throw new UsageError(`reset: unknown node ${o.node} (nodes: ${site.nodes.map((n) => n.name).join(', ')})`);
  const expected = o.all ? site.site.name : o.node!;
  const targets = o.all ? site.nodes.map((n) => n.name) : [o.node!];
  let answer = o.yesReset;
  if (answer === undefined) {
    if (!process.stdin.isTTY) throw new UsageError(`reset needs a confirmation: --yes-reset ${expected}`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    answer = (await rl.question(`This runs kubeadm reset and removes the Kubernetes state of ${targets.join(', ')} (disks are not touched).\nType ${o.all ? 'the site name' : 'the node name'} (${expected}) to go on: `)).trim();
    rl.close();
  }
  if (answer !== expected) throw new UsageError(`reset: confirmation "${answer}" does not match ${expected}; nothing was changed`);
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const unlock = lockStateDir(stateDir);
  try {
    const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
    const res = await resetNodes(site, targets, journal, { connectTimeoutMs: o.connectTimeout * 1000, knownHosts: join(stateDir, PIN_FILE) });
    for (const r of res) process.stdout.write(`${r.node}: ${r.ok ? 'reset' : `FAILED: ${r.error}`}\n`);
    const bad = res.filter((r) => !r.ok);
    if (bad.length) throw new ExitError(`reset failed on ${bad.map((r) => r.node).join(', ')}`, 1);
  } finally {
    unlock();
  }
}
