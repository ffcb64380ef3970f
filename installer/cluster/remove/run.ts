// Runs a removal plan step by step, journaled under `remove/<step>` for the node: a re-run after a fault
// (e.g. a drain that timed out) resumes at the step that did not finish. When every step is done the
// node's journal entries are forgotten: a node added again later is bootstrapped from the start.
import type { Site } from '../../inventory/types.ts';
import { SshError } from '../../ssh/remote.ts';
import { redact } from '../../ssh/redact.ts';
import type { UpEvent } from '../apply.ts';
import { errorText, type ClusterOptions } from '../hosts.ts';
import type { Journal } from '../journal.ts';
import { StepRunner } from '../upgrade/run.ts';
import type { RemovePlan } from './plan.ts';

export interface RemoveResult {
  ok: boolean;
  step?: string;
  error?: string;
  ran: string[];
  skipped: string[];
  osds: string[];
}

export async function runRemove(
  site: Site,
  plan: RemovePlan,
  journal: Journal,
  o: ClusterOptions & { stepTimeoutSec?: number; onEvent?: (e: UpEvent) => void } = {},
): Promise<RemoveResult> {
  const emit = (e: UpEvent) => o.onEvent?.({ ...e, message: e.message === undefined ? undefined : redact(e.message) });
  const runner = new StepRunner(site, o);
  const res: RemoveResult = { ok: true, ran: [], skipped: [], osds: [] };
  const node = plan.node;
  try {
    for (const s of plan.steps) {
      if (journal.finished(node, s.key, s.inputs)) {
        res.skipped.push(s.id);
        emit({ node, step: s.key, kind: 'skipped', message: 'finished in an earlier run' });
        continue;
      }
      emit({ node, step: s.key, kind: 'start', message: s.runsOn !== node ? `on ${s.runsOn}` : undefined });
      const t0 = Date.now();
      try {
        const out = await runner.run(s.runsOn, s.script, s.key, s.timeoutSec, (m) =>
          emit({ node, step: s.key, kind: 'note', message: m }),
        );
        for (const m of out.matchAll(/^LABCTL_OUTPUT osds=(\S+)$/gm)) res.osds.push(...m[1]!.split(','));
      } catch (e) {
        const msg = e instanceof SshError ? `${s.runsOn}: ${e.reason}` : errorText(e);
        Object.assign(res, { ok: false, step: s.key, error: `${node} [${s.key}]: ${redact(msg)}` });
        emit({ node, step: s.key, kind: 'failed', message: res.error, ms: Date.now() - t0 });
        return res;
      }
      await journal.markDone(node, s.key, s.inputs, Date.now() - t0);
      res.ran.push(s.id);
      emit({ node, step: s.key, kind: 'done', ms: Date.now() - t0 });
    }
  } finally {
    runner.close();
  }
  await journal.forget(node);
  return res;
}
