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

  void inventoryOption;
}
