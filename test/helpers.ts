// Shared test helpers: run the real CLI as a user would, and find repo files.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const EXAMPLE = resolve(ROOT, 'inventory.example.yaml');
export const fixture = (...p: string[]) => resolve(ROOT, 'test/fixtures', ...p);

export function labctl(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/labctl.js'), ...args], {
    cwd: opts.cwd ?? ROOT, input: opts.input, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
