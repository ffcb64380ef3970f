// `labctl backup now|list` and `labctl restore`: Velero Backups and Restores through the Kubernetes API
// (the admin kubeconfig), etcd snapshots over SSH on the first control plane. Each shows its plan and
// changes nothing without --yes.
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/diagnostics.ts';
import { inventoryOption, outputOption, seconds } from '../options.ts';

const common = (c: Command) =>
  c
    .addOption(inventoryOption())
    .addOption(outputOption())
    .addOption(
      new Option(
        '--state-dir <dir>',
        'where the admin kubeconfig and pinned SSH host keys live. Default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site name>',
      ),
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig to reach the cluster with. Default: <state-dir>/admin.conf, else $KUBECONFIG or ~/.kube/config (as labctl secrets apply)',
    )
    .addOption(
      new Option('--connect-timeout <seconds>', 'SSH connect timeout')
        .default(10)
        .argParser(seconds('--connect-timeout')),
    );

export const BACKUP_LIST_EXAMPLE = 'labctl backup list -i inventory.yaml';
// Plan first (show a plan before changing anything), then the same with --yes.
export const BACKUP_NOW_PLAN_EXAMPLE = 'labctl backup now -i inventory.yaml';
export const BACKUP_NOW_EXAMPLE = 'labctl backup now -i inventory.yaml --yes --wait';
export const RESTORE_PLAN_EXAMPLE = 'labctl restore --plan --namespace course-netsec-firewalls -i inventory.yaml';
export const RESTORE_YES_EXAMPLE = 'labctl restore --yes --namespace course-netsec-firewalls -i inventory.yaml';

export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('Velero backups and etcd snapshots of the site: list them, or take one of each now');
  common(
    backup
      .command('list')
      .description(
        "list the Velero Backups (schedule, phase, times, expiry, errors/warnings, namespaces) and the etcd snapshots in the site's restic repository (read on the first control plane over SSH)",
      ),
  )
    .addHelpText('after', `\nExample:\n  ${BACKUP_LIST_EXAMPLE}\n`)
    .action(async (o) => (await import('./backup.ts')).backupListCommand(o));
  common(
    backup
      .command('now')
      .description(
        'shows the plan: one Velero Backup per Schedule (like velero backup create --from-schedule) and an etcd snapshot on the first control plane; with --yes takes them',
      )
      .option('--yes', 'take the backups (without it only the plan is shown)')
      .option('--wait', 'wait until the Velero Backups finish, showing their progress'),
  )
    .addOption(
      new Option('--wait-timeout <seconds>', 'how long --wait waits')
        .default(3600)
        .argParser(seconds('--wait-timeout')),
    )
    .addHelpText(
      'after',
      `\nExamples (the first only shows the plan; the second takes both, then waits for the Velero Backups):\n  ${BACKUP_NOW_PLAN_EXAMPLE}\n  ${BACKUP_NOW_EXAMPLE}\n`,
    )
    .action(async (o) => (await import('./backup.ts')).backupNowCommand({ ...o, yes: !!o.yes, wait: !!o.wait }));

  common(
    program
      .command('restore')
      .description(
        'restore namespaces from Velero backups: --plan (the default) shows which backup each comes from and what exists now and stays as it is; --yes creates the Restore and waits for it. Existing objects are never overwritten',
      )
      .option('--plan', 'show the plan only (the default)')
      .option('--yes', 'create the Velero Restore(s) of the plan and wait for them')
      .option(
        '--from <backup>',
        'restore from this backup (default: the newest Completed, unexpired one holding each namespace)',
      )
      .addOption(
        new Option(
          '--namespace <ns>',
          'a namespace to restore (repeat for more). None: everything in the newest usable backup of each schedule',
        ).argParser((v: string, prev: string[] | undefined) => {
          if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v))
            throw new UsageError(
              `--namespace ${v}: not a Kubernetes namespace name (lowercase letters, digits and -, at most 63)`,
            );
          return [...(prev ?? []), v];
        }),
      ),
  )
    .addOption(
      new Option('--wait-timeout <seconds>', 'how long to wait for the Restore(s)')
        .default(3600)
        .argParser(seconds('--wait-timeout')),
    )
    .addHelpText(
      'after',
      `\nExamples (the first only shows the plan; the second runs it):\n  ${RESTORE_PLAN_EXAMPLE}\n  ${RESTORE_YES_EXAMPLE}\n`,
    )
    .action(async (o) => {
      if (o.plan && o.yes) throw new UsageError('restore: --plan and --yes exclude each other');
      return (await import('./restore.ts')).restoreCommand({ ...o, yes: !!o.yes, namespace: o.namespace ?? [] });
    });
}
