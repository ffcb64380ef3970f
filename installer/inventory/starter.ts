// The starting inventory `labctl init` writes: a few answers in, a commented YAML file out. The comments
// are the schema's own descriptions (REQUIRED/OPTIONAL as the schema says), so they cannot drift from what
// `labctl validate` checks; the values are written YAML-1.1-safe like every rendered file.
import { Document, isMap, isScalar, isSeq, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import { yaml11Ambiguous } from '../core/yaml11.ts';
import { nth, size } from '../core/ip.ts';
import { inventorySchema } from './schema/index.ts';
import type { Schema } from './schema/dsl.ts';

export interface StarterNode {
  name: string;
  address: string;
  rack: string;
  disks: string[];
}

export interface StarterAnswers {
  site: string;
  domain: string;
  timezone: string;
  gitRepo: string;
  subnet: string;
  gateway: string;
  dnsServers: string[];
  racks: string[];
  nodes: StarterNode[];
  apiVip: string;
  apiDnsName: string;
  clusterAsn: number;
  routerAddress: string;
  routerAsn: number;
  pool: string;
  admin: string;
}

/** A placeholder disk id: validates with a warning; `labctl render` and `labctl preflight` refuse it until it is replaced. */
export const placeholderDisk = (node: string) => `/dev/disk/by-id/REPLACE-ME-${node}-disk`;
/** A disk id still holding init's placeholder: validate warns, render refuses (rules/nodes.ts, cli render). */
export const isPlaceholderDisk = (disk: string) => disk.includes('REPLACE-ME');

/**
 * Roles by count, so every default site validates: the first one or three nodes run the control plane and
 * Ceph (etcd needs an odd number; Ceph wants three hosts), the others are VM hosts. Small sites (up to
 * three nodes) run everything everywhere.
 */
export function rolesFor(index: number, count: number): string[] {
  const cps = count >= 3 ? 3 : 1;
  if (count <= 3)
    return index < cps ? ['control-plane', 'storage', 'vm-host', 'worker'] : ['storage', 'vm-host', 'worker'];
  return index < cps ? ['control-plane', 'storage'] : ['vm-host', 'worker'];
}

/** Storage replicas: the default 3 when there are three storage hosts, else as many as there are. */
export const replicasFor = (storageNodes: number) => Math.min(3, storageNodes);

/** The first block after the node subnet, /26 at most: the LoadBalancer pool a new site starts with. */
export function poolAfter(subnet: string): string {
  const prefix = Number(subnet.split('/')[1]);
  return `${nth(subnet, Number(size(subnet)))}/${Math.max(prefix, 26)}`;
}

export function starterObject(a: StarterAnswers): Record<string, unknown> {
  const nodes = a.nodes.map((n, i) => {
    const roles = rolesFor(i, a.nodes.length);
    return {
      name: n.name,
      rack: n.rack,
      address: n.address,
      roles,
      ...(roles.includes('storage') ? { disks: n.disks.length ? n.disks : [placeholderDisk(n.name)] } : {}),
    };
  });
  const storageNodes = nodes.filter((n) => n.roles.includes('storage')).length;
  const replicas = replicasFor(storageNodes);
  return {
    apiVersion: 1,
    site: { name: a.site, domain: a.domain, timezone: a.timezone, gitRepo: a.gitRepo },
    network: { subnets: [{ name: 'nodes', cidr: a.subnet, gateway: a.gateway }], dnsServers: a.dnsServers },
    kubernetes: { apiVip: a.apiVip, apiDnsName: a.apiDnsName },
    racks: a.racks.map((name) => ({ name, subnet: 'nodes' })),
    nodes,
    bgp: {
      clusterAsn: a.clusterAsn,
      routers: [{ name: 'campus', address: a.routerAddress, asn: a.routerAsn }],
      pools: [{ name: 'services', cidr: a.pool }],
    },
    tls: { mode: 'internal-ca', internalCa: { commonName: `${a.site} CA`, keyPairRef: 'tls/internal-ca' } },
    // `platform` holds labctl's CI image (README, Install: the push to $HARBOR/platform/labctl), `labs` the lab images.
    registry: { projects: [{ name: 'labs' }, { name: 'platform' }] },
    identity: { admins: [a.admin] },
    ...(replicas < 3 ? { storage: { replicas } } : {}),
  };
}

const HEADER = (
  site: string,
) => ` Site inventory of ${site}, written by \`labctl init\`: the one file that describes the site.
 \`labctl validate\` checks it offline, \`labctl render\` turns it into the site's GitOps repository.
 Each key's comment is its description from labctl's schema: REQUIRED / OPTIONAL, Default, Example.
 Many OPTIONAL keys are not written here; inventory.example.yaml, shipped with labctl in the folder
 \`labctl version\` names (files:), shows them all.
 Secrets never appear in this file: a key named ...Ref names an entry of the site's secret store.
 Before \`labctl render\`: replace every REPLACE-ME disk id with the node's Ceph disk
 (ls -l /dev/disk/by-id/ on the node), and check the roles of each node.`;

/** The starting inventory as commented YAML text. */
export function starterYaml(a: StarterAnswers): string {
  const doc = new Document(starterObject(a), { aliasDuplicateObjects: false });
  doc.commentBefore = HEADER(a.site);
  annotate(doc.contents as YAMLMap, inventorySchema, true);
  // Short lists of scalars (roles, dnsServers, disks) read best on one line.
  visit(doc, {
    Seq(_k, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
    // YAML 1.1 readers (Helm, ArgoCD) would take `no`, `on`, `0777` for something else: quote them.
    Scalar(_k, node) {
      if (typeof node.value === 'string' && yaml11Ambiguous(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2, flowCollectionPadding: false });
}

const wrap = (text: string, width = 100): string[] => {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/)) {
    if (cur && cur.length + w.length + 1 > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
};
const comment = (s: Schema, required: boolean) =>
  wrap(`${required ? 'REQUIRED' : 'OPTIONAL'}. ${String(s.description ?? '')}`)
    .map((l) => ` ${l}`)
    .join('\n');

/** Puts each key's schema description above it; in a list, only the first item is commented. */
function annotate(map: YAMLMap, schema: Schema, top = false, itemComment?: (c: string) => void): void {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  map.items.forEach((pair: Pair, i) => {
    const key = pair.key as Node & { value: string; commentBefore?: string; spaceBefore?: boolean };
    const sub = props[key.value];
    if (!sub) return;
    const text = comment(sub, required.has(key.value));
    // The first key of a list item cannot carry a comment of its own (it shares the line with `-`).
    if (i === 0 && itemComment) itemComment(text);
    else key.commentBefore = text;
    if (top && i > 0) key.spaceBefore = true;
    const v = pair.value;
    if (isMap(v)) annotate(v, sub);
    else if (isSeq(v) && isMap(v.items[0])) {
      const first = v.items[0] as YAMLMap;
      const item = (sub.items ?? {}) as Schema;
      const lines: string[] = [` ${String(item.description ?? '')} The keys of the first one:`];
      annotate(first, item, false, (c) => lines.push(c));
      (first as YAMLMap & { commentBefore?: string }).commentBefore = lines.join('\n');
    }
  });
}
