// `labctl kubeconfig`; the action lazy-imports ./kubeconfig.ts.
import type { Command } from 'commander';
import { inventoryOption, keyFileOption } from '../options.ts';

export function registerKubeconfig(program: Command): void {
  program
    .command('kubeconfig')
    .description(
      "write a kubeconfig that logs in through the site's Keycloak (kubectl oidc-login plugin); for students and teachers",
    )
    .addOption(inventoryOption())
    .requiredOption('--user <name>', 'your login name (the kubeconfig user entry and context are named after it)')
    .option(
      '-o, --out <file>',
      'where to write it (refuses to replace an existing file unless --replace-file)',
      'kubeconfig',
    )
    .option('--replace-file', 'replace an existing kubeconfig file at --out')
    .option(
      '--namespace <ns>',
      "default namespace of the context: a lab's, course-<course>-<lab> (e.g. course-netsec-firewalls)",
    )
    .option(
      '--ca-file <file>',
      'cluster CA certificate (PEM) to embed (default: the certificate-authority-data of <state-dir>/admin.conf, the admin kubeconfig labctl up wrote, when it exists)',
    )
    .option(
      '--state-dir <dir>',
      'where labctl up keeps admin.conf. Default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site>',
    )
    .option(
      '--site-ca-file <file>',
      "tls.mode internal-ca sites: the site CA certificate (PEM) kubelogin must trust to reach Keycloak (default: read from the site's secret store with the site key)",
    )
    .addOption(keyFileOption('the site private key, to read the site CA certificate from the secret store'))
    .action(async (o) =>
      (await import('./kubeconfig.ts')).kubeconfigCommand({
        inventory: o.inventory,
        user: o.user,
        out: o.out,
        replaceFile: o.replaceFile,
        namespace: o.namespace,
        caFile: o.caFile,
        siteCaFile: o.siteCaFile,
        keyFile: o.keyFile,
        stateDir: o.stateDir,
      }),
    );
}
