// `labctl init`: a commented starting inventory for a new site from a few answers, asked at a terminal or
// taken from flags (scripts, or --yes). Every answer is checked as it is given (the field is named and, at
// a terminal, asked again), the whole file is validated before it is written, and an existing file is
// never replaced without --force.
import { existsSync, lstatSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { SCHEMA_COMMENT, SCHEMA_NAME, schemaText } from '../../inventory/schema/emit.ts';
import { createInterface } from 'node:readline/promises';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { shellWord, siteArgs } from '../../core/shell-words.ts';
import { showControls } from '../../core/show-controls.ts';
import { contains, hasHostBits, nth } from '../../core/ip.ts';
import { CIDR4, DNS_LABEL, DNS_NAME, IPV4 } from '../../inventory/schema/dsl.ts';
import {
  placeholderDisk,
  poolAfter,
  rolesFor,
  starterYaml,
  type StarterAnswers,
  type StarterNode,
} from '../../inventory/starter.ts';
import { validateInventoryText } from '../../inventory/validate.ts';
import { DEFAULT_INVENTORY } from '../options.ts';
import { printDiagnostics } from '../output.ts';

export interface InitOptions {
  file: string;
  force?: boolean;
  yes?: boolean;
  [flag: string]: string | boolean | undefined;
}

type Answers = Partial<StarterAnswers> & { nodeSpecs?: { name: string; address: string; rack?: string }[] };

interface Question {
  /** The command-line flag (camelCase as commander gives it) and the inventory field it fills. */
  flag: string;
  field: string;
  prompt: string;
  dflt: (a: Answers) => string;
  /** Checks the answer and stores it; throws an Error whose message says what is wrong. */
  take: (v: string, a: Answers) => void;
  /** Asked only when this holds (the disks of storage nodes). */
  per?: (a: Answers) => string[];
}

const SITE_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;
const LOGIN = /^[a-z0-9][-a-z0-9_.]*$/;
const must = (ok: boolean, msg: string) => {
  if (!ok) throw new Error(msg);
};
const ip = (v: string, what: string) =>
  must(new RegExp(IPV4).test(v), `${JSON.stringify(v)} is not an IPv4 address (${what}); e.g. 10.10.0.1`);
const label = (v: string, what: string) =>
  must(
    new RegExp(DNS_LABEL).test(v),
    `${JSON.stringify(v)} is not a valid ${what}: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`,
  );
const asn = (v: string, what: string): number => {
  const n = Number(v);
  must(
    /^[0-9]+$/.test(v) && n >= 1 && n <= 4294967295,
    `${JSON.stringify(v)} is not an AS number (${what}); use a private one, 64512-65534`,
  );
  return n;
};
const listOf = (v: string) => v.split(/[\s,]+/).filter(Boolean);
const localZone = () => {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz && tz !== 'UTC' ? tz : 'Etc/UTC';
};

export const QUESTIONS: Question[] = [
  {
    flag: 'site',
    field: 'site.name',
    prompt: 'Site name (short, lowercase)',
    dflt: () => 'campus-lab',
    take: (v, a) => {
      must(
        SITE_NAME.test(v),
        `${JSON.stringify(v)} is not a valid site name: lowercase letters, digits and '-', at most 40 characters, e.g. cs-lab`,
      );
      a.site = v;
    },
  },
  {
    flag: 'domain',
    field: 'site.domain',
    prompt: 'DNS domain of the platform services',
    dflt: () => 'lab.example.edu',
    take: (v, a) => {
      must(
        new RegExp(DNS_NAME).test(v),
        `${JSON.stringify(v)} is not a DNS domain with at least two labels, e.g. lab.example.edu`,
      );
      a.domain = v;
    },
  },
  {
    flag: 'timezone',
    field: 'site.timezone',
    prompt: 'Time zone (IANA)',
    dflt: localZone,
    take: (v, a) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: v });
      } catch {
        throw new Error(`${JSON.stringify(v)} is not an IANA time zone, e.g. Europe/Berlin`);
      }
      a.timezone = v;
    },
  },
  {
    flag: 'gitRepo',
    field: 'site.gitRepo',
    prompt: 'Git URL of the site repository',
    dflt: (a) => `https://git.${a.domain}/platform/${a.site}-site.git`,
    take: (v, a) => {
      must(
        /^(https?:\/\/|ssh:\/\/|git@)\S+$/.test(v),
        `${JSON.stringify(v)} is not a Git URL (https://, ssh:// or git@)`,
      );
      a.gitRepo = v;
    },
  },
  {
    flag: 'subnet',
    field: 'network.subnets[0].cidr',
    prompt: 'Subnet of the servers (CIDR)',
    dflt: () => '10.10.0.0/24',
    take: (v, a) => {
      must(new RegExp(CIDR4).test(v), `${JSON.stringify(v)} is not an IPv4 CIDR, e.g. 10.10.0.0/24`);
      must(!hasHostBits(v), `${v} has host bits set; write the network address`);
      must(Number(v.split('/')[1]) <= 28, `${v} is too small for a site; use /28 or larger`);
      a.subnet = v;
    },
  },
  {
    flag: 'gateway',
    field: 'network.subnets[0].gateway',
    prompt: 'Default gateway of the subnet',
    dflt: (a) => nth(a.subnet!, 1),
    take: (v, a) => {
      ip(v, 'gateway');
      must(contains(a.subnet!, v), `gateway ${v} is not inside the subnet ${a.subnet}`);
      a.gateway = v;
    },
  },
  {
    flag: 'dns',
    field: 'network.dnsServers',
    prompt: 'DNS resolvers of the nodes (comma-separated)',
    dflt: (a) => a.gateway!,
    take: (v, a) => {
      const l = listOf(v);
      must(l.length > 0, 'give at least one resolver');
      l.forEach((x) => ip(x, 'DNS resolver'));
      a.dnsServers = l;
    },
  },
  {
    flag: 'racks',
    field: 'racks',
    prompt: 'Rack names (comma-separated)',
    dflt: () => 'r1',
    take: (v, a) => {
      const l = listOf(v);
      must(l.length > 0, 'give at least one rack');
      l.forEach((x) => label(x, 'rack name'));
      must(new Set(l).size === l.length, `a rack name is given twice: ${l.join(', ')}`);
      a.racks = l;
    },
  },
  {
    flag: 'nodes',
    field: 'nodes',
    prompt: 'Servers as NAME=ADDRESS[@RACK] (comma-separated)',
    dflt: (a) => [1, 2, 3].map((i) => `node${i}=${nth(a.subnet!, 10 + i)}`).join(','),
    take: (v, a) => {
      const specs = listOf(v).map((s) => {
        const m = /^([^=@]+)=([^=@]+)(?:@(.+))?$/.exec(s);
        must(!!m, `${JSON.stringify(s)} is not NAME=ADDRESS or NAME=ADDRESS@RACK, e.g. node1=10.10.0.11`);
        const [, name, address, rack] = m!;
        label(name!, `node name in ${JSON.stringify(s)}`);
        ip(address!, `address of node ${name}`);
        must(contains(a.subnet!, address!), `node ${name}: ${address} is not inside the subnet ${a.subnet}`);
        must(address !== nth(a.subnet!, 0), `node ${name}: ${address} is the network address of ${a.subnet}`);
        must(address !== a.gateway, `node ${name}: ${address} is the gateway`);
        if (rack)
          must(
            a.racks!.includes(rack),
            `node ${name}: rack ${JSON.stringify(rack)} is not one of the racks: ${a.racks!.join(', ')}`,
          );
        return { name: name!, address: address!, rack };
      });
      must(specs.length > 0, 'give at least one server');
      for (const key of ['name', 'address'] as const) {
        const seen = specs.map((s) => s[key]).find((x, i, l) => l.indexOf(x) !== i);
        must(!seen, `${key} ${seen} is given twice`);
      }
      a.nodeSpecs = specs;
    },
  },
  {
    flag: 'disks',
    field: 'nodes[].disks',
    prompt: 'Ceph disk of %s (/dev/disk/by-id/..., comma-separated)',
    per: (a) => a.nodeSpecs!.filter((_, i, l) => rolesFor(i, l.length).includes('storage')).map((n) => n.name),
    dflt: () => '', // filled per node below
    take: () => undefined,
  },
  {
    flag: 'apiVip',
    field: 'kubernetes.apiVip',
    prompt: 'API server virtual address (unused, in the subnet)',
    dflt: (a) => {
      for (let i = 10; i < 255; i++) {
        const c = nth(a.subnet!, i);
        if (!used(a).includes(c)) return c;
      }
      return nth(a.subnet!, 2);
    },
    take: (v, a) => {
      ip(v, 'API VIP');
      must(contains(a.subnet!, v), `API VIP ${v} is not inside the subnet ${a.subnet}`);
      must(!used(a).includes(v), `API VIP ${v} is already used by a node or the gateway`);
      a.apiVip = v;
    },
  },
  {
    flag: 'apiDnsName',
    field: 'kubernetes.apiDnsName',
    prompt: 'DNS name of the API server',
    dflt: (a) => `k8s-api.${a.domain}`,
    take: (v, a) => {
      must(new RegExp(DNS_NAME).test(v), `${JSON.stringify(v)} is not a DNS name, e.g. k8s-api.${a.domain}`);
      a.apiDnsName = v;
    },
  },
  {
    flag: 'clusterAsn',
    field: 'bgp.clusterAsn',
    prompt: "The cluster's own BGP AS number",
    dflt: () => '64512',
    take: (v, a) => {
      a.clusterAsn = asn(v, 'bgp.clusterAsn');
    },
  },
  {
    flag: 'routerAddress',
    field: 'bgp.routers[0].address',
    prompt: 'Address of the campus router MetalLB peers with',
    dflt: (a) => a.gateway!,
    take: (v, a) => {
      ip(v, 'router address');
      a.routerAddress = v;
    },
  },
  {
    flag: 'routerAsn',
    field: 'bgp.routers[0].asn',
    prompt: 'AS number of that router',
    dflt: () => '64513',
    take: (v, a) => {
      a.routerAsn = asn(v, 'bgp.routers[0].asn');
      must(a.routerAsn !== a.clusterAsn, `the router's AS number must differ from the cluster's (${a.clusterAsn})`);
    },
  },
  {
    flag: 'pool',
    field: 'bgp.pools[0].cidr',
    prompt: 'LoadBalancer address pool (CIDR, outside the subnet)',
    dflt: (a) => poolAfter(a.subnet!),
    take: (v, a) => {
      must(new RegExp(CIDR4).test(v), `${JSON.stringify(v)} is not an IPv4 CIDR, e.g. ${poolAfter(a.subnet!)}`);
      must(!hasHostBits(v), `${v} has host bits set; write the network address`);
      must(
        !contains(v, a.subnet!.split('/')[0]!) && !contains(a.subnet!, v.split('/')[0]!),
        `pool ${v} overlaps the subnet ${a.subnet}`,
      );
      a.pool = v;
    },
  },
  {
    flag: 'admin',
    field: 'identity.admins[0]',
    prompt: 'Login name of the first platform administrator',
    dflt: () => 'admin',
    take: (v, a) => {
      must(LOGIN.test(v), `${JSON.stringify(v)} is not a login name: lowercase letters, digits, '-', '_', '.'`);
      a.admin = v;
    },
  },
];

const used = (a: Answers) => [a.gateway, ...(a.nodeSpecs ?? []).map((n) => n.address)];

/** `--disk NAME=PATH[,PATH]` values, by node; a node's repeated --disk adds its paths (the flag is repeatable). */
function diskFlags(v: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of v ?? []) {
    const i = s.indexOf('=');
    if (i < 1) throw new UsageError(`--disk ${s}: expected NODE=/dev/disk/by-id/...`);
    const node = s.slice(0, i);
    const before = m.get(node);
    m.set(node, before === undefined ? s.slice(i + 1) : `${before},${s.slice(i + 1)}`);
  }
  return m;
}

/** A --disk for a node that gets no Ceph disk (a typo, or not a storage node) was dropped silently: refused. */
function checkDiskNodes(disks: Map<string, string>, storage: string[], all: string[]): void {
  for (const node of disks.keys()) {
    if (storage.includes(node)) continue;
    const shown = showControls(node); // as typed: a control character in it must not act on the terminal
    const why = all.includes(node)
      ? `${shown} is not a storage node (storage: ${storage.join(', ') || 'none'})`
      : `${shown} is not a node (--nodes: ${all.join(', ')})`;
    throw new UsageError(`--disk ${shown}=${showControls(disks.get(node)!)}: ${why}; nothing was written`);
  }
}

const DISK = /^\/dev\/disk\/by-id\/[A-Za-z0-9._:+@-]+$/;
const takeDisks = (v: string, node: string): string[] => {
  const l = listOf(v);
  l.forEach((d) => must(DISK.test(d), `node ${node}: ${JSON.stringify(d)} is not a /dev/disk/by-id/ path`));
  return l;
};

/** Bounded: a terminal that keeps giving bad answers ends the command instead of looping. */
const MAX_TRIES = 5;

export async function initCommand(o: InitOptions, flags: Record<string, unknown>): Promise<void> {
  // `labctl init cs-lab-site/` (or an existing folder) means a folder; said so, or --force would be suggested
  // for it and then fail with EISDIR.
  if (o.file.endsWith('/') || statSync(o.file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      `${o.file} names a folder; labctl init takes the inventory file to write, e.g. labctl init ${shellWord(join(o.file, DEFAULT_INVENTORY))} (a missing folder is made)`,
    );
  }
  if (existsSync(o.file) && !o.force) {
    throw new ExitError(
      `${o.file} exists; labctl init never replaces a file. Pick another file name, or pass --force to replace it.`,
      1,
    );
  }
  const interactive = !o.yes && !!process.stdin.isTTY;
  const disks = diskFlags(flags.disk as string[] | undefined);
  const a: Answers = {};
  const nodeDisks = new Map<string, string[]>();
  const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  if (rl) process.stdout.write(`A starting inventory for a new site. Press Enter to take the [default].\n`);
  try {
    for (const q of QUESTIONS) {
      const targets = q.per ? q.per(a) : [undefined];
      if (q.per)
        checkDiskNodes(
          disks,
          targets as string[],
          a.nodeSpecs!.map((n) => n.name),
        );
      for (const node of targets) {
        const field = node ? `nodes[${node}].disks` : q.field;
        const given = node ? disks.get(node) : (flags[q.flag] as string | undefined);
        const dflt = node ? placeholderDisk(node) : q.dflt(a);
        const take = (v: string) => {
          if (node) nodeDisks.set(node, takeDisks(v, node));
          else q.take(v, a);
        };
        if (!rl || given !== undefined) {
          try {
            take(given ?? dflt);
          } catch (e) {
            throw new UsageError(
              `${given !== undefined ? `--${kebab(node ? 'disk' : q.flag)}` : 'default'} (${field}): ${(e as Error).message}`,
            );
          }
          continue;
        }
        for (let tries = 1; ; tries++) {
          const v = (await rl.question(`${q.prompt.replace('%s', node ?? '')} [${dflt}]: `)).trim() || dflt;
          try {
            take(v);
            break;
          } catch (e) {
            process.stdout.write(`  ${field}: ${(e as Error).message}\n`);
            if (tries >= MAX_TRIES)
              throw new ExitError(`${field}: no valid answer after ${MAX_TRIES} tries; nothing was written`, 1);
          }
        }
      }
    }
  } finally {
    rl?.close();
  }
  const racks = a.racks!;
  const nodes: StarterNode[] = a.nodeSpecs!.map((n, i) => ({
    name: n.name,
    address: n.address,
    rack: n.rack ?? racks[i % racks.length]!,
    disks: nodeDisks.get(n.name) ?? [],
  }));
  // The first line points editors to the schema, which is written beside the file (docs/decisions.md).
  const text = `${SCHEMA_COMMENT}\n#\n${starterYaml({ ...(a as StarterAnswers), nodes })}`;
  // What is written must validate as written: check the exact text first, write nothing when it does not.
  const v = validateInventoryText(o.file, text);
  if (v.errors.length)
    throw new ExitError(
      `these answers make an invalid inventory (the lines above are those of the file it would have written); nothing was written to ${o.file}`,
      1,
      v.errors,
    );
  const dir = dirname(o.file);
  // `labctl init newdir/inventory.yaml` starts a new site repository: make its folder (the file itself is
  // still written with 'wx' below, so nothing existing is replaced).
  mkdirSync(dir, { recursive: true });
  const schema = join(dir, SCHEMA_NAME);
  // A symlink there (even a dangling one) would carry the write outside the site folder: refuse it first.
  if (lstatSync(schema, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new ExitError(
      `${showControls(schema)} is a symbolic link; labctl writes the schema only as a regular file in the site folder. Remove the link (rm ${shellWord(schema)}) and run labctl init again; nothing was written`,
      1,
    );
  }
  writeFileSync(o.file, text, { flag: o.force ? 'w' : 'wx' });
  // labctl render keeps it current; an existing one is left to render (it may be from a newer labctl).
  // 'wx' (O_EXCL) never follows a link made since the check above.
  if (!existsSync(schema)) {
    try {
      writeFileSync(schema, schemaText(), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  printDiagnostics(v.warnings);
  const placeholders = nodes.filter((n) => text.includes(placeholderDisk(n.name))).map((n) => n.name);
  process.stdout.write(
    `wrote ${showControls(o.file)}: ${nodes.length} nodes in ${racks.length} rack(s)${v.warnings.length ? `, ${v.warnings.length} warning(s)` : ''}\n` +
      (placeholders.length
        ? `before labctl render: replace the REPLACE-ME disk ids of ${placeholders.join(', ')} with their Ceph disks (ls -l /dev/disk/by-id/)\n`
        : '') +
      nextSteps(o.file),
  );
}

/**
 * The commands that come after init, to be run from the folder init was run in and naming the file it wrote
 * (-i only when it is not the default ./inventory.yaml), each path quoted for pasting into a shell.
 */
function nextSteps(file: string): string {
  const dir = dirname(file);
  const inventory = normalize(file) === DEFAULT_INVENTORY ? undefined : file;
  const where =
    dir === '.' ? 'this folder (the site repository)' : `this folder (the site repository is ${shellWord(dir)})`;
  return `next, in ${where}: labctl validate${siteArgs({ inventory })}, labctl secrets init${siteArgs({}, {}, dir)}, labctl secrets generate${siteArgs({ inventory, repo: dir })}, labctl render${siteArgs({ inventory })} -o ${shellWord(dir)} (README, "The journey")\n`;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
