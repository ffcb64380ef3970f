// Every labctl command, registered in one place. Each action lazy-imports its module so that
// `labctl validate` does not load the SSH or Kubernetes clients.
import type { Command } from 'commander';
import { inventoryOption, outputOption } from '../options.ts';

export function registerCommands(program: Command): void {
  program.command('validate')
    .description('check an inventory file offline (schema and semantic rules); exit 0 valid, 1 invalid, 2 usage')
    .argument('[file]', 'inventory file', 'inventory.yaml')
    .addOption(outputOption())
    .action(async (file: string, o) => (await import('./validate.ts')).validateCommand({ file, output: o.output }));

  program.command('doctor')
    .description('show which tools labctl can use here, with versions')
    .addOption(outputOption())
    .action(async (o) => (await import('./doctor.ts')).doctorCommand({ output: o.output }));

  program.command('render')
    .description('write the site GitOps repository (app-of-apps) from the inventory')
    .addOption(inventoryOption())
    .option('-o, --out <dir>', 'output directory (the site repository checkout)', 'site')
    .option('--check', 'exit 1 and list the files when the directory differs from what would be rendered')
    .option('--overwrite', 'replace files in the directory that labctl did not write')
    .action(async (o) => (await import('./render.ts')).renderCommand({ inventory: o.inventory, out: o.out, check: o.check, overwrite: o.overwrite }));

  program.command('diff')
    .description('show, as a unified diff, what labctl render would change in the output directory')
    .addOption(inventoryOption())
    .option('-o, --out <dir>', 'output directory', 'site')
    .action(async (o) => (await import('./render.ts')).diffCommand({ inventory: o.inventory, out: o.out }));
}
