// Day-two cluster commands: `labctl upgrade` (Kubernetes, one minor at a time) and `labctl remove NODE`.
// Adding a node needs no command of its own: `labctl up` joins the nodes that are not members yet.
import { Option, type Command } from 'commander';
import { inventoryOption, outputOption, seconds, count } from '../options.ts';
import { siteArgs, typedSiteFlags } from '../site-args.ts';

const stateDirOption = () =>
  new Option(
    '--state-dir <dir>',
    'where the journal and pinned SSH host keys live. Default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site name>',
  );
const connectTimeoutOption = () =>
  new Option('--connect-timeout <seconds>', 'SSH connect timeout per host')
    .default(10)
    .argParser(seconds('--connect-timeout'));
const drainTimeoutOption = () =>
  new Option('--drain-timeout <seconds>', 'kubectl drain --timeout per node')
    .default(600)
    .argParser(seconds('--drain-timeout'));

export const UPGRADE_EXAMPLE = 'labctl upgrade --to v1.36.4 -i inventory.yaml';
// Plan first (the project's rule: show a plan before changing anything), then the same with the confirmation.
export const REMOVE_PLAN_EXAMPLE = 'labctl remove w3 -i inventory.yaml';
export const REMOVE_YES_EXAMPLE = 'labctl remove w3 -i inventory.yaml --yes-remove w3';

export function registerDay2(program: Command): void {
  program
    .command('upgrade')
    .description(
      'upgrade Kubernetes on every node, one minor at a time: shows the plan; with --yes runs it (control planes one by one, then workers in batches; cordon, drain, packages, kubelet, uncordon; journaled and resumable)',
    )
    .requiredOption('--to <version>', "the target release, e.g. v1.36.4; must be the inventory's kubernetes.version")
    .option('--yes', 'run the plan (without it only the plan is shown)')
    .addOption(
      new Option('--batch-size <n>', 'worker nodes (neither control plane nor storage) upgraded at the same time')
        .default(2)
        .argParser(count('--batch-size')),
    )
    .addOption(drainTimeoutOption())
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(stateDirOption())
    .addOption(connectTimeoutOption())
    .addHelpText('after', `\nExample (shows the plan; add --yes to run it):\n  ${UPGRADE_EXAMPLE}\n`)
    .action(async (o, cmd: Command) =>
      (await import('./upgrade.ts')).upgradeCommand({
        to: o.to,
        yes: !!o.yes,
        batchSize: o.batchSize,
        drainTimeout: o.drainTimeout,
        inventory: o.inventory,
        output: o.output,
        stateDir: o.stateDir,
        connectTimeout: o.connectTimeout,
        siteArgs: siteArgs(typedSiteFlags(cmd), { inventory: true, stateDir: true }),
      }),
    );
  program
    .command('remove')
    .description(
      'take NODE out of the cluster: refused while the control plane would lose quorum or Ceph its redundancy; else drain, Ceph OSDs out and rebalanced, kubeadm reset, Node deleted; then prints the inventory lines to delete',
    )
    .argument('<node>', 'the node (inventory name)')
    .option('--yes-remove <node>', 'the confirmation: the same node name (without it only the plan is shown)')
    .addOption(drainTimeoutOption())
    .addOption(
      new Option('--rebalance-timeout <seconds>', "how long to wait for Ceph to move the data off the node's OSDs")
        .default(3600)
        .argParser(seconds('--rebalance-timeout')),
    )
    .addOption(
      new Option('--rebalance-interval <seconds>', 'how often to ask Ceph (osd safe-to-destroy) during that wait')
        .default(10)
        .argParser(seconds('--rebalance-interval')),
    )
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(stateDirOption())
    .addOption(connectTimeoutOption())
    .addHelpText(
      'after',
      `\nExamples (the first only shows the plan and changes nothing; after reading it, the second runs it):\n  ${REMOVE_PLAN_EXAMPLE}\n  ${REMOVE_YES_EXAMPLE}\n`,
    )
    .action(async (node: string, o, cmd: Command) =>
      (await import('./remove.ts')).removeCommand({
        node,
        yesRemove: o.yesRemove,
        drainTimeout: o.drainTimeout,
        rebalanceTimeout: o.rebalanceTimeout,
        rebalanceInterval: o.rebalanceInterval,
        inventory: o.inventory,
        output: o.output,
        stateDir: o.stateDir,
        connectTimeout: o.connectTimeout,
        siteArgs: siteArgs(typedSiteFlags(cmd), { inventory: true, stateDir: true }),
      }),
    );
}
