// `labctl labs ...`: lab templates of the site repository (labs/<course>/<lab>.yaml).
import type { Command } from 'commander';
import { inventoryOption, outputOption } from '../options.ts';

export function registerLabs(program: Command): void {
  const labs = program
    .command('labs')
    .description('lab templates: validate them, check they fit the VM hosts, list them');
  const common = (c: Command) =>
    c
      .addOption(inventoryOption())
      .option(
        '--labs <dir>',
        "the labs folder (default: the inventory's labs.path, else labs, in the folder that holds the inventory)",
      )
      .option('--images <dir>', 'the image catalog folder (default: $LABCTL_IMAGES_DIR or images/ of this labctl)')
      .addOption(outputOption());
  const opts = (paths: string[], o: Record<string, unknown>, cmd: Command) => ({
    paths,
    inventory: o.inventory as string,
    inventoryRequired: cmd.getOptionValueSource('inventory') !== 'default',
    output: o.output as 'text' | 'json',
    ...(o.labs ? { labsDir: o.labs as string } : {}),
    ...(o.images ? { imagesRoot: o.images as string } : {}),
  });

  common(
    labs
      .command('validate')
      .description(
        'check lab files (schema, image catalog, roster, schedule, course, VM host size) with FILE:LINE:COL errors; exit 0 valid, 1 invalid',
      )
      .argument('[paths...]', 'lab files or folders (default: the labs folder)'),
  ).action(async (paths: string[], o, cmd: Command) =>
    (await import('./labs.ts')).labsValidateCommand(opts(paths, o, cmd)),
  );

  common(
    labs
      .command('capacity')
      .description(
        'sum what the labs need at their busiest overlapping hours against the VM hosts (with overcommit); exit 1 when a lab does not fit',
      )
      .argument('[paths...]', 'lab files or folders (default: the labs folder)'),
  ).action(async (paths: string[], o, cmd: Command) =>
    (await import('./labs.ts')).labsCapacityCommand(opts(paths, o, cmd)),
  );

  common(
    labs
      .command('list')
      .description('a table of the labs: students, schedule, resources')
      .argument('[paths...]', 'lab files or folders (default: the labs folder)'),
  ).action(async (paths: string[], o, cmd: Command) =>
    (await import('./labs.ts')).labsListCommand(opts(paths, o, cmd)),
  );
}
