// `labctl version`; the action lazy-imports ./version.ts.
import type { Command } from 'commander';
import { outputOption } from '../options.ts';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description("labctl's version, how it was installed, and the pinned upstream versions with their sources")
    .addOption(outputOption())
    .action(async (o) => (await import('./version.ts')).versionCommand({ output: o.output }));
}
