// `labctl doctor`; the action lazy-imports ./doctor.ts.
import type { Command } from 'commander';
import { outputOption } from '../options.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which tools labctl can use here, with versions')
    .addOption(outputOption())
    .action(async (o) => (await import('./doctor.ts')).doctorCommand({ output: o.output }));
}
