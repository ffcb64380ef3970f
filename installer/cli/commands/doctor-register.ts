// `labctl doctor`; the action lazy-imports ./doctor.ts.
import type { Command } from 'commander';
import { inventoryOption, outputOption } from '../options.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      "show which tools labctl can use here, with versions; helm and kubectl judged as preflight judges them (kubectl against the inventory's kubernetes.version: -i FILE, else inventory.yaml when this folder holds one, else the pinned default)",
    )
    .addOption(inventoryOption())
    .addOption(outputOption())
    .action(async (o, cmd: Command) =>
      (await import('./doctor.ts')).doctorCommand({
        output: o.output,
        inventory: o.inventory,
        inventoryGiven: cmd.getOptionValueSource('inventory') === 'cli',
      }),
    );
}
