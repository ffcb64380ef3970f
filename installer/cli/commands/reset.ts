import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { Journal, defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import { destroysCluster, resetNodes } from '../../cluster/reset.ts';
import { loadSite } from './cluster-common.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';

export interface ResetOptions {
  inventory: string;
  node?: string;
  all?: boolean;
  yesReset?: string;
  yesDestroyCluster?: string;
  stateDir?: string;
  connectTimeout: number;
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * `labctl reset NODE|--all`: the confirmation must name what is reset: the node name (or, for --all, the
 * site name), typed at the prompt or given as --yes-reset. A bare "yes" is not enough. Resetting the last
 * control plane ends the cluster itself: that needs --yes-destroy-cluster SITE (or the site name typed
 * after a warning saying what is destroyed); --yes-reset alone does not do it.
 */
export async function resetCommand(o: ResetOptions): Promise<void> {
  const site = loadSite(o.inventory);
  if (!!o.node === !!o.all) throw new UsageError('reset: name one node, or --all');
  if (o.node && !site.nodes.some((n) => n.name === o.node))
    throw new UsageError(`reset: unknown node ${o.node} (nodes: ${site.nodes.map((n) => n.name).join(', ')})`);
  const targets = o.all ? site.nodes.map((n) => n.name) : [o.node!];
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const unlock = lockStateDir(stateDir);
  try {
    const journal = Journal.open(join(stateDir, 'journal.json'), site.site.name);
    const lastCps = destroysCluster(site, targets, journal);
    const name = site.site.name;
    if (lastCps) {
      const warning = `${lastCps.join(', ')} ${lastCps.length === 1 ? 'is' : 'are'} the last control plane${lastCps.length === 1 ? '' : 's'} of site ${name}: resetting ${targets.length === 1 ? 'it' : 'them'} DESTROYS THE CLUSTER: its etcd data (every Kubernetes object, ArgoCD's state, every Secret applied) and every workload on it. Ceph data on the OSD disks stays on the disks but no cluster is left to read it; a new cluster starts empty (labctl up, then labctl secrets apply).`;
      let answer = o.yesDestroyCluster;
      if (answer === undefined) {
        if (!process.stdin.isTTY)
          throw new UsageError(
            `${warning}\nreset of the last control plane needs: --yes-destroy-cluster ${name}; nothing was changed`,
          );
        answer = await ask(`${warning}\nType the site name (${name}) to destroy the cluster: `);
      }
      if (answer !== name)
        throw new UsageError(
          `reset: confirmation "${answer}" does not match the site name ${name}; nothing was changed`,
        );
      process.stderr.write(`${warning}\nconfirmed: destroying the cluster of site ${name}\n`);
    } else {
      const expected = o.all ? name : o.node!;
      let answer = o.yesReset;
      if (answer === undefined) {
        if (!process.stdin.isTTY) throw new UsageError(`reset needs a confirmation: --yes-reset ${expected}`);
        answer = await ask(
          `This runs kubeadm reset and removes the Kubernetes state of ${targets.join(', ')} (disks are not touched).\nType ${o.all ? 'the site name' : 'the node name'} (${expected}) to go on: `,
        );
      }
      if (answer !== expected)
        throw new UsageError(`reset: confirmation "${answer}" does not match ${expected}; nothing was changed`);
    }
    const res = await resetNodes(site, targets, journal, {
      connectTimeoutMs: o.connectTimeout * 1000,
      knownHosts: join(stateDir, PIN_FILE),
    });
    for (const r of res) process.stdout.write(`${r.node}: ${r.ok ? 'reset' : `FAILED: ${r.error}`}\n`);
    const bad = res.filter((r) => !r.ok);
    if (bad.length) throw new ExitError(`reset failed on ${bad.map((r) => r.node).join(', ')}`, 1);
  } finally {
    unlock();
  }
}
