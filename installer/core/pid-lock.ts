// One labctl process at a time on a folder: an exclusive lock file (O_EXCL) holding the pid, taken before
// anything is checked, so two processes never both see "absent" and both write. A lock left by a dead
// process is taken over; a live holder is waited for up to `waitMs`, then named in the error.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { Problem } from './diagnostics.ts';

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function takePidLock(lock: string, o: { waitMs: number; what: string }): () => void {
  const deadline = Date.now() + o.waitMs;
  let holder = 0;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text = '';
    try {
      text = readFileSync(lock, 'utf8');
    } catch {
      continue;
    } // released meanwhile
    holder = Number(text.trim());
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = true;
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    // A lock just created may not hold its pid yet (holder 0): treat it as alive.
    if (holder && !alive) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() >= deadline) break;
    sleep(100);
  }
  throw new Problem(
    `${o.what} is in use by labctl process ${holder || '(unknown)'} (lock ${lock}); wait for it to finish`,
  );
}
