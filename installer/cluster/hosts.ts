// Connecting to many nodes with bounded concurrency; one place for the connection settings every
// cluster command shares (tests pass a key and shorter timeouts here).
import pLimit from 'p-limit';
import type { SiteNode } from '../inventory/types.ts';
import { connect, SshError, type RemoteHost } from '../ssh/remote.ts';
import { redact } from '../ssh/redact.ts';

export interface ClusterOptions {
  /** Hosts worked on at the same time. Default 16. */
  concurrency?: number;
  connectTimeoutMs?: number;
  /** Private key text used for every node instead of the inventory's key files (tests). */
  privateKey?: string;
  /** Address overrides by node name (tests map inventory addresses to fake-rack addresses). */
  addresses?: Record<string, string>;
  /** Pinned SSH host keys, <state dir>/known_hosts (the CLI always sets it); unset: pinned in memory only. */
  knownHosts?: string;
}

export function nodeAddress(node: SiteNode, o: ClusterOptions): string {
  return o.addresses?.[node.name] ?? node.address;
}

export function connectNode(node: SiteNode, o: ClusterOptions): Promise<RemoteHost> {
  return connect(
    { ...node, address: nodeAddress(node, o) },
    { connectTimeoutMs: o.connectTimeoutMs, privateKey: o.privateKey, knownHosts: o.knownHosts },
  );
}

export const errorText = (e: unknown): string =>
  redact(e instanceof SshError ? e.message : ((e as Error)?.message ?? String(e)));

/** Runs fn for every node, at most `concurrency` at once, and never rejects: failures come back per node. */
export async function forEachNode<T>(
  nodes: SiteNode[],
  o: ClusterOptions,
  fn: (n: SiteNode) => Promise<T>,
): Promise<Map<string, { ok: true; value: T } | { ok: false; error: unknown }>> {
  const limit = pLimit(o.concurrency ?? 16);
  const out = new Map<string, { ok: true; value: T } | { ok: false; error: unknown }>();
  await Promise.all(
    nodes.map((n) =>
      limit(async () => {
        try {
          out.set(n.name, { ok: true, value: await fn(n) });
        } catch (error) {
          out.set(n.name, { ok: false, error });
        }
      }),
    ),
  );
  return out;
}
