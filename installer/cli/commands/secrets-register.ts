// `labctl secrets ...`; the actions lazy-import ./secrets.ts (and through it the age library).
import type { Command } from 'commander';
import { typedSiteFlags } from '../site-args.ts';
import { inventoryOption, keyFileOption, outputOption, repoOption, repoOrHere, siteRepoOf } from '../options.ts';

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('the site secret store (age-encrypted, in <repo>/secrets/) and its delivery to the cluster');
  const key = () => keyFileOption('the site private key; writing needs it too, to check the recipients');
  const run = async <K extends string>(name: K, o: Record<string, unknown>) =>
    ((await import('./secrets.ts')) as unknown as Record<K, (o: unknown) => Promise<void>>)[name](o);
  // -r: given, else the folder that holds the inventory (commands with -i), else the current folder when it is a site repository.
  const withRepo = (o: Record<string, unknown>) => ({
    ...o,
    repo: (o.repo as string | undefined) ?? siteRepoOf(o.inventory as string),
  });
  const here = (command: string) => (o: Record<string, unknown>) => ({
    ...o,
    repo: repoOrHere(o.repo as string | undefined, command),
  });
  secrets
    .command('init')
    .description('create the site key (written once, outside the repo), secrets/recipients.txt and its confirmation')
    .addOption(repoOption(false))
    .addOption(key())
    .action((o, cmd: Command) => run('secretsInit', { ...here('secrets init')(o), flags: typedSiteFlags(cmd) }));
  secrets
    .command('generate')
    .description(
      'add a strong random value for every generatable entry the platform needs and the store lacks (render does this too)',
    )
    .addOption(inventoryOption())
    .addOption(repoOption())
    .addOption(key())
    .action((o, cmd: Command) => run('secretsGenerate', { ...withRepo(o), flags: typedSiteFlags(cmd) }));
  secrets
    .command('set')
    .description(
      'store ENTRY (one the platform reads) with the value typed at the terminal (not shown) or read from standard input; never from the command line',
    )
    .argument('<entry>', 'secret-store entry, e.g. bgp/tor-r1')
    .addOption(inventoryOption())
    .addOption(repoOption())
    .addOption(key())
    .option('--replace <entry>', 'replace an existing value; must repeat the entry name')
    .action((entry: string, o, cmd: Command) =>
      run('secretsSet', { ...withRepo(o), entry, flags: typedSiteFlags(cmd) }),
    );
  secrets
    .command('rotate')
    .description('replace a generated ENTRY with a new random value')
    .argument('<entry>', 'secret-store entry')
    .addOption(inventoryOption())
    .addOption(repoOption())
    .addOption(key())
    .option('--confirm <entry>', 'must repeat the entry name')
    .action((entry: string, o, cmd: Command) =>
      run('secretsRotate', { ...withRepo(o), entry, flags: typedSiteFlags(cmd) }),
    );
  secrets
    .command('list')
    .description('every entry the platform needs, whether the store has it, and the Secrets it feeds (no values)')
    .addOption(inventoryOption())
    .addOption(repoOption())
    .addOption(key())
    .addOption(outputOption())
    .action((o, cmd: Command) => run('secretsList', { ...withRepo(o), flags: typedSiteFlags(cmd) }));
  secrets
    .command('confirm')
    .description(
      'confirm entries as written by the site key holder (a store from before secrets/entries.confirmed, or an entry written outside labctl); shows what it confirms, never the value',
    )
    .argument('[entry...]', 'entry names (labctl secrets list shows the refused ones)')
    .addOption(repoOption(false))
    .addOption(key())
    .option('--all', 'every entry of the store (once, for a store made before entries were confirmed)')
    .action((entries: string[], o, cmd: Command) =>
      run('secretsConfirm', { ...here('secrets confirm')(o), entries, flags: typedSiteFlags(cmd) }),
    );
  secrets
    .command('apply')
    .description('decrypt the store and apply the Kubernetes Secrets (server-side apply)')
    .addOption(inventoryOption())
    .addOption(repoOption())
    .addOption(key())
    .option('--dry-run', 'list the Secrets and keys that would be applied; send nothing')
    .option(
      '--kubeconfig <file>',
      'kubeconfig (default: the admin kubeconfig labctl up wrote, <state-dir>/admin.conf; else $KUBECONFIG or ~/.kube/config)',
    )
    .option(
      '--state-dir <dir>',
      "labctl's state directory (default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site>)",
    )
    .option('--context <name>', 'kubeconfig context')
    .action((o, cmd: Command) => run('secretsApply', { ...withRepo(o), flags: typedSiteFlags(cmd) }));
  secrets
    .command('add-recipient')
    .description(
      'confirm one or more age public keys (a backup key) as recipients of the store; only the site key holder can. Then run secrets rekey',
    )
    .argument('<recipient...>', 'age public key(s), age1...')
    .addOption(repoOption(false))
    .addOption(key())
    .option('--note <text>', 'a comment written next to the recipient in recipients.txt (whose key, where it is kept)')
    .action((recipients: string[], o, cmd: Command) =>
      run('secretsAddRecipient', { ...here('secrets add-recipient')(o), recipients, flags: typedSiteFlags(cmd) }),
    );
  secrets
    .command('remove-recipient')
    .description('stop encrypting to an age public key (then run secrets rekey, and rotate what it could read)')
    .argument('<recipient...>', 'age public key(s), age1...')
    .addOption(repoOption(false))
    .addOption(key())
    .action((recipients: string[], o, cmd: Command) =>
      run('secretsRemoveRecipient', { ...here('secrets remove-recipient')(o), recipients, flags: typedSiteFlags(cmd) }),
    );
  secrets
    .command('rekey')
    .description('re-encrypt every entry to the confirmed recipients (after add-recipient or remove-recipient)')
    .addOption(repoOption(false))
    .addOption(key())
    .action((o, cmd: Command) => run('secretsRekey', { ...here('secrets rekey')(o), flags: typedSiteFlags(cmd) }));
}
