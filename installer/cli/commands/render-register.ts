// `labctl render` and `labctl diff`; the actions lazy-import ./render.ts.
import type { Command } from 'commander';
import { inventoryOption, keyFileOption, outOption, siteRepoOf } from '../options.ts';

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('write the site GitOps repository (app-of-apps) from the inventory')
    .addOption(inventoryOption())
    .addOption(outOption('output directory, the site repository checkout'))
    .option('--check', 'exit 1 and list the files when the directory differs from what would be rendered')
    .option('--overwrite', 'replace files in the directory that labctl did not write')
    .addOption(keyFileOption('the site private key, to add generated secrets to the store'))
    .action(async (o) =>
      (await import('./render.ts')).renderCommand({
        inventory: o.inventory,
        out: o.out ?? siteRepoOf(o.inventory),
        outGiven: o.out !== undefined,
        check: o.check,
        overwrite: o.overwrite,
        keyFile: o.keyFile,
      }),
    );
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description(
      'show, as a unified diff, what labctl render would change in the output directory (exit 0 either way; render --check exits 1 on a difference)',
    )
    .addOption(inventoryOption())
    .addOption(outOption('output directory'))
    .action(async (o) =>
      (await import('./render.ts')).diffCommand({ inventory: o.inventory, out: o.out ?? siteRepoOf(o.inventory) }),
    );
}
