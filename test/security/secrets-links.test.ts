// Boundary 6 (the secret store in Git), for what a commit can put under secrets/entries/ besides an entry: a
// symbolic link or a pipe. labctl writes only regular files there. A link to '.' made secrets list walk until
// ELOOP (an internal error), a link to /dev/zero made secrets confirm read without end, a pipe made it wait
// for a writer forever. Each is refused now, naming the path and what to do, through the real CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-secrets-links-'));
const repo = join(tmp, 'site');
const key = join(tmp, 'site.agekey');
const env = { LABCTL_AGE_KEY_FILE: key };
const entries = join(repo, 'secrets/entries');
// A bound well under the runner's: the old code never ended on /dev/zero or a pipe.
const secrets = (args: string[], input?: string) =>
  labctl(['secrets', ...args, '-r', repo], { env, input, timeoutMs: 30_000 });

beforeAll(async () => {
  expect((await labctl(['secrets', 'init', '-r', repo], { env })).code).toBe(0);
  const set = await secrets(['set', 'bgp/tor-r1', '-i', EXAMPLE], 'router-password-1\n');
  expect(set.code, set.stderr).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** labctl's answer: exit 1, one line naming the path and the fix, no internal error. */
function refused(r: { code: number | null; stderr: string }, path: string, what: RegExp) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toContain(`${path} `);
  expect(r.stderr).toContain(`git rm ${path}`);
}

describe('secrets/entries holds only regular files: a planted link or pipe is refused, never followed', () => {
  it("a link to '.' (a loop): secrets list names it instead of failing with ELOOP", async () => {
    symlinkSync('.', join(entries, 'loop'));
    try {
      refused(await secrets(['list', '-i', EXAMPLE]), 'secrets/entries/loop', /is a symbolic link \(to \.\)/);
    } finally {
      unlinkSync(join(entries, 'loop'));
    }
    // Gone again: the store lists (the example needs more entries than this one, hence exit 1 for those).
    const after = await secrets(['list', '-i', EXAMPLE]);
    expect(after.stdout).toMatch(/^ok +bgp\/tor-r1 /m);
    expect(after.stderr).not.toContain('symbolic link');
  });

  it('an entry that is a link to /dev/zero: secrets confirm refuses it at once instead of reading without end', async () => {
    const before = readFileSync(join(entries, 'bgp/tor-r1.age'), 'utf8');
    unlinkSync(join(entries, 'bgp/tor-r1.age'));
    symlinkSync('/dev/zero', join(entries, 'bgp/tor-r1.age'));
    const r = await secrets(['confirm', 'bgp/tor-r1']);
    refused(r, 'secrets/entries/bgp/tor-r1.age', /is a symbolic link \(to \/dev\/zero\)/);
    unlinkSync(join(entries, 'bgp/tor-r1.age'));
    execFileSync('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', before, join(entries, 'bgp/tor-r1.age')]);
  });

  it('an entry that is a pipe: refused as no regular file, without waiting for a writer', async () => {
    execFileSync('mkfifo', [join(entries, 'bgp/tor-r2.age')]);
    try {
      refused(
        await secrets(['confirm', 'bgp/tor-r2']),
        'secrets/entries/bgp/tor-r2.age',
        /is not a regular file \(a pipe, device or socket\)/,
      );
    } finally {
      unlinkSync(join(entries, 'bgp/tor-r2.age'));
    }
  });

  it("the store's own files too: recipients.txt as a link to /dev/zero is refused, not read until memory runs out", async () => {
    const file = join(repo, 'secrets/recipients.txt');
    const before = readFileSync(file, 'utf8');
    unlinkSync(file);
    symlinkSync('/dev/zero', file);
    try {
      const r = await secrets(['generate', '-i', EXAMPLE]); // encrypting reads the recipients
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stderr).toContain('recipients.txt is a symbolic link (to /dev/zero): labctl writes it as a plain file');
    } finally {
      unlinkSync(file);
      execFileSync('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', before, file]);
    }
    expect((await secrets(['list', '-i', EXAMPLE])).stderr).not.toContain('symbolic link');
  });
});
