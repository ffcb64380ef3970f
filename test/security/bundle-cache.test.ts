// Attacker trial (issue 16): bin/run-bundle.js hands V8 the cache file beside the bundle without checking
// its bytes. V8 checks the header and length, not the payload (no checksum in release builds), so a cache
// file damaged in place (disk, a torn write after a power cut, a planted file) crashes every start of that
// command (V8 fatal error, exit 133) and labctl never rewrites it. Expected: the damaged cache is refused
// (or ignored) and the command runs. Works on a copy of the bundle in its own folder .build/trial-cache-*/ (two levels below the root,
// as the bundle expects), never on the current bundle's folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const RUNNER = pathToFileURL(join(ROOT, 'bin/run-bundle.js')).href;
const run = (entry: string) =>
  spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(RUNNER)}); process.exitCode = await m.runBundle(${JSON.stringify(entry)}, ['--help']);`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );

describe('attack: a damaged V8 cache file beside the bundle', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  it('a cache file with flipped payload bytes does not crash labctl', async () => {
    const { freshEntry } = (await import(RUNNER)) as { freshEntry: () => string | null };
    const { build } = (await import(pathToFileURL(join(ROOT, 'bin/build.js')).href)) as {
      build: () => Promise<string>;
    };
    const bundle = freshEntry() ?? (await build());
    mkdirSync(join(ROOT, '.build'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.build/trial-cache-'));
    made.push(dir);
    const entry = join(dir, 'main.cjs');
    copyFileSync(bundle, entry);
    const first = run(entry); // writes v8-cache.other.bin ('--help' names no command)
    expect(first.status, `${first.signal} ${first.stderr}`).toBe(0);
    const cache = join(dir, 'v8-cache.other.bin');
    const b = readFileSync(cache);
    expect(b.length).toBeGreaterThan(300_000);
    for (let i = 200_000; i < 200_400; i++) b[i]! ^= 0xff;
    writeFileSync(cache, b);
    const damaged = run(entry);
    expect(damaged.stderr).not.toContain('Fatal error');
    expect(damaged.status, `${damaged.signal} ${damaged.stderr.slice(0, 200)}`).toBe(0);
    expect(damaged.stdout).toBe(first.stdout);
  });
});
