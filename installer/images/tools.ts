// The external programs the image commands drive (qemu-img, virt-customize, skopeo, cloud-init):
// found on PATH, run with argument arrays (never a shell string), failures turned into Problems.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Problem } from '../core/diagnostics.ts';

/** Absolute path of `cmd` on PATH, or undefined. */
export function findOnPath(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export const DEBIAN_PACKAGE: Record<string, string> = {
  'qemu-img': 'qemu-utils',
  'virt-customize': 'libguestfs-tools',
  skopeo: 'skopeo',
  'cloud-init': 'cloud-init',
};

export function requireTool(cmd: string): string {
  const p = findOnPath(cmd);
  if (!p)
    throw new Problem(`${cmd} not found on PATH; install it (Debian/Ubuntu package ${DEBIAN_PACKAGE[cmd] ?? cmd})`);
  return p;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, collecting output (bounded by `timeoutMs`). Never throws for a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout,
        stderr: signal ? `${stderr}\n(${cmd} stopped by ${signal})` : stderr,
      });
    });
    // A program that exits without reading its input (e.g. it fails at once) closes the pipe: that is
    // reported by its exit code, not by an unhandled EPIPE that would kill labctl.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

export function runSync(cmd: string, args: string[], timeoutMs = 60_000): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** The last meaningful lines of a tool's stderr, for an error message. */
export const tail = (s: string, lines = 4) =>
  s
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-lines)
    .join(' | ');
