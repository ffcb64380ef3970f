// `secrets` and `render` take the site repository's lock before they check anything: two real labctl
// processes setting the same new entry at the same time cannot both find it absent and both write it
// (the second waits, then is refused before it asks for a value). In a weakened copy without the lock both
// pass the check at once and both ask for a value; only the store's last-moment existence check (itself a
// check-then-write with an encryption in between) then throws the second value away. So the test can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { SecretStore, readIdentity } from '../../installer/secrets/store.ts';
import { labctl, weakenedCopy } from './render-weakened-copy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-lock-'));
let weak: string;
const MARK = 'reading the value for';

beforeAll(async () => {
  weak = weakenedCopy([
    ['installer/cli/commands/secrets.ts', '  const unlock = lockRepo(repo);', '  const unlock = () => undefined;'],
  ]);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (weak) rmSync(weak, { recursive: true, force: true });
});

interface Proc {
  p: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  done: Promise<number | null>;
}

function start(root: string, repo: string, key: string): Proc {
  const p = spawn(
    process.execPath,
    [resolve(root, 'bin/labctl.js'), 'secrets', 'set', 'identity/ldap-bind', '-i', EXAMPLE, '-r', repo, '-k', key],
    { cwd: ROOT },
  );
  const proc: Proc = { p, stdout: '', stderr: '', done: Promise.resolve(null) };
  p.stdout.on('data', (b) => {
    proc.stdout += b;
  });
  p.stderr.on('data', (b) => {
    proc.stderr += b;
  });
  const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
  proc.done = new Promise((res) =>
    p.on('close', (code) => {
      clearTimeout(t);
      res(code);
    }),
  );
  return proc;
}

const waitFor = async (cond: () => boolean, ms: number) => {
  for (let i = 0; i < ms / 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
};

/**
 * Two `secrets set` of the same new entry at once. Each is given its value only once both had the chance
 * to check; the one that asked for its value first is answered first.
 */
async function race(root: string): Promise<{ first: Proc; second: Proc; codes: (number | null)[]; stored: string }> {
  // Each race has its own store and key: the two tests run at the same time (the one with the lock spends
  // its 10 s waiting, which the other uses).
  const dir = mkdtempSync(join(tmp, 'repo-'));
  const repo = join(dir, 'site');
  const key = join(dir, 'site.agekey');
  const init = await labctl(['secrets', 'init', '-r', repo, '-k', key]);
  if (init.code !== 0) throw new Error(init.stderr);
  const a = start(root, repo, key);
  const b = start(root, repo, key);
  // Both render the inventory first (seconds); wait until one reads its value, then give the other time to get there too.
  await waitFor(() => a.stderr.includes(MARK) || b.stderr.includes(MARK), 90_000);
  const [first, second] = a.stderr.includes(MARK) ? [a, b] : [b, a];
  await waitFor(() => second.stderr.includes(MARK), 10_000);
  first.p.stdin.end('value-from-first');
  const c1 = await first.done;
  second.p.stdin.on('error', () => undefined);
  second.p.stdin.end('value-from-second');
  const c2 = await second.done;
  const stored = await new SecretStore(repo, { keyFile: key }).get('identity/ldap-bind', readIdentity(key));
  return { first, second, codes: [c1, c2], stored };
}

describe.concurrent('no check-then-write race between two labctl processes', () => {
  it('with the lock: the first stores, the second finds the value and refuses; nothing is lost', async () => {
    const { first, second, codes, stored } = await race(ROOT);
    expect(codes).toEqual([0, 1]);
    expect(first.stdout).toContain('identity/ldap-bind stored');
    expect(second.stderr).toContain(
      'identity/ldap-bind already has a value; to replace it pass --replace identity/ldap-bind',
    );
    expect(second.stderr).not.toContain(MARK); // it waited for the lock and never got as far as reading a value
    expect(stored).toBe('value-from-first');
  });

  it('weakened copy without the lock: both pass the check at once and both ask for a value', async () => {
    const { first, second, codes, stored } = await race(weak);
    expect(first.stderr).toContain(MARK);
    expect(second.stderr).toContain(MARK); // the race: both found the entry absent
    expect(codes).toEqual([0, 1]);
    expect(second.stderr).toContain('identity/ldap-bind already exists in the secret store');
    expect(stored).toBe('value-from-first');
  });
});
