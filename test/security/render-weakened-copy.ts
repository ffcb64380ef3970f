// Helpers of the render and secrets attack tests: the real CLI run without blocking the test process,
// and a deliberately weakened copy of labctl (its sources copied, one protection edited out) so each
// attack test can show the attack succeeding without the protection it tests.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../helpers.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs labctl (this checkout's, or `root`'s copy) asynchronously; `input` is written to stdin and closed. */
export function labctlAt(
  root: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {},
): Promise<Run> {
  return new Promise((res) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const p = spawn(process.execPath, [resolve(root, 'bin/labctl.js'), ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b) => {
      stdout += b;
    });
    p.stderr.on('data', (b) => {
      stderr += b;
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(opts.input ?? '');
    const t = setTimeout(() => p.kill('SIGKILL'), 180_000);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}

export const labctl = (args: string[], opts: Parameters<typeof labctlAt>[2] = {}) => labctlAt(ROOT, args, opts);

/**
 * A copy of labctl with text replacements applied to its sources: [file under the checkout, exact text,
 * replacement]. Every replacement must match, so a refactoring that moves the protection makes the test
 * fail loudly instead of silently testing nothing.
 */
export function weakenedCopy(edits: [file: string, from: string, to: string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-weakened-'));
  for (const p of ['bin', 'installer', 'gitops', 'charts', 'images', 'package.json', 'inventory.example.yaml'])
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(ROOT, '.tools'), join(dir, '.tools'));
  for (const [file, from, to] of edits) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`weakenedCopy: ${file} no longer contains ${JSON.stringify(from)}`);
    writeFileSync(path, text.split(from).join(to));
  }
  return dir;
}
