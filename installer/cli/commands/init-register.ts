// `labctl init`; the action lazy-imports ./init.ts.
import type { Command } from 'commander';

export const INIT_EXAMPLE =
  'labctl init inventory.yaml --yes --site cs-lab --domain lab.example.edu --timezone Europe/Berlin --subnet 10.20.0.0/24 --racks r1,r2 --nodes node1=10.20.0.11,node2=10.20.0.12@r2,node3=10.20.0.13';

export function registerInit(program: Command): void {
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program
    .command('init')
    .description(
      'write a commented starting inventory for a new site from a few answers: asked at a terminal, else taken from the flags (every flag has a default a new site can accept)',
    )
    .argument(
      '[file]',
      'inventory file to write (never replaced without --force; a missing folder is made)',
      'inventory.yaml',
    )
    .option('-y, --yes', 'ask nothing: take the flags and the defaults (also when standard input is not a terminal)')
    .option('--force', 'replace an existing file')
    .option('--site <name>', 'site.name, a short lowercase name (default campus-lab)')
    .option('--domain <domain>', 'site.domain, the DNS domain of the platform services (default lab.example.edu)')
    .option('--timezone <zone>', "site.timezone, IANA (default this machine's)")
    .option('--git-repo <url>', 'site.gitRepo (default https://git.<domain>/platform/<site>-site.git)')
    .option('--subnet <cidr>', "the servers' subnet (default 10.10.0.0/24)")
    .option('--gateway <ip>', 'its default gateway (default: its first address)')
    .option('--dns <ips>', 'DNS resolvers of the nodes, comma-separated (default: the gateway)')
    .option('--racks <names>', 'rack names, comma-separated (default r1)')
    .option(
      '--nodes <list>',
      'servers as NAME=ADDRESS[@RACK], comma-separated; nodes without @RACK are spread over the racks (default: node1-node3 at .11-.13)',
    )
    .option(
      '--disk <node=paths>',
      'Ceph disk(s) of a storage node, /dev/disk/by-id/..., repeatable (default: a REPLACE-ME placeholder)',
      collect,
    )
    .option('--api-vip <ip>', 'kubernetes.apiVip, an unused address in the subnet (default: the first free from .10)')
    .option('--api-dns-name <name>', 'kubernetes.apiDnsName (default k8s-api.<domain>)')
    .option('--cluster-asn <n>', 'bgp.clusterAsn (default 64512)')
    .option('--router-address <ip>', 'the campus router MetalLB peers with (default: the gateway)')
    .option('--router-asn <n>', 'its AS number (default 64513)')
    .option('--pool <cidr>', 'the LoadBalancer address pool (default: the /26 after the subnet)')
    .option('--admin <login>', 'the first platform administrator (default admin)')
    .addHelpText(
      'after',
      `\nExample (for a script: no questions, every flag not given takes its default):\n  ${INIT_EXAMPLE}\n`,
    )
    .action(async (file: string, o) =>
      (await import('./init.ts')).initCommand({ file, force: o.force, yes: o.yes }, o),
    );
}
