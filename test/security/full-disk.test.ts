// A full disk loses nothing and blocks nothing afterwards: the site lock (installer/core/pid-lock.ts) and
// the bundle's code cache (bin/run-bundle.js writeCache) on a 64 KiB tmpfs that is full. Root only (a mount
// namespace of its own: `unshare -m`), like CI; the mount is gone with the namespace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'labctl-full-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `script` (an ES module; DISK is the full tmpfs) in a mount namespace with DISK mounted and filled. */
async function onFullDisk(script: string): Promise<string> {
  const file = join(dir, `trial-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, script);
  const disk = join(dir, 'disk');
  const r = await run(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mkdir -p ${disk} && mount -t tmpfs -o size=64k tmpfs ${disk} && (dd if=/dev/zero of=${disk}/filler bs=4k 2>/dev/null; true) && DISK=${disk} exec ${process.execPath} --import tsx ${file}`,
    ],
    { cwd: ROOT },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('a full disk', () => {
  it('the site lock: taking it fails with ENOSPC and leaves no empty lock that would block every later run', async () => {
    const out = await onFullDisk(`
      import { existsSync } from 'node:fs';
      import { takePidLock } from ${JSON.stringify(join(ROOT, 'installer/core/pid-lock.ts'))};
      const lock = process.env.DISK + '/lock';
      let code = 'none';
      try { takePidLock(lock, { waitMs: 0, what: 'the site' }); } catch (e) { code = e.code ?? e.message; }
      console.log(code, existsSync(lock) ? 'lock left' : 'no lock');
    `);
    expect(out.trim()).toBe('ENOSPC no lock');
  });

  it('the code cache: writing fails with ENOSPC and leaves neither a cache file nor a temporary', async () => {
    const out = await onFullDisk(`
      import { readdirSync } from 'node:fs';
      import { writeCache } from ${JSON.stringify(join(ROOT, 'bin/run-bundle.js'))};
      let code = 'none';
      try { writeCache(process.env.DISK + '/v8-cache.render.bin', Buffer.alloc(300_000, 7)); } catch (e) { code = e.code; }
      console.log(code, readdirSync(process.env.DISK).join(','));
    `);
    expect(out.trim()).toBe('ENOSPC filler');
  });
});
