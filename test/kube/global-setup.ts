// Starts ONE real kube-apiserver (test/kube/main.go: the pinned k8s.io/kubernetes on an embedded etcd,
// loopback only) for the whole vitest run and provides its admin kubeconfig to the tests
// (inject('kube'), see client.ts). Built by .ci/kube-harness.sh into .tools/bin/kube-harness.
// Only started when a selected test file uses it (under test/kube/ or importing test/kube/client.ts), so
// running one unrelated test file costs nothing. A missing binary is not a skip: the kube tests fail with
// the reason.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { tokenFile } from './identities.ts';

export interface KubeHarness {
  kubeconfig?: string;
  error?: string;
  startMs?: number;
  log?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kube: KubeHarness;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');
export const HARNESS = join(ROOT, '.tools/bin/kube-harness');
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

async function needed(project: TestProject): Promise<boolean> {
  // The CLI's file filters (vitest 3 keeps them in filenamePattern, not in its typings); none = whole suite.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  if (!filters.length) return true;
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((f) => f.includes('/test/kube/') || /kube\/client(\.ts)?['"]/.test(readFileSync(f, 'utf8')));
}

/** Starts the harness in dir; resolves with the kubeconfig path once it prints "ready". */
export function startHarness(dir: string): Promise<{ child: ChildProcess; kubeconfig: string; startMs: number }> {
  const t0 = Date.now();
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, tokenFile(), { mode: 0o600 });
  const log = join(dir, 'harness.log');
  const child = spawn(HARNESS, ['--dir', join(dir, 'state'), '--token-auth-file', tokens], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logged: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    logged.push(c);
    if (logged.length > 2000) logged.shift();
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`kube-harness not ready after ${START_TIMEOUT_MS / 1000} s; log: ${log}`));
    }, START_TIMEOUT_MS);
    const failed = (why: string) => {
      clearTimeout(timer);
      writeFileSync(log, logged.join(''));
      rej(new Error(`kube-harness ${why}; last log lines:\n${logged.join('').split('\n').slice(-15).join('\n')}`));
    };
    child.on('error', (e) => failed(`did not start: ${e.message}`));
    child.on('exit', (code, sig) => failed(`exited (${code ?? sig}) before it was ready`));
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /^ready (\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      res({ child, kubeconfig: m[1]!, startMs: Date.now() - t0 });
    });
  });
}

/** SIGTERM (graceful shutdown of kube-apiserver, then etcd), SIGKILL after a bounded wait. */
export function stopHarness(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

export default async function setup(project: TestProject) {
  // vitest runs this file for the root project and again for every project that extends the root
  // config (fast, slow): three kube-apiservers, two of them idle. Only the root one starts; every
  // project inherits what the root provides.
  if (!project.isRootProject()) return;
  if (!(await needed(project))) {
    project.provide('kube', { error: 'no selected test file uses the kube-apiserver harness' });
    return;
  }
  if (!existsSync(HARNESS)) {
    project.provide('kube', {
      error: `${HARNESS} is missing: build it with \`bash .ci/kube-harness.sh\` (needs Go >= 1.26 and the Go module proxy)`,
    });
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'labctl-kube-'));
  let started: Awaited<ReturnType<typeof startHarness>>;
  try {
    started = await startHarness(dir);
  } catch (e) {
    project.provide('kube', { error: (e as Error).message });
    return;
  }
  console.log(`kube-harness: real kube-apiserver ready in ${started.startMs} ms (${started.kubeconfig})`);
  project.provide('kube', { kubeconfig: started.kubeconfig, startMs: started.startMs, log: join(dir, 'harness.log') });
  return async () => {
    await stopHarness(started.child);
    rmSync(dir, { recursive: true, force: true });
  };
}
