// One labctl process at a time on a folder: an exclusive lock file (O_EXCL) holding the pid, taken before
// anything is checked, so two processes never both see "absent" and both write. A lock left by a dead
// process is taken over; a live holder is waited for up to `waitMs`, then named in the error.
// The lock also records the host name and the holder's start time (Linux /proc/<pid>/stat), so a lock that
// is not a live labctl here is stale: one from another host (a folder copied or committed with its lock),
// a pid now reused by another process, or a pid that is no labctl/node process (a committed lock naming
// pid 1 would otherwise block every render). Folders shared live between hosts are not supported.
import { closeSync, existsSync, lstatSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { Problem } from './diagnostics.ts';
import { NotRegularFile, notRegularSaid, readRegularFile } from './regular-file.ts';

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const PROC = existsSync('/proc/self/stat');

/** The start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined. */
function startOf(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]; // fields after "pid (comm)" start at field 3
  } catch {
    return undefined;
  }
}

/** The lock's text: pid, host and start identity, one per line. */
export function lockText(): string {
  return `${process.pid}\nhost ${hostname()}\n${PROC ? `start ${startOf('self') ?? ''}\n` : ''}`;
}

/** How long a lock may hold no pid: labctl writes it in one write right after creating the file. */
export const WRITING_MS = 2_000;
/** A lock is three short lines; more than this is not one labctl wrote. */
const LOCK_MAX = 4096;

/**
 * Why the lock `text` does not belong to a live labctl on this host, or undefined when it may. `ageMs` is how
 * long ago the lock file was last written: a lock just created may not hold its pid yet, but one that still
 * holds none after WRITING_MS (empty, or text that is no pid: a committed file) never will, and blocked every
 * render and secrets command for good.
 */
export function staleReason(text: string, ageMs = 0): string | undefined {
  const [first = '', ...rest] = text.split('\n');
  const pid = Number(first.trim());
  if (!/^\d+$/.test(first.trim()) || !Number.isSafeInteger(pid) || pid <= 0)
    return Math.abs(ageMs) > WRITING_MS ? 'it holds no process id' : undefined;
  const field = (k: string) =>
    rest
      .find((l) => l.startsWith(`${k} `))
      ?.slice(k.length + 1)
      .trim();
  const host = field('host');
  if (host !== undefined && host !== hostname()) return `taken on host ${host}`;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return `process ${pid} is not running`;
  }
  if (!PROC) return undefined;
  const start = field('start');
  const now = startOf(pid);
  if (start && now && start !== now) return `process ${pid} is not the one that took it (started at another time)`;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? `process ${pid} is not running` : undefined; // hidden: assume alive
  }
  // A process that sets process.title (vitest workers do) shows it as one argument: "node (vitest 1)".
  const exe = basename((args[0] ?? '').split(' ')[0]!);
  const labctl = /^(node|nodejs|labctl)([.\d-].*)?$/.test(exe) || args.some((a) => basename(a).startsWith('labctl'));
  return labctl ? undefined : `process ${pid} (${exe || '?'}) is not labctl`;
}

export function takePidLock(lock: string, o: { waitMs: number; what: string }): () => void {
  const deadline = Date.now() + o.waitMs;
  let holder = 0;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, lockText());
      } catch (e) {
        // Ours, but empty (a full disk): an empty lock never looks stale, so it would block every later run.
        rmSync(lock, { force: true });
        throw e;
      } finally {
        closeSync(fd);
      }
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text = '';
    let ageMs = 0;
    try {
      ageMs = Date.now() - lstatSync(lock).mtimeMs;
      text = readRegularFile(lock, LOCK_MAX).toString('utf8');
    } catch (e) {
      if (!(e instanceof NotRegularFile)) continue; // released meanwhile
      // Text that is no pid goes stale after WRITING_MS; a long file is that too. A pipe (read: wait for a
      // writer forever), a folder or a link labctl never makes: its owner, not labctl, should remove it.
      if (e.why !== 'too large')
        throw new Problem(
          `${lock} ${notRegularSaid(e, LOCK_MAX)}: labctl's lock is a plain file holding the process id of the labctl at work on ${o.what}; labctl never makes this, so nothing was taken over. Remove it, then run again`,
        );
      text = '';
    }
    holder = Number(text.split('\n')[0]!.trim()) || 0;
    if (staleReason(text, ageMs)) {
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
