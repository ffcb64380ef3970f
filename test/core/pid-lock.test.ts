// The folder lock (installer/core/pid-lock.ts): a lock that is not a live labctl on this host is stale and
// taken over at once; a live one blocks. The trial's case: a committed .labctl/lock naming pid 1.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { EXAMPLE, labctl } from '../helpers.ts';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockText, staleReason, takePidLock } from '../../installer/core/pid-lock.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-pid-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const lockWith = (text: string) => {
  const f = join(tmp, `lock${n++}`);
  writeFileSync(f, text);
  return f;
};
const ownStart = () => /start (\d+)/.exec(lockText())![1]!;

describe('pid lock', () => {
  it('records pid, host and start time', () => {
    expect(lockText()).toBe(`${process.pid}\nhost ${hostname()}\nstart ${ownStart()}\n`);
    expect(staleReason(lockText())).toBeUndefined();
  });

  it('a committed lock naming pid 1 (a running process that is not labctl) is stale: taken at once, not after waiting', () => {
    const init = readFileSync('/proc/1/cmdline', 'utf8').split('\0')[0]!;
    expect(init).not.toMatch(/node|labctl/); // the case only proves something when pid 1 is not node
    for (const text of ['1\n', `1\nhost ${hostname()}\n`]) {
      expect(staleReason(text)).toMatch(/^process 1 \(.+\) is not labctl$/);
      const lock = lockWith(text);
      const unlock = takePidLock(lock, { waitMs: 60_000, what: 'the site' });
      expect(readFileSync(lock, 'utf8')).toBe(lockText());
      unlock();
      expect(existsSync(lock)).toBe(false);
    }
  });

  it('a lock from another host, or from a reused pid (another start time), is stale', () => {
    expect(staleReason(`${process.pid}\nhost not-${hostname()}\nstart ${ownStart()}\n`)).toBe(
      `taken on host not-${hostname()}`,
    );
    expect(staleReason(`${process.pid}\nhost ${hostname()}\nstart 1\n`)).toBe(
      `process ${process.pid} is not the one that took it (started at another time)`,
    );
    takePidLock(lockWith(`${process.pid}\nhost elsewhere\n`), { waitMs: 0, what: 'x' })();
  });

  it('a dead pid is stale; a live labctl (node) holder blocks and is named', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      const start = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      const live = `${child.pid}\nhost ${hostname()}\nstart ${start}\n`;
      expect(staleReason(live)).toBeUndefined();
      expect(staleReason(`${child.pid}\n`)).toBeUndefined(); // old format (pid only): still a live node process
      const lock = lockWith(live);
      expect(() => takePidLock(lock, { waitMs: 0, what: 'the site' })).toThrow(
        `the site is in use by labctl process ${child.pid}`,
      );
      expect(readFileSync(lock, 'utf8')).toBe(live);
    } finally {
      child.kill();
    }
    await new Promise((r) => child.once('exit', r));
    expect(staleReason(`${child.pid}\nhost ${hostname()}\n`)).toBe(`process ${child.pid} is not running`);
  });

  it('an empty lock (being written) is not stale', () => {
    expect(staleReason('')).toBeUndefined();
  });

  // Attacker trial: a committed .labctl/lock that is empty or holds no pid was never stale, so every render and
  // every secrets command that writes waited 60 s and failed ("in use by labctl process (unknown)"), for good.
  it('a lock that still holds no pid after 2 s (empty, or text that is no pid) is stale: taken, not waited on', () => {
    for (const text of ['', '\n', 'garbage\n', '1e3\nhost x\n', ' \n']) {
      expect(staleReason(text, 0), JSON.stringify(text)).toBeUndefined();
      expect(staleReason(text, 5_000), JSON.stringify(text)).toBe('it holds no process id');
      const lock = lockWith(text);
      utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      const t0 = Date.now();
      const unlock = takePidLock(lock, { waitMs: 3_000, what: 'the site' });
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(readFileSync(lock, 'utf8')).toBe(lockText());
      unlock();
    }
  });

  it('render with a garbage .labctl/lock just checked out (fresh mtime) takes it over within seconds', async () => {
    const repo = mkdtempSync(join(tmp, 'site-'));
    copyFileSync(EXAMPLE, join(repo, 'inventory.yaml'));
    mkdirSync(join(repo, '.labctl'));
    writeFileSync(join(repo, '.labctl/lock'), 'garbage\n');
    const t0 = Date.now();
    const r = await labctl(['render', '-i', join(repo, 'inventory.yaml')], { env: { HOME: tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(existsSync(join(repo, '.labctl/lock'))).toBe(false);
  }, 90_000);

  // Left-items helper: a pipe at .labctl/lock made render wait forever (readFileSync waits for a writer).
  it('a pipe or a folder at .labctl/lock is named and left alone, not read or waited on', async () => {
    for (const make of ['pipe', 'folder'] as const) {
      const repo = mkdtempSync(join(tmp, `site-${make}-`));
      copyFileSync(EXAMPLE, join(repo, 'inventory.yaml'));
      mkdirSync(join(repo, '.labctl'));
      const lock = join(repo, '.labctl/lock');
      if (make === 'pipe') execFileSync('mkfifo', [lock]);
      else mkdirSync(lock);
      const r = await labctl(['render', '-i', join(repo, 'inventory.yaml')], { env: { HOME: tmp }, timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `${lock} is not a regular file (${make === 'pipe' ? 'a pipe, device or socket' : 'a folder'}): labctl's lock is a plain file`,
      );
      expect(r.stderr).toContain('nothing was taken over. Remove it, then run again');
      expect(existsSync(lock)).toBe(true);
    }
  }, 90_000);
});
