// What `labctl up` shows while it runs. Every host's current step, its elapsed time and the last line
// of its output. At a terminal: one live line per host (listr2). Elsewhere (CI, a pipe, a log file):
// plain lines only, no spinners or cursor movement: one line per event and, while a step runs long,
// a "still running" line every `heartbeatMs` with the elapsed time and the host's last output line.
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { UpEvent } from './apply.ts';
import { redact } from '../ssh/redact.ts';

export interface Progress {
  event(e: UpEvent): void;
  /** Ends the display; `failed` holds the reason per host that did not finish. */
  end(failed: Map<string, string>): Promise<void>;
}

export const elapsed = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

const clock = () => new Date().toISOString().slice(11, 19);

/** One line per event: time, host, step, what happened. Secrets are redacted by runPlan already. */
export function progressLine(e: UpEvent): string {
  const what =
    e.kind === 'done'
      ? `done${e.ms !== undefined ? ` (${(e.ms / 1000).toFixed(1)} s)` : ''}`
      : e.kind === 'skipped'
        ? `skipped (${e.message})`
        : e.kind === 'failed'
          ? `FAILED: ${e.message}`
          : e.kind === 'blocked'
            ? `not run: ${e.message}`
            : e.kind === 'note'
              ? `  ${e.message}`
              : e.kind === 'output'
                ? `  ${e.message}`
                : 'started';
  return `${clock()} ${e.node.padEnd(12)} ${e.step.padEnd(32)} ${what}\n`;
}

interface Running {
  step: string;
  since: number;
  last?: string;
}

/** Plain lines (not a terminal): events as lines, plus a heartbeat for steps that run long. */
export function lineProgress(write: (s: string) => void, heartbeatMs = 30_000): Progress {
  const running = new Map<string, Running>();
  const timer = setInterval(() => {
    for (const [node, r] of running) {
      write(
        `${clock()} ${node.padEnd(12)} ${r.step.padEnd(32)} still running (${elapsed(Date.now() - r.since)})${r.last ? `: ${r.last.slice(0, 160)}` : ''}\n`,
      );
    }
  }, heartbeatMs);
  timer.unref();
  return {
    event(e) {
      if (e.kind === 'output') {
        const r = running.get(e.node);
        if (r) r.last = e.message;
        return;
      }
      if (e.kind === 'start') running.set(e.node, { step: e.step, since: Date.now() });
      else if (e.kind !== 'note') running.delete(e.node);
      write(progressLine(e));
    },
    async end() {
      clearInterval(timer);
    },
  };
}

/** A terminal: one live task per host (listr2), title "host: step (elapsed)", output its last line. */
export function ttyProgress(nodes: string[]): Progress {
  const tasks = new Map<string, ListrTaskWrapper<unknown, never, never>>();
  const state = new Map<string, Running & { status: string }>();
  const lastLine = new Map<string, string>();
  let finish!: (failed: Map<string, string>) => void;
  const ended = new Promise<Map<string, string>>((res) => {
    finish = res;
  });
  const title = (node: string) => {
    const s = state.get(node);
    if (!s) return `${node}: waiting`;
    return `${node}: ${s.step} ${s.status}${s.status === 'running' ? ` (${elapsed(Date.now() - s.since)})` : ''}`;
  };
  const list = new Listr(
    nodes.map((node) => ({
      title: `${node}: waiting`,
      task: async (_: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
        tasks.set(node, task);
        // Events may come before listr2 starts this task: show what is known so far.
        task.title = title(node);
        const last = lastLine.get(node);
        if (last) task.output = last;
        const failed = await ended;
        const why = failed.get(node);
        if (why) throw new Error(why);
        task.title = `${node}: ${state.get(node)?.step ? 'all steps done' : 'nothing to do'}`;
      },
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false, outputBar: 1 } } as never,
  );
  const running = list.run().catch(() => undefined);
  const timer = setInterval(() => {
    for (const [node, t] of tasks) t.title = title(node);
  }, 1000);
  return {
    event(e) {
      const t = tasks.get(e.node);
      if (e.kind === 'output' || e.kind === 'note') {
        const line = redact(e.message ?? '');
        lastLine.set(e.node, line);
        if (t) t.output = line;
        return;
      }
      const status =
        e.kind === 'start'
          ? 'running'
          : e.kind === 'done'
            ? 'done'
            : e.kind === 'skipped'
              ? 'already done'
              : e.kind === 'blocked'
                ? 'not run'
                : 'FAILED';
      state.set(e.node, { step: e.step, since: Date.now(), status });
      if (t) t.title = title(e.node);
    },
    async end(failed) {
      clearInterval(timer);
      finish(failed);
      await running;
    },
  };
}
