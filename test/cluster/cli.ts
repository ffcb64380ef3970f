// The real CLI, run without blocking this process: the fake rack's package proxy lives in the test
// process, so a blocking spawnSync would starve the hosts' apt and deadlock.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from '../helpers.ts';

export function labctlAsync(
  args: string[],
  timeoutMs = 300_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [resolve(ROOT, 'bin/labctl.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b) => {
      stdout += b;
    });
    p.stderr.on('data', (b) => {
      stderr += b;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}
