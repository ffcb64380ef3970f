// Registration of the commands that work on the servers over SSH: preflight, plan, up, reset, status.
// Each action lazy-imports its module so `labctl validate` never loads the SSH client.
import { Option, type Command } from 'commander';
import { inventoryOption, outputOption, siteRepoOf, seconds, count } from '../options.ts';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const nodesOption = () => new Option('--nodes <names>', 'only these nodes (comma separated)').argParser(list);
const concurrencyOption = (dflt = 16) =>
  new Option('--concurrency <n>', 'hosts worked on at the same time').default(dflt).argParser(count('--concurrency'));
const connectTimeoutOption = () =>
  new Option('--connect-timeout <seconds>', 'SSH connect timeout per host')
    .default(10)
    .argParser(seconds('--connect-timeout'));

export function registerClusterCommands(program: Command): void {
  program
    .command('preflight')
    .description(
      'check this machine (helm, kubectl, the site key), then every node over SSH (one round trip each): OS, kernel, cgroup v2, KVM, CPU/memory, swap, time, hostname, address, Ceph disks, ports; exit 1 if a must-pass check fails',
    )
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(nodesOption())
    // 64 = PREFLIGHT_CONCURRENCY (not imported: that would load the SSH client for every command)
    .addOption(concurrencyOption(64))
    .addOption(connectTimeoutOption())
    .addOption(stateDirOption())
    .addOption(
      new Option(
        '-r, --repo <dir>',
        "the site repository holding secrets/, whose confirmed recipients the site key must be among. Default: the inventory's folder",
      ),
    )
    .addOption(
      new Option(
        '-k, --key-file <file>',
        'the site private key (default: $LABCTL_AGE_KEY_FILE or ~/.config/labctl/site.agekey)',
      ),
    )
    .action(async (o) =>
      (await import('./preflight.ts')).preflightCommand({
        inventory: o.inventory,
        output: o.output,
        nodes: o.nodes,
        concurrency: o.concurrency,
        connectTimeout: o.connectTimeout,
        stateDir: o.stateDir,
        repo: o.repo,
        keyFile: o.keyFile,
      }),
    );
  registerBootstrapCommands(program);
}

const stateDirOption = () =>
  new Option(
    '--state-dir <dir>',
    'where the journal, the admin kubeconfig, logs and pinned SSH host keys live. Default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site> (never inside the site repository)',
  );

export function registerBootstrapCommands(program: Command): void {
  program
    .command('plan')
    .description('show the ordered steps per host that `up` would run (changes nothing, connects to nothing)')
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(nodesOption())
    .option('--scripts', 'also print every rendered step script')
    .addOption(
      new Option(
        '-r, --repo <dir>',
        "the site repository checkout holding secrets/, read for the credentials up needs. Default: the inventory's folder",
      ),
    )
    .addOption(
      new Option(
        '-k, --key-file <file>',
        'the site private key (default: $LABCTL_AGE_KEY_FILE or ~/.config/labctl/site.agekey)',
      ),
    )
    .action(async (o) =>
      (await import('./plan.ts')).planCommand({
        inventory: o.inventory,
        output: o.output,
        nodes: o.nodes,
        scripts: o.scripts,
        repo: o.repo,
        keyFile: o.keyFile,
      }),
    );

  program
    .command('up')
    .description(
      'run the plan over SSH: hosts in parallel, phases in order, every finished step journaled; a re-run resumes',
    )
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(nodesOption())
    .addOption(concurrencyOption())
    .addOption(connectTimeoutOption())
    .addOption(stateDirOption())
    .addOption(
      new Option('--step-timeout <seconds>', 'limit for every step instead of its own').argParser(
        seconds('--step-timeout'),
      ),
    )
    .option('--skip-preflight', 'do not run the preflight checks first')
    .option('--no-hand-over', 'stop after kubeadm (no CNI, ArgoCD, root Application)')
    .option(
      '--without-backup-credentials',
      'go on although the backup S3 keys or the restic password are not in the secret store: step 0037-etcd-snapshot is left out (no etcd snapshots until a later up)',
    )
    .addOption(
      new Option('--wait-timeout <seconds>', 'how long to wait for ArgoCD to converge')
        .default(1800)
        .argParser(seconds('--wait-timeout')),
    )
    .addOption(
      new Option(
        '-r, --repo <dir>',
        "the site repository checkout holding secrets/: the site CA certificate for the nodes (tls.mode internal-ca) and the Secrets delivered before the hand-over. Default: the inventory's folder",
      ),
    )
    .addOption(
      new Option(
        '-k, --key-file <file>',
        'the site private key (default: $LABCTL_AGE_KEY_FILE or ~/.config/labctl/site.agekey)',
      ),
    )
    .action(async (o) =>
      (await import('./up.ts')).upCommand({
        inventory: o.inventory,
        output: o.output,
        nodes: o.nodes,
        concurrency: o.concurrency,
        connectTimeout: o.connectTimeout,
        stateDir: o.stateDir,
        stepTimeout: o.stepTimeout,
        skipPreflight: o.skipPreflight,
        handOver: o.handOver,
        waitTimeout: o.waitTimeout,
        repo: o.repo ?? siteRepoOf(o.inventory),
        keyFile: o.keyFile,
        withoutBackupCredentials: o.withoutBackupCredentials,
      }),
    );

  program
    .command('reset')
    .description(
      "undo a node (kubeadm reset, labctl's files; never its disks) after an explicit confirmation naming it",
    )
    .argument('[node]', 'the node to reset')
    .option('--all', 'reset every node (confirm with the site name)')
    .option('--yes-reset <name>', 'confirmation without a prompt: the node name (or the site name with --all)')
    .option(
      '--yes-destroy-cluster <site>',
      'confirmation for resetting the last control plane (or --all), which destroys the cluster, its etcd data and every workload: the site name',
    )
    .addOption(inventoryOption())
    .addOption(stateDirOption())
    .addOption(connectTimeoutOption())
    .action(async (node: string | undefined, o) =>
      (await import('./reset.ts')).resetCommand({
        inventory: o.inventory,
        node,
        all: o.all,
        yesReset: o.yesReset,
        yesDestroyCluster: o.yesDestroyCluster,
        stateDir: o.stateDir,
        connectTimeout: o.connectTimeout,
      }),
    );

  program
    .command('status')
    .description("nodes, ArgoCD Applications and the platform's health signals (Ceph, BGP, certificates) in one table")
    .addHelpText(
      'after',
      '\nExit status: 0 when every node is reachable and every section is healthy (Applications Synced/Healthy,\nCeph HEALTH_OK, BGP sessions Established, certificates Ready); 1 when anything is unhealthy, unreachable\nor unavailable (no admin kubeconfig counts); 2 for a usage error.',
    )
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(stateDirOption())
    .addOption(connectTimeoutOption())
    .option('--kubeconfig <file>', 'kubeconfig to read the cluster with. Default: <state-dir>/admin.conf')
    .action(async (o) =>
      (await import('./status.ts')).statusCommand({
        inventory: o.inventory,
        output: o.output,
        stateDir: o.stateDir,
        kubeconfig: o.kubeconfig,
        connectTimeout: o.connectTimeout,
      }),
    );
}
