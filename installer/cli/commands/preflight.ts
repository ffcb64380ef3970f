import { dirname, join } from 'node:path';
import { localChecks, localTable } from '../../cluster/local-preflight.ts';
import { ExitError } from '../../core/diagnostics.ts';
import { defaultStateDir } from '../../cluster/journal.ts';
import { PIN_FILE } from '../../ssh/host-keys.ts';
import { runPreflight } from '../../cluster/run-preflight.ts';
import { CHECK_IDS, versionReport, type HostReport } from '../../cluster/preflight.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite, pickNodes } from './cluster-common.ts';

export interface PreflightOptions {
  inventory: string;
  output: OutputFormat;
  nodes?: string[];
  concurrency?: number;
  connectTimeout?: number;
  stateDir?: string;
  repo?: string;
  keyFile?: string;
}

const MARK = { pass: 'ok', fail: 'FAIL', warn: 'warn', 'n/a': '-' } as const;

/** The hosts x checks table, then one line per failure or warning with its reason. */
export function preflightTable(hosts: HostReport[]): string {
  const cols = ['node', ...CHECK_IDS];
  const rows = hosts.map((h) => [
    h.node,
    ...CHECK_IDS.map((id) => {
      const c = h.checks.find((x) => x.id === id);
      return c ? MARK[c.status] : h.reachable ? '-' : '?';
    }),
  ]);
  const width = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((x, i) => x.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(cols), ...rows.map(line), ''];
  for (const h of hosts) {
    for (const c of h.checks) {
      if (c.status === 'fail' || c.status === 'warn')
        out.push(`${h.node}: ${c.id}: ${c.status === 'fail' ? 'FAIL' : 'warning'}: ${c.reason ?? ''}`);
    }
  }
  return out.join('\n') + '\n';
}

export async function preflightCommand(o: PreflightOptions): Promise<void> {
  const site = loadSite(o.inventory);
  // A typo in --nodes is said first: it was said only once this machine passed its checks.
  const only = pickNodes(site, o.nodes);
  // This machine first: a missing tool or a wrong site key stops here, before any server is touched.
  const local = await localChecks(site, { repo: o.repo ?? dirname(o.inventory), keyFile: o.keyFile });
  const localFailed = local.filter((c) => c.status === 'fail');
  if (o.output === 'text') process.stdout.write(localTable(local));
  if (localFailed.length) {
    if (o.output === 'json') printJson({ ok: false, local, hosts: [] });
    throw new ExitError(
      o.output === 'json'
        ? ''
        : `preflight failed on this machine (${localFailed.map((c) => c.id).join(', ')}); no server was contacted`,
      1,
    );
  }
  const r = await runPreflight(
    site,
    {
      concurrency: o.concurrency,
      connectTimeoutMs: o.connectTimeout ? o.connectTimeout * 1000 : undefined,
      knownHosts: join(o.stateDir ?? defaultStateDir(site), PIN_FILE),
    },
    only,
  );
  if (o.output === 'json') {
    printJson({ ok: r.ok, local, hosts: r.hosts });
  } else {
    process.stdout.write(preflightTable(r.hosts));
    process.stdout.write(versionReport(r.hosts));
  }
  const failed = r.hosts.filter((h) => h.checks.some((c) => c.status === 'fail')).map((h) => h.node);
  if (failed.length)
    throw new ExitError(
      o.output === 'json'
        ? ''
        : `preflight failed on ${failed.length} of ${r.hosts.length} node(s): ${failed.join(', ')}`,
      1,
    );
  if (o.output === 'text') process.stdout.write(`preflight passed on all ${r.hosts.length} node(s)\n`);
}
