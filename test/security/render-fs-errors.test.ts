// File system errors give a clear message naming the path and exit 1, never "internal error" with a
// stack: an existing file where a folder should be, a read-only file system (the test runs as root, for
// whom chmod denies nothing, so "no permission" is a read-only mount), a full disk (a tiny tmpfs). The
// mounts live in a private mount namespace of the command (unshare -m) and vanish with it.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { labctl, weakenedCopy, type Run } from './render-weakened-copy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-fserr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `mount ...` then labctl (of `root`) in a private mount namespace. */
function withMount(mount: string, args: string[], root = ROOT): Promise<Run> {
  return new Promise((res) => {
    const script = `set -e; ${mount}; exec "${process.execPath}" "${resolve(root, 'bin/labctl.js')}" "$@"`;
    const p = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', ...args], {
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
    const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}

const noStack = (r: Run) => {
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/\n\s+at /);
};

describe('file system errors: a clear message naming the path, exit 1', () => {
  it('-o onto an existing file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x\n');
    const r = await labctl(['render', '-i', EXAMPLE, '-o', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`labctl: ${file}: is a file, but labctl needs a folder there`);
    noStack(r);
    const sub = await labctl(['render', '-i', EXAMPLE, '-o', join(file, 'site')]);
    expect(sub.code).toBe(1);
    expect(sub.stderr).toContain(`labctl: ${file}: is a file, but labctl needs a folder there`);
  });

  it('a read-only file system (render -o, and secrets init writing its key there)', async () => {
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    const r = await withMount(`mount -t tmpfs -o ro,size=1m tmpfs ${ro}`, [
      'render',
      '-i',
      EXAMPLE,
      '-o',
      join(ro, 'site'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `labctl: cannot create the folder ${join(ro, 'site', '.labctl')}: ${ro}: the file system is read-only (EROFS)`,
    );
    noStack(r);
    const repo = join(tmp, 'repo-ro');
    mkdirSync(repo);
    const k = await withMount(`mount -t tmpfs -o ro,size=1m tmpfs ${ro}`, [
      'secrets',
      'init',
      '-r',
      repo,
      '-k',
      join(ro, 'site.agekey'),
    ]);
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(
      new RegExp(`labctl: cannot (open|create the folder) ${ro}/.*the file system is read-only \\(EROFS\\)`),
    );
    noStack(k);
  });

  it('a full disk (a 64 KiB tmpfs): names the file it could not write', async () => {
    const full = join(tmp, 'full');
    mkdirSync(full);
    const r = await withMount(`mount -t tmpfs -o size=64k tmpfs ${full}`, [
      'render',
      '-i',
      EXAMPLE,
      '-o',
      join(full, 'site'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `labctl: cannot (write|open|create the folder) ${full}/site/\\S+: no space left on the device \\(the disk is full\\) \\(ENOSPC\\)`,
      ),
    );
    noStack(r);
  });

  it('weakened copy: without the mapping in main.ts the same full disk is an "internal error" with a stack, exit 3', async () => {
    const weak = weakenedCopy([
      [
        'installer/cli/main.ts',
        'const fsMessage = fileSystemMessage(e);',
        'const fsMessage = undefined as string | undefined;',
      ],
    ]);
    try {
      const full = join(tmp, 'full-weak');
      mkdirSync(full);
      const r = await withMount(
        `mount -t tmpfs -o size=64k tmpfs ${full}`,
        ['render', '-i', EXAMPLE, '-o', join(full, 'site')],
        weak,
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('internal error');
    } finally {
      rmSync(weak, { recursive: true, force: true });
    }
  });
});
