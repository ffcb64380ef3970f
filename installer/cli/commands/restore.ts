import { Problem } from '../../core/diagnostics.ts';
import { formatRestorePlan } from '../../backup/restore-plan.ts';
import { planRestoreFromCluster, runRestore } from '../../backup/run.ts';
import { optedOutCourses } from '../../backup/settings.ts';
import { redact } from '../../ssh/redact.ts';
import { printJson } from '../output.ts';
import { type BackupCommonOptions, backupContext } from './backup.ts';

export interface RestoreOptions extends BackupCommonOptions {
  yes: boolean;
  from?: string;
  namespace: string[];
  waitTimeout: number;
  pollMs?: number;
}

/** `labctl restore`: the plan; with --yes the Velero Restore(s) of that plan, waited for (bounded). */
export async function restoreCommand(o: RestoreOptions, ctx = backupContext(o), now = new Date()): Promise<void> {
  const log = (s: string) => {
    if (o.output === 'text') process.stdout.write(redact(s));
  };
  try {
    const plan = await planRestoreFromCluster(ctx.site, ctx.kc, { from: o.from, namespaces: o.namespace }, now);
    const text = formatRestorePlan(plan, optedOutCourses(ctx.site));
    if (plan.refused.length) {
      if (o.output === 'json') printJson({ plan, ran: false });
      throw new Problem(`${text.trimEnd()}\nnothing was changed`);
    }
    log(text);
    if (!o.yes) {
      if (o.output === 'json') printJson({ plan, ran: false });
      log('\nnothing changed; to run it: the same command with --yes instead of --plan\n');
      return;
    }
    const r = await runRestore(ctx.kc, plan, { waitSec: o.waitTimeout, pollMs: o.pollMs, log });
    if (o.output === 'json') printJson({ plan, ran: true, result: r });
    const bad = r.restores.filter((x) => x.phase !== 'Completed');
    if (r.timedOut)
      throw new Problem(
        `not finished after ${o.waitTimeout} s: ${bad.map((x) => `${x.name} ${x.phase}`).join(', ')}; Velero goes on: kubectl -n velero get restores`,
      );
    if (bad.length)
      throw new Problem(
        `${bad.map((x) => `${x.name} ended ${x.phase}`).join(', ')} (velero restore describe NAME --details says what was not restored)`,
      );
    log('restore completed; objects that existed were skipped and left as they were\n');
  } finally {
    ctx.close();
  }
}
