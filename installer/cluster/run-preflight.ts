// Preflight over SSH: connect to every node (bounded concurrency), one facts round trip each, then the
// pure checks of preflight.ts. An unreachable node is a row with a failed `ssh` check, not an exception.
import type { Site } from '../inventory/types.ts';
import { gatherFacts } from './facts.ts';
import { checkHost, unreachableReport, hostFailed, type HostReport } from './preflight.ts';
import { connectNode, errorText, forEachNode, type ClusterOptions } from './hosts.ts';
import { SshError } from '../ssh/remote.ts';

export interface PreflightResult {
  hosts: HostReport[];
  ok: boolean;
}

/** Preflight only reads, and its cost is the hosts' (one short script each), so it fans out wider than `up`:
 *  at 16 a 32-host rack would take two waves of round trips. */
export const PREFLIGHT_CONCURRENCY = 64;

export async function runPreflight(site: Site, o: ClusterOptions = {}, only?: string[]): Promise<PreflightResult> {
  const nodes = only ? site.nodes.filter((n) => only.includes(n.name)) : site.nodes;
  const results = await forEachNode(
    nodes,
    { ...o, concurrency: o.concurrency ?? PREFLIGHT_CONCURRENCY },
    async (node) => {
      const host = await connectNode(node, o);
      try {
        const facts = await gatherFacts(host, node);
        return {
          node: node.name,
          address: node.address,
          roles: node.roles,
          reachable: true,
          checks: checkHost(site, node, facts),
          facts,
        } satisfies HostReport;
      } finally {
        host.close();
      }
    },
  );
  const hosts = nodes.map((n) => {
    const r = results.get(n.name)!;
    // The row names the node: the reason without it ("node1: ssh: FAIL: node1: cannot reach sshd" said it twice).
    return r.ok ? r.value : unreachableReport(n, r.error instanceof SshError ? r.error.reason : errorText(r.error));
  });
  return { hosts, ok: !hosts.some(hostFailed) };
}
