// Every labctl command, registered in one place. Each action lazy-imports its module so that
// `labctl validate` does not load the SSH or Kubernetes clients.
import { Option, type Command } from 'commander';
import { inventoryOption, outputOption } from '../options.ts';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerImages } from './images-register.ts';
import { registerLabs } from './labs-register.ts';
import { registerHosts } from './hosts-register.ts';
import { registerDay2 } from './day2-register.ts';

export function registerCommands(program: Command): void {
  // In pipeline order: check and render, bootstrap, then day-2 (labs, images, secrets, access, on-call).
  program.command('validate')
    .description('check an inventory file offline (schema and semantic rules); exit 0 valid, 1 invalid, 2 usage')
    .argument('[file]', 'inventory file', 'inventory.yaml')
    .addOption(outputOption())
    .action(async (file: string, o) => (await import('./validate.ts')).validateCommand({ file, output: o.output }));

  registerInit(program);

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

  registerClusterCommands(program);
  registerDay2(program);

  registerHosts(program);

  registerImages(program);

  registerLabs(program);

  registerSecrets(program);
  program.command('kubeconfig')
    .description('write a kubeconfig that logs in through the site\'s Keycloak (kubectl oidc-login plugin); for students and teachers')
    .addOption(inventoryOption())
    .requiredOption('--user <name>', 'your login name (the kubeconfig user entry and context are named after it)')
    .option('-o, --out <file>', 'where to write it (refuses to replace an existing file unless --replace-file)', 'kubeconfig')
    .option('--replace-file', 'replace an existing kubeconfig file at --out')
    .option('--namespace <ns>', 'default namespace of the context (e.g. course-os101)')
    .option('--ca-file <file>', 'cluster CA certificate (PEM) to embed')
    .action(async (o) => (await import('./kubeconfig.ts')).kubeconfigCommand({ inventory: o.inventory, user: o.user, out: o.out, replaceFile: o.replaceFile, namespace: o.namespace, caFile: o.caFile }));

  registerOncall(program);
  program.command('version').description('labctl\'s version, how it was installed, and the pinned upstream versions with their sources').addOption(outputOption()).action(async (o) => (await import('./version.ts')).versionCommand({ output: o.output }));
}

export const INIT_EXAMPLE = 'labctl init inventory.yaml --yes --site cs-lab --domain lab.example.edu --timezone Europe/Berlin --subnet 10.20.0.0/24 --racks r1,r2 --nodes node1=10.20.0.11,node2=10.20.0.12@r2,node3=10.20.0.13';

function registerInit(program: Command): void {
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program.command('init')
    .description('write a commented starting inventory for a new site from a few answers: asked at a terminal, else taken from the flags (every flag has a default a new site can accept)')
    .argument('[file]', 'inventory file to write (never replaced without --force)', 'inventory.yaml')
    .option('-y, --yes', 'ask nothing: take the flags and the defaults (also when standard input is not a terminal)')
    .option('--force', 'replace an existing file')
    .option('--site <name>', 'site.name, a short lowercase name (default campus-lab)')
    .option('--domain <domain>', 'site.domain, the DNS domain of the platform services (default lab.example.edu)')
    .option('--timezone <zone>', 'site.timezone, IANA (default this machine\'s)')
    .option('--git-repo <url>', 'site.gitRepo (default https://git.<domain>/platform/<site>-site.git)')
    .option('--subnet <cidr>', 'the servers\' subnet (default 10.10.0.0/24)')
    .option('--gateway <ip>', 'its default gateway (default: its first address)')
    .option('--dns <ips>', 'DNS resolvers of the nodes, comma-separated (default: the gateway)')
    .option('--racks <names>', 'rack names, comma-separated (default r1)')
    .option('--nodes <list>', 'servers as NAME=ADDRESS[@RACK], comma-separated; nodes without @RACK are spread over the racks (default: node1-node3 at .11-.13)')
    .option('--disk <node=paths>', 'Ceph disk(s) of a storage node, /dev/disk/by-id/..., repeatable (default: a REPLACE-ME placeholder)', collect)
    .option('--api-vip <ip>', 'kubernetes.apiVip, an unused address in the subnet (default: the first free from .10)')
    .option('--api-dns-name <name>', 'kubernetes.apiDnsName (default k8s-api.<domain>)')
    .option('--cluster-asn <n>', 'bgp.clusterAsn (default 64512)')
    .option('--router-address <ip>', 'the campus router MetalLB peers with (default: the gateway)')
    .option('--router-asn <n>', 'its AS number (default 64513)')
    .option('--pool <cidr>', 'the LoadBalancer address pool (default: the /26 after the subnet)')
    .option('--admin <login>', 'the first platform administrator (default admin)')
    .addHelpText('after', `\nExample (for a script: no questions, every flag not given takes its default):\n  ${INIT_EXAMPLE}\n`)
    .action(async (file: string, o) => (await import('./init.ts')).initCommand({ file, force: o.force, yes: o.yes }, o));
}

function registerOncall(program: Command): void {
  const oncall = program.command('oncall').description('the on-call rotation: who holds the pager now, next, the schedule, an iCalendar export');
  const at = () => new Option('--at <datetime>', 'instead of now: an ISO date-time, site time unless it has an offset (2026-10-26T09:00)');
  const runOncall = async (name: 'oncallNow' | 'oncallNext' | 'oncallSchedule' | 'oncallIcal', o: Record<string, string | undefined>) =>
    (await import('./oncall.ts'))[name]({ inventory: o.inventory!, at: o.at, weeks: o.weeks, output: (o.output ?? 'text') as 'text' | 'json' });
  oncall.command('now').description('who is on call (primary and secondary) and until when').addOption(inventoryOption()).addOption(at()).addOption(outputOption())
    .action((o) => runOncall('oncallNow', o));
  oncall.command('next').description('the next hand-over').addOption(inventoryOption()).addOption(at()).addOption(outputOption())
    .action((o) => runOncall('oncallNext', o));
  oncall.command('schedule').description('the shifts of the coming weeks').addOption(inventoryOption()).addOption(at()).addOption(outputOption())
    .option('--weeks <n>', 'how many weeks (default 8)').action((o) => runOncall('oncallSchedule', o));
  oncall.command('ical').description('the rotation as iCalendar (RFC 5545) on standard output: labctl oncall ical > rotation.ics').addOption(inventoryOption()).addOption(at())
    .option('--weeks <n>', 'how many weeks from --at (default: the whole rendered rotation)').action((o) => runOncall('oncallIcal', o));
}

function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('the site secret store (age-encrypted, in <repo>/secrets/) and its delivery to the cluster');
  const repo = () => new Option('-r, --repo <dir>', 'the site repository checkout holding secrets/').default('site');
  const key = () => new Option('-k, --key-file <file>', 'the site private key; writing needs it too, to check the recipients (default: $LABCTL_AGE_KEY_FILE or ~/.config/labctl/site.agekey)');
  const run = async <K extends string>(name: K, o: Record<string, unknown>) => ((await import('./secrets.ts')) as unknown as Record<K, (o: unknown) => Promise<void>>)[name](o);
  secrets.command('init').description('create the site key (written once, outside the repo), secrets/recipients.txt and its confirmation')
    .addOption(repo()).addOption(key()).action((o) => run('secretsInit', o));
  secrets.command('generate').description('add a strong random value for every generatable entry the platform needs and the store lacks (render does this too)')
    .addOption(inventoryOption()).addOption(repo()).addOption(key()).action((o) => run('secretsGenerate', o));
  secrets.command('set').description('store ENTRY (one the platform reads) with the value typed at the terminal (not shown) or read from standard input; never from the command line')
    .argument('<entry>', 'secret-store entry, e.g. bgp/tor-r1')
    .addOption(inventoryOption()).addOption(repo()).addOption(key())
    .option('--replace <entry>', 'replace an existing value; must repeat the entry name')
    .action((entry: string, o) => run('secretsSet', { ...o, entry }));
  secrets.command('rotate').description('replace a generated ENTRY with a new random value')
    .argument('<entry>', 'secret-store entry')
    .addOption(inventoryOption()).addOption(repo()).addOption(key())
    .option('--confirm <entry>', 'must repeat the entry name')
    .action((entry: string, o) => run('secretsRotate', { ...o, entry }));
  secrets.command('list').description('every entry the platform needs, whether the store has it, and the Secrets it feeds (no values)')
    .addOption(inventoryOption()).addOption(repo()).addOption(key()).addOption(outputOption()).action((o) => run('secretsList', o));
  secrets.command('confirm').description('confirm entries as written by the site key holder (a store from before secrets/entries.confirmed, or an entry written outside labctl); shows what it confirms, never the value')
    .argument('[entry...]', 'entry names (labctl secrets list shows the refused ones)')
    .addOption(repo()).addOption(key())
    .option('--all', 'every entry of the store (once, for a store made before entries were confirmed)')
    .action((entries: string[], o) => run('secretsConfirm', { ...o, entries }));
  secrets.command('apply').description('decrypt the store and apply the Kubernetes Secrets (server-side apply)')
    .addOption(inventoryOption()).addOption(repo()).addOption(key())
    .option('--dry-run', 'list the Secrets and keys that would be applied; send nothing')
    .option('--kubeconfig <file>', 'kubeconfig (default: the admin kubeconfig labctl up wrote, <state-dir>/admin.conf; else $KUBECONFIG or ~/.kube/config)')
    .option('--state-dir <dir>', 'labctl\'s state directory (default: $LABCTL_STATE_DIR, else ${XDG_STATE_HOME:-~/.local/state}/labctl/<site name>)')
    .option('--context <name>', 'kubeconfig context')
    .action((o) => run('secretsApply', o));
  secrets.command('add-recipient').description('confirm one or more age public keys (a backup key) as recipients of the store; only the site key holder can. Then run secrets rekey')
    .argument('<recipient...>', 'age public key(s), age1...')
    .addOption(repo()).addOption(key())
    .option('--note <text>', 'a comment written next to the recipient in recipients.txt (whose key, where it is kept)')
    .action((recipients: string[], o) => run('secretsAddRecipient', { ...o, recipients }));
  secrets.command('remove-recipient').description('stop encrypting to an age public key (then run secrets rekey, and rotate what it could read)')
    .argument('<recipient...>', 'age public key(s), age1...')
    .addOption(repo()).addOption(key())
    .action((recipients: string[], o) => run('secretsRemoveRecipient', { ...o, recipients }));
  secrets.command('rekey').description('re-encrypt every entry to the confirmed recipients (after add-recipient or remove-recipient)')
    .addOption(repo()).addOption(key())
    .action((o) => run('secretsRekey', o));
}
