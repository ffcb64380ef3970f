// Shared test helpers: run the real CLI as a user would, and find repo files.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const EXAMPLE = resolve(ROOT, 'inventory.example.yaml');
export const fixture = (...p: string[]) => resolve(ROOT, 'test/fixtures', ...p);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/labctl.js ARGS` to its end, killed after `timeoutMs` (120 s). Asynchronous on purpose: a test
 * worker that blocks in spawnSync cannot answer vitest's RPC, and under load that failed whole runs
 * ("[vitest-worker]: Timeout calling onTaskUpdate"); some tests also serve the CLI from their own process (a
 * package proxy, a registry), which a blocking spawn would deadlock. `root` runs another checkout's labctl
 * (test/security/render-weakened-copy.ts); an env value `undefined` removes that variable.
 */
export function labctl(
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; root?: string } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(opts.root ?? ROOT, 'bin/labctl.js'), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: cliEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // the CLI may exit before reading its input
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/**
 * The environment a labctl run gets: the worker's, with the test's additions. test/setup.ts points
 * LABCTL_AGE_KEY_FILE into the file's own folder; a test that gives a HOME of its own (a user's home) gets
 * the default key path under that HOME instead, as the user would.
 */
export function cliEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const merged = { ...process.env, ...env };
  if (env && 'HOME' in env && !('LABCTL_AGE_KEY_FILE' in env)) delete merged.LABCTL_AGE_KEY_FILE;
  return merged;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (ENOENT...). */
  error?: Error;
}

/**
 * spawnSync's result without blocking the test worker (see labctl() above): `cloud-init schema`, a
 * kubeadm, a Go helper take seconds of CPU each, tens of seconds on two busy cores. Killed after
 * timeoutMs (default 120 s).
 */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    let error: Error | undefined;
    child.on('error', (e) => {
      error = e;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      done({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(error ? { error } : {}),
      });
    });
  });
}
