// Runs an upgrade plan: batch after batch; inside a batch the nodes in parallel, each node's four steps in
// order. A failure stops the upgrade after the batch it happened in (never a second batch while one node is
// half-done). Finished steps are journaled under `upgrade-<target>/<step>`, so a re-run resumes where it stopped.
import type { Site, SiteNode } from '../../inventory/types.ts';
import type { RemoteHost } from '../../ssh/remote.ts';
import { SshError } from '../../ssh/remote.ts';
import { redact } from '../../ssh/redact.ts';
import { stepFailure, type UpEvent } from '../apply.ts';
import { connectNode, errorText, type ClusterOptions } from '../hosts.ts';
import type { Journal } from '../journal.ts';
import type { UpgradePlan, UpgradeStep } from './plan.ts';

export interface NodeResult {
  node: string;
  status: 'done' | 'failed' | 'not started';
  step?: string;
  error?: string;
  ran: string[];
  skipped: string[];
}
export interface UpgradeResult {
  ok: boolean;
  nodes: NodeResult[];
}

/** Runs scripts on nodes over one cached connection per host; a lost connection is dropped for a retry. */
export class StepRunner {
  private conns = new Map<string, RemoteHost>();
  constructor(
    private site: Site,
    private o: ClusterOptions & { stepTimeoutSec?: number },
  ) {}

  async run(
    host: string,
    script: string,
    step: string,
    timeoutSec: number,
    onNote?: (m: string) => void,
  ): Promise<string> {
    const t = this.o.stepTimeoutSec ?? timeoutSec;
    let c = this.conns.get(host);
    if (!c) {
      const node = this.site.nodes.find((n) => n.name === host) as SiteNode;
      c = await connectNode(node, this.o);
      this.conns.set(host, c);
    }
    let r;
    try {
      r = await c.runScript(script, {
        timeoutMs: t * 1000,
        step,
        onStdout: (chunk) => {
          for (const m of chunk.matchAll(/^LABCTL_NOTE: (.*)$/gm)) onNote?.(m[1]!);
        },
      });
    } catch (e) {
      c.close();
      this.conns.delete(host);
      throw e;
    }
    if (r.code !== 0) throw new Error(stepFailure(r.code, r.signal, r.stdout, r.stderr, t));
    return r.stdout;
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

export async function runUpgrade(
  site: Site,
  plan: UpgradePlan,
  journal: Journal,
  o: ClusterOptions & { stepTimeoutSec?: number; onEvent?: (e: UpEvent) => void } = {},
): Promise<UpgradeResult> {
  const emit = (e: UpEvent) => o.onEvent?.({ ...e, message: e.message === undefined ? undefined : redact(e.message) });
  const runner = new StepRunner(site, o);
  const results = new Map<string, NodeResult>(
    plan.batches.flat().map((n) => [n.node, { node: n.node, status: 'not started', ran: [], skipped: [] }]),
  );

  async function runNode(node: string, steps: UpgradeStep[]): Promise<void> {
    const r = results.get(node)!;
    for (const s of steps) {
      if (journal.finished(node, s.key, s.inputs)) {
        r.skipped.push(s.id);
        emit({ node, step: s.key, kind: 'skipped', message: 'finished in an earlier run' });
        continue;
      }
      emit({ node, step: s.key, kind: 'start', message: s.runsOn !== node ? `on ${s.runsOn}` : undefined });
      const t0 = Date.now();
      try {
        await runner.run(s.runsOn, s.script, s.key, s.timeoutSec, (m) =>
          emit({ node, step: s.key, kind: 'note', message: m }),
        );
      } catch (e) {
        const msg = e instanceof SshError ? `${s.runsOn}: ${e.reason}` : errorText(e);
        Object.assign(r, { status: 'failed', step: s.key, error: `${node} [${s.key}]: ${redact(msg)}` });
        emit({ node, step: s.key, kind: 'failed', message: r.error, ms: Date.now() - t0 });
        return;
      }
      const ms = Date.now() - t0;
      await journal.markDone(node, s.key, s.inputs, ms);
      r.ran.push(s.id);
      emit({ node, step: s.key, kind: 'done', ms });
    }
    r.status = 'done';
  }

  try {
    for (const batch of plan.batches) {
      await Promise.all(batch.map((n) => runNode(n.node, n.steps)));
      if (batch.some((n) => results.get(n.node)!.status === 'failed')) break;
    }
  } finally {
    runner.close();
  }
  const nodes = [...results.values()];
  return { ok: nodes.every((n) => n.status === 'done'), nodes };
}
