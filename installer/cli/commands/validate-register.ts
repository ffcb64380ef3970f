// `labctl validate`; the action lazy-imports ./validate.ts.
import type { Command } from 'commander';
import { UsageError } from '../../core/diagnostics.ts';
import { DEFAULT_INVENTORY, inventoryOption, outputOption } from '../options.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check an inventory file offline (schema and semantic rules); exit 0 valid, 1 invalid, 2 usage')
    .argument('[file]', 'inventory file (or -i FILE, as the other commands take it)')
    .addOption(inventoryOption())
    .addOption(outputOption())
    .action(async (file: string | undefined, o, cmd: Command) => {
      // -i is accepted like everywhere else; the argument wins only when -i was not given too.
      const given = cmd.getOptionValueSource('inventory') !== 'default';
      if (file !== undefined && given && file !== o.inventory)
        throw new UsageError(`two inventory files: ${file} and -i ${o.inventory as string}; give one`);
      return (await import('./validate.ts')).validateCommand({
        file: file ?? (o.inventory as string) ?? DEFAULT_INVENTORY,
        output: o.output,
      });
    });
}
