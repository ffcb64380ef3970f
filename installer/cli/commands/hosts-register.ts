// `labctl hosts ...`: the SSH host keys labctl trusts (installer/ssh/host-keys.ts).
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/diagnostics.ts';
import { inventoryOption, outputOption } from '../options.ts';

export const TRUST_EXAMPLE =
  'labctl hosts trust cp1 -i inventory.yaml --fingerprint SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

export function registerHosts(program: Command): void {
  const hosts = program
    .command('hosts')
    .description('the SSH host keys labctl trusts: pinned on first contact, or from the inventory');
  const stateDir = () =>
    new Option(
      '--state-dir <dir>',
      'where the pinned keys (known_hosts) live. Default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site>',
    );
  hosts
    .command('list')
    .description('every node with the host key fingerprints labctl expects from it, and where they come from')
    .addOption(inventoryOption())
    .addOption(stateDir())
    .addOption(outputOption())
    .action(async (o) =>
      (await import('./hosts.ts')).hostsListCommand({ inventory: o.inventory, stateDir: o.stateDir, output: o.output }),
    );
  hosts
    .command('trust')
    .description(
      "accept the new host key of NODE (a reinstalled server) after checking its fingerprint on the server's console; the key the host shows must have exactly this fingerprint",
    )
    .argument('<node>', 'the node (inventory name)')
    .requiredOption(
      '--fingerprint <SHA256:...>',
      "the new key's fingerprint, as `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it on the server",
    )
    .addOption(inventoryOption())
    .addOption(stateDir())
    .addOption(
      new Option('--connect-timeout <seconds>', 'SSH connect timeout').default(10).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--connect-timeout ${v}: expected a whole number >= 1`);
        return n;
      }),
    )
    .addHelpText(
      'after',
      `\nExample (run on the admin machine after reading the fingerprint on cp1's console):\n  ${TRUST_EXAMPLE}\n`,
    )
    .action(async (node: string, o) =>
      (await import('./hosts.ts')).hostsTrustCommand({
        node,
        fingerprint: o.fingerprint,
        inventory: o.inventory,
        stateDir: o.stateDir,
        connectTimeout: o.connectTimeout,
      }),
    );
}
