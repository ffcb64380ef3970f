// `labctl oncall now|next|schedule|ical`; the actions lazy-import ./oncall.ts.
import { Option, type Command } from 'commander';
import { inventoryOption, outputOption } from '../options.ts';

export function registerOncall(program: Command): void {
  const oncall = program
    .command('oncall')
    .description('the on-call rotation: who holds the pager now, next, the schedule, an iCalendar export');
  const at = () =>
    new Option(
      '--at <datetime>',
      'instead of now: an ISO date-time, site time unless it has an offset (2026-10-26T09:00)',
    );
  const runOncall = async (
    name: 'oncallNow' | 'oncallNext' | 'oncallSchedule' | 'oncallIcal',
    o: Record<string, string | undefined>,
  ) =>
    (await import('./oncall.ts'))[name]({
      inventory: o.inventory!,
      at: o.at,
      weeks: o.weeks,
      output: (o.output ?? 'text') as 'text' | 'json',
    });
  oncall
    .command('now')
    .description('who is on call (primary and secondary) and until when')
    .addOption(inventoryOption())
    .addOption(at())
    .addOption(outputOption())
    .action((o) => runOncall('oncallNow', o));
  oncall
    .command('next')
    .description('the next hand-over')
    .addOption(inventoryOption())
    .addOption(at())
    .addOption(outputOption())
    .action((o) => runOncall('oncallNext', o));
  oncall
    .command('schedule')
    .description('the shifts of the coming weeks')
    .addOption(inventoryOption())
    .addOption(at())
    .addOption(outputOption())
    .option('--weeks <n>', 'how many weeks (default 8)')
    .action((o) => runOncall('oncallSchedule', o));
  oncall
    .command('ical')
    .description('the rotation as iCalendar (RFC 5545) on standard output: labctl oncall ical > rotation.ics')
    .addOption(inventoryOption())
    .addOption(at())
    .option('--weeks <n>', 'how many weeks from --at (default: the whole rendered rotation)')
    .action((o) => runOncall('oncallIcal', o));
}
