// `labctl up`: runs the plan. Phases in order (prepare on every node, init on the first control plane,
// then the joins); inside a phase the hosts run in parallel (bounded), each host's steps in order.
// A failed host stops only itself, unless a later phase needs it (the first control plane). Finished
// steps are journaled and skipped on the next run when their inputs are unchanged, as long as the host is
// the one they ran on: same SSH host key, and the step's marker still in the host's own step log.
import pLimit from 'p-limit';
import type { Site, SiteNode } from '../inventory/types.ts';
import type { RemoteHost } from '../ssh/remote.ts';
import { SshError, TIMEOUT_EXIT } from '../ssh/remote.ts';
import { redact, registerSecret } from '../ssh/redact.ts';
import { showControls } from '../core/show-controls.ts';
import { StepLog } from './step-log.ts';
import { connectNode, errorText, type ClusterOptions } from './hosts.ts';
import type { Journal } from './journal.ts';
import type { Plan, PlannedStep } from './plan.ts';
import { SECRET_VARS, type SecretName } from './steps/index.ts';
import { runtimeAssignment } from './shell.ts';

/** 'output': the last line of the running step's output (progress display; not printed line by line). */
export type EventKind = 'start' | 'done' | 'skipped' | 'failed' | 'blocked' | 'note' | 'output';
export interface UpEvent {
  node: string;
  step: string;
  kind: EventKind;
  message?: string;
  ms?: number;
}

export interface HostOutcome {
  node: string;
  status: 'done' | 'failed' | 'blocked';
  /** The step that failed or that blocked this host. */
  step?: string;
  error?: string;
  ran: string[];
  skipped: string[];
}

export interface RunOptions extends ClusterOptions {
  /** Overrides every step's timeout (seconds). */
  stepTimeoutSec?: number;
  /** Hosts not to work on, with the reason (e.g. failed preflight checks): reported as failed there. */
  exclude?: Map<string, { step: string; reason: string }>;
  onEvent?: (e: UpEvent) => void;
  /** Run-time values known before the run: the site CA certificate (from the secret store). */
  inputs?: Partial<Record<SecretName, string>>;
  /** Where every step's full output is kept (<state dir>/logs): <logDir>/<host>/<step>.log. */
  logDir?: string;
}

/** The host's own record of finished steps (written by step_done in the step prelude). */
const HOST_STEP_LOG = '/var/lib/labctl/steps.log';

const MISSING_INPUT: Partial<Record<SecretName, string>> = {
  siteCaCert:
    'the site CA certificate was not given (tls.mode internal-ca): run up with --repo <site repository> and the site key, so labctl reads it from the secret store',
  backupS3AccessKey:
    'the secret store has no backup-s3-access-key (or it could not be read): labctl secrets set backup-s3-access-key, then run up again (with --repo and the site key)',
  backupS3SecretKey:
    'the secret store has no backup-s3-secret-key (or it could not be read): labctl secrets set backup-s3-secret-key, then run up again (with --repo and the site key)',
  backupEtcdPassword:
    'the secret store has no backup-etcd-password (or it could not be read): labctl secrets generate creates it, then run up again (with --repo and the site key)',
};

export interface RunResult {
  hosts: HostOutcome[];
  ok: boolean;
  initDone: boolean;
}

const lastLines = (s: string, n: number) => s.trim().split('\n').filter(Boolean).slice(-n).join(' | ');

/** Why a step that ran and exited non-zero failed, in one line (the host's words, control characters shown). */
export function stepFailure(
  code: number | null,
  signal: string | null,
  stdout: string,
  stderr: string,
  timeoutSec: number,
): string {
  if (code === TIMEOUT_EXIT || code === 137) return `timed out after ${timeoutSec} s (stopped on the host)`;
  const marked = [...stderr.matchAll(/^LABCTL_ERROR: (.*)$/gm)].map((m) => m[1]!.replace(/\r$/, ''));
  if (marked.length) return showControls(marked.join('; '));
  return showControls(`exit ${code ?? signal}: ${lastLines(stderr, 3) || lastLines(stdout, 3) || 'no output'}`);
}

export async function runPlan(site: Site, plan: Plan, journal: Journal, o: RunOptions = {}): Promise<RunResult> {
  const emit = (e: UpEvent) =>
    o.onEvent?.({ ...e, message: e.message === undefined ? undefined : showControls(redact(e.message)) });
  const nodes = new Map<string, SiteNode>(site.nodes.map((n) => [n.name, n]));
  const outcome = new Map<string, HostOutcome>();
  const hostOf = (name: string) => {
    let h = outcome.get(name);
    if (!h) {
      h = { node: name, status: 'done', ran: [], skipped: [] };
      outcome.set(name, h);
    }
    return h;
  };
  const conns = new Map<string, RemoteHost>();
  const secrets: Partial<Record<SecretName, string>> = { ...o.inputs };
  const first = plan.firstControlPlane;
  const limit = pLimit(o.concurrency ?? 16);

  async function connection(name: string): Promise<RemoteHost> {
    const c = conns.get(name);
    if (c) return c;
    const fresh = await connectNode(nodes.get(name)!, o);
    conns.set(name, fresh);
    return fresh;
  }

  /** Runs one step; returns stdout on success, throws with a one-line reason (naming its log) otherwise. */
  async function execStep(step: PlannedStep): Promise<string> {
    const timeoutSec = o.stepTimeoutSec ?? step.timeoutSec;
    const vars = step.needs
      .map((n) => {
        const v = secrets[n];
        if (!v) throw new Error(MISSING_INPUT[n] ?? `missing run-time value ${n}`);
        // Checked against a strict pattern, then single-quoted: a value never becomes shell code.
        return runtimeAssignment(n, SECRET_VARS[n], v);
      })
      .join('');
    const host = await connection(step.node);
    const log = new StepLog(
      o.logDir,
      step.node,
      step.id,
      (line) => {
        const note = /^LABCTL_NOTE: (.*)$/.exec(line);
        emit(
          note
            ? { node: step.node, step: step.id, kind: 'note', message: note[1] }
            : { node: step.node, step: step.id, kind: 'output', message: line },
        );
      },
      { acceptSecrets: step.produces },
    );
    const named = (why: string) => (log.file ? `${why} (full output: ${log.file})` : why);
    let r: Awaited<ReturnType<typeof host.runScript>>;
    try {
      r = await host.runScript(vars + step.script, {
        timeoutMs: timeoutSec * 1000,
        step: step.id,
        onStdout: (chunk) => log.write('out', chunk),
        onStderr: (chunk) => log.write('err', chunk),
      });
    } catch (e) {
      log.close(`not finished: ${errorText(e)}`);
      // The connection is gone or hung: drop it so a later attempt reconnects.
      conns.get(step.node)?.close();
      conns.delete(step.node);
      if (e instanceof SshError) throw new SshError(e.host, e.kind, e.step, named(e.reason.replace(/^[^:]*: /, '')));
      throw e;
    }
    log.close(`exit ${r.code ?? r.signal}`);
    if (step.produces) for (const m of r.stdout.matchAll(/^LABCTL_SECRET (\w+)=(\S+)$/gm)) registerSecret(m[2]!);
    if (r.code !== 0) throw new Error(named(stepFailure(r.code, r.signal, r.stdout, r.stderr, timeoutSec)));
    return r.stdout;
  }

  /**
   * The journal's records of a host hold only for the machine they ran on. A host showing another SSH
   * host key than when its steps ran (reinstalled, then re-trusted) has all of them forgotten; a step
   * whose marker is missing from the host's own step log (disk replaced, restored image) is forgotten.
   */
  async function checkIdentity(node: string): Promise<void> {
    const recorded = journal.steps(node);
    if (!recorded.length) return;
    const host = await connection(node);
    const was = journal.hostKey(node);
    if (was && host.hostKey && was !== host.hostKey) {
      emit({
        node,
        step: 'identity',
        kind: 'note',
        message: `host key changed since its steps ran (${was} -> ${host.hostKey}): a reinstalled server; running all its steps again`,
      });
      await journal.forget(node);
      return;
    }
    const r = await host.runScript(`cat ${HOST_STEP_LOG} 2>/dev/null || true\n`, {
      timeoutMs: 30_000,
      step: 'identity',
    });
    const onHost = new Set([...r.stdout.matchAll(/^\S+ (\S+) done$/gm)].map((m) => m[1]!));
    const missing = recorded.filter((id) => !onHost.has(id));
    if (missing.length) {
      emit({
        node,
        step: 'identity',
        kind: 'note',
        message: `${missing.length === recorded.length ? 'no' : 'some'} step markers in ${HOST_STEP_LOG} (missing: ${missing.join(', ')}): running ${missing.length === 1 ? 'it' : 'them'} again`,
      });
      await journal.forget(node, (id) => missing.includes(id));
    }
  }

  const checked = new Set<string>();

  async function runHost(node: string, steps: PlannedStep[]): Promise<void> {
    const h = hostOf(node);
    if (!checked.has(node)) {
      try {
        await checkIdentity(node);
        checked.add(node);
      } catch (e) {
        const first = steps.find((s) => !s.produces)?.id ?? 'identity';
        const msg = e instanceof SshError ? e.reason : errorText(e);
        Object.assign(h, { status: 'failed', step: first, error: `${node} [${first}]: ${showControls(redact(msg))}` });
        emit({ node, step: first, kind: 'failed', message: h.error });
        return;
      }
    }
    for (const step of steps) {
      if (step.produces) continue; // run by needSecrets(), before the phase
      if (journal.finished(node, step.id, step.inputs)) {
        h.skipped.push(step.id);
        emit({ node, step: step.id, kind: 'skipped', message: 'finished in an earlier run' });
        continue;
      }
      emit({ node, step: step.id, kind: 'start' });
      const t0 = Date.now();
      try {
        await execStep(step);
      } catch (e) {
        const msg = e instanceof SshError ? e.reason : errorText(e);
        Object.assign(h, {
          status: 'failed',
          step: step.id,
          error: `${node} [${step.id}]: ${showControls(redact(msg))}`,
        });
        emit({ node, step: step.id, kind: 'failed', message: h.error, ms: Date.now() - t0 });
        return;
      }
      const ms = Date.now() - t0;
      await journal.markDone(node, step.id, step.inputs, ms, conns.get(node)?.hostKey);
      h.ran.push(step.id);
      emit({ node, step: step.id, kind: 'done', ms });
    }
  }

  function block(node: string, step: string, why: string): void {
    const h = hostOf(node);
    if (h.status !== 'done') return;
    Object.assign(h, { status: 'blocked', step, error: `${node} [${step}]: not run: ${why}` });
    emit({ node, step, kind: 'blocked', message: why });
  }

  async function needSecrets(phaseHosts: { node: string; steps: PlannedStep[] }[]): Promise<string | undefined> {
    const pending = phaseHosts.some((h) =>
      h.steps.some((s) => s.needs.length && !journal.finished(h.node, s.id, s.inputs)),
    );
    if (!pending || secrets.joinToken) return undefined;
    const producer = plan.phases
      .flatMap((p) => p.hosts)
      .flatMap((h) => h.steps)
      .find((s) => s.produces && s.node === first);
    if (!producer) return 'no join-credentials step in the plan';
    emit({ node: first, step: producer.id, kind: 'start' });
    try {
      const out = await execStep(producer);
      // Only the join credentials come from the first control plane (never e.g. the site CA).
      for (const m of out.matchAll(/^LABCTL_(?:SECRET|OUTPUT) (joinToken|certificateKey|caCertHash)=(\S+)$/gm))
        secrets[m[1] as SecretName] = m[2]!;
      emit({ node: first, step: producer.id, kind: 'done' });
      return secrets.joinToken && secrets.caCertHash ? undefined : 'the first control plane printed no join token';
    } catch (e) {
      const msg = errorText(e);
      emit({ node: first, step: producer.id, kind: 'failed', message: msg });
      return `${first} [${producer.id}]: ${msg}`;
    }
  }

  for (const [node, x] of o.exclude ?? []) {
    Object.assign(hostOf(node), { status: 'failed', step: x.step, error: `${node} [${x.step}]: ${x.reason}` });
    emit({ node, step: x.step, kind: 'failed', message: x.reason });
  }

  try {
    for (const phase of plan.phases) {
      const hosts = phase.hosts.filter((h) => hostOf(h.node).status === 'done');
      if (phase.phase !== 'prepare') {
        const cp = hostOf(first);
        if (cp.status !== 'done') {
          for (const h of hosts)
            block(
              h.node,
              h.steps.find((s) => !s.produces)?.id ?? h.steps[0]!.id,
              `needs the first control plane ${first}, which stopped at ${cp.step}`,
            );
          continue;
        }
      }
      if (phase.phase === 'join-control-plane' || phase.phase === 'join-workers') {
        const why = await needSecrets(hosts);
        if (why) {
          for (const h of hosts)
            if (h.node !== first || h.steps.some((s) => !s.produces))
              block(h.node, h.steps.find((s) => !s.produces)?.id ?? h.steps[0]!.id, why);
          continue;
        }
      }
      await Promise.all(hosts.map((h) => limit(() => runHost(h.node, h.steps))));
    }
  } finally {
    for (const c of conns.values()) c.close();
  }

  // Hosts with no steps at all (e.g. --nodes) still get an outcome row.
  const hostsOut = [...new Set(plan.phases.flatMap((p) => p.hosts.map((h) => h.node)))].map((n) => hostOf(n));
  const initStep = plan.phases
    .find((p) => p.phase === 'init')
    ?.hosts.find((h) => h.node === first)
    ?.steps.find((s) => s.id === '0050-kubeadm-init');
  const initDone = !!initStep && journal.finished(first, initStep.id, initStep.inputs);
  return { hosts: hostsOut, ok: hostsOut.every((h) => h.status === 'done'), initDone };
}
