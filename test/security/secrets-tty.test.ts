// A value typed at a terminal is not echoed: `labctl secrets set` runs on a real pseudo-terminal
// (util-linux `script`), the test types the value after the prompt, and the terminal transcript must not
// contain it while the store does. A weakened copy that leaves the terminal in its normal (echoing) mode
// shows the value in the transcript, so the test can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { SecretStore, readIdentity } from '../../installer/secrets/store.ts';
import { labctl, weakenedCopy } from './render-weakened-copy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-tty-'));
const repo = join(tmp, 'site');
const key = join(tmp, 'site.agekey');
let weak: string;
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

beforeAll(async () => {
  const r = await labctl(['secrets', 'init', '-r', repo, '-k', key]);
  if (r.code !== 0) throw new Error(r.stderr);
  weak = weakenedCopy([['installer/ssh/prompt.ts', 'input.setRawMode(true);', 'input.setRawMode(false);']]);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (weak) rmSync(weak, { recursive: true, force: true });
});

/** Runs `secrets set ENTRY` on a pty; answers each prompt (in order) once it appears. Returns the transcript. */
function onTerminal(
  root: string,
  entry: string,
  answers: { prompt: string; typed: string }[],
): Promise<{ code: number | null; transcript: string }> {
  const cmd = [
    process.execPath,
    resolve(root, 'bin/labctl.js'),
    'secrets',
    'set',
    entry,
    '-i',
    EXAMPLE,
    '-r',
    repo,
    '-k',
    key,
  ]
    .map(shq)
    .join(' ');
  return new Promise((res) => {
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'dumb' },
    });
    let out = '';
    let next = 0;
    const feed = () => {
      const a = answers[next];
      if (a && out.includes(a.prompt)) {
        next++;
        p.stdin.write(`${a.typed}\r`);
        setTimeout(feed, 50);
      }
    };
    p.stdout.on('data', (b) => {
      out += b;
      feed();
    });
    p.stderr.on('data', (b) => {
      out += b;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(t);
      p.stdin.destroy();
      res({ code, transcript: out });
    });
  });
}

describe('secrets set at a terminal', () => {
  const VALUE = 'Typed-Secret-4711';

  it('asks twice without echo; the transcript never shows the value; the store has it', async () => {
    const r = await onTerminal(ROOT, 'identity/ldap-bind', [
      { prompt: 'value for identity/ldap-bind (typing is not shown): ', typed: VALUE },
      { prompt: 'the same value again: ', typed: VALUE },
    ]);
    expect(r.code, r.transcript).toBe(0);
    expect(r.transcript).toContain('identity/ldap-bind stored');
    expect(r.transcript).not.toContain(VALUE);
    expect(await new SecretStore(repo, { keyFile: key }).get('identity/ldap-bind', readIdentity(key))).toBe(VALUE);
  });

  it('two different values: nothing stored', async () => {
    const r = await onTerminal(ROOT, 'bgp/tor-r1', [
      { prompt: '(typing is not shown): ', typed: 'first-try' },
      { prompt: 'the same value again: ', typed: 'second-try' },
    ]);
    expect(r.code).toBe(1);
    expect(r.transcript).toContain('the two values differ; nothing was stored');
    expect(new SecretStore(repo).has('bgp/tor-r1')).toBe(false);
  });

  it('weakened copy (terminal left echoing): the typed value shows in the transcript', async () => {
    const r = await onTerminal(weak, 'bgp/tor-r2', [
      { prompt: '(typing is not shown): ', typed: VALUE },
      { prompt: 'the same value again: ', typed: VALUE },
    ]);
    expect(r.transcript).toContain(VALUE);
  });
});
