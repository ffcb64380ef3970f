// Registration of the commands that work on the servers over SSH: preflight, plan, up, reset, status.
// Each action lazy-imports its module so `labctl validate` never loads the SSH client.
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/diagnostics.ts';
import { inventoryOption, outputOption } from '../options.ts';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} ${v}: expected a whole number >= 1`);
  return n;
};
const nodesOption = () => new Option('--nodes <names>', 'only these nodes (comma separated)').argParser(list);
const concurrencyOption = () => new Option('--concurrency <n>', 'hosts worked on at the same time').default(16).argParser(positive('--concurrency'));
const connectTimeoutOption = () => new Option('--connect-timeout <seconds>', 'SSH connect timeout per host').default(10).argParser(positive('--connect-timeout'));

export function registerClusterCommands(program: Command): void {
  program.command('preflight')
    .description('check every node over SSH (one round trip each): OS, kernel, cgroup v2, KVM, CPU/memory, swap, time, hostname, address, Ceph disks, ports; exit 1 if a must-pass check fails')
    .addOption(inventoryOption()).addOption(outputOption()).addOption(nodesOption())
    .addOption(concurrencyOption()).addOption(connectTimeoutOption())
    .action(async (o) => (await import('./preflight.ts')).preflightCommand({
      inventory: o.inventory, output: o.output, nodes: o.nodes, concurrency: o.concurrency, connectTimeout: o.connectTimeout,
    }));
}
