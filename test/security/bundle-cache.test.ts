// bin/run-bundle.js runs the bundle with V8's code cache, one file per command beside the bundle. From the
// attacker trial (issue 16): V8 checks a cache's header and length, not its payload, so a cache file damaged
// in place (a torn write, a bad disk, a planted file) crashed every start of that command (V8 fatal error,
// exit 133, sometimes SIGSEGV) and was never rewritten; an unknown first word made a cache file of its own;
// an edit that kept a file's size and mtime (cp -p, rsync -a, tar x) ran the old bundle; tsconfig.json was
// no input. Works on a copy of the bundle in its own folder .build/trial-cache-*/ (two levels below the
// root, as the bundle expects), never on the current bundle's folder.
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
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from '../helpers.ts';

const RUNNER = pathToFileURL(join(ROOT, 'bin/run-bundle.js')).href;
const runner = () => import(RUNNER) as Promise<{ freshEntry: () => string | null; stamp: (rel: string) => string }>;
const start = (entry: string, argv: string[]) =>
  run(process.execPath, [
    '--input-type=module',
    '-e',
    `const m = await import(${JSON.stringify(RUNNER)}); process.exitCode = await m.runBundle(${JSON.stringify(entry)}, ${JSON.stringify(argv)});`,
  ]);

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function bundleCopy(): Promise<string> {
  const { build } = (await import(pathToFileURL(join(ROOT, 'bin/build.js')).href)) as { build: () => Promise<string> };
  const bundle = (await runner()).freshEntry() ?? (await build());
  mkdirSync(join(ROOT, '.build'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.build/trial-cache-'));
  made.push(dir);
  copyFileSync(bundle, join(dir, 'main.cjs'));
  return join(dir, 'main.cjs');
}

describe('the V8 code cache beside the bundle', () => {
  it('a cache file with flipped payload bytes is refused and rewritten; the command runs as before', async () => {
    const entry = await bundleCopy();
    const first = await start(entry, ['version']);
    expect(first.status, first.stderr).toBe(0);
    const cache = join(entry, '../v8-cache.version.bin');
    const b = readFileSync(cache);
    expect(b.length).toBeGreaterThan(300_000);
    for (let i = 200_000; i < 200_400; i++) b[i]! ^= 0xff;
    writeFileSync(cache, b);
    const damaged = await start(entry, ['version']);
    expect(damaged.stderr).not.toContain('Fatal error');
    expect(damaged.status, damaged.stderr.slice(0, 300)).toBe(0);
    expect(damaged.stdout).toBe(first.stdout);
    expect(readFileSync(cache).equals(b), 'the damaged file is replaced').toBe(false);
    expect((await start(entry, ['version'])).stdout).toBe(first.stdout);
  });

  it('a cache file written by another Node version is not given to V8 but rewritten (pretended version: one Node here)', async () => {
    // Node 20.19 and 20.20 carry the same V8 version: V8 took a cache one wrote from the other, and every
    // render of a checkout run by both crashed (SIGSEGV, found with real 20.19.0 and 20.20.2 binaries).
    const entry = await bundleCopy();
    const pretend = `data:text/javascript,Object.defineProperty(process,"version",{value:"v20.19.0"})`;
    const other = await run(process.execPath, [
      '--import',
      pretend,
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(RUNNER)}); process.exitCode = await m.runBundle(${JSON.stringify(entry)}, ["version"]);`,
    ]);
    expect(other.status, other.stderr).toBe(0);
    const cache = join(entry, '../v8-cache.version.bin');
    const written = readFileSync(cache);
    const mine = await start(entry, ['version']);
    expect(mine.status, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(other.stdout.replace('Node v20.19.0', `Node ${process.version}`));
    expect(readFileSync(cache).equals(written), "the other version's file is replaced, not used").toBe(false);
  });

  it('a cache file written by a Node with the same version string but another build (another V8 here) is not used but rewritten', async () => {
    // A distro's node and nodejs.org's both report v20.20.2: the digest covers process.versions (every
    // component's version) and the executable's size and mtime, not only process.version.
    const entry = await bundleCopy();
    const v8 = `${process.versions.v8}-other-build`;
    const pretend = `data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,v8:${JSON.stringify(v8)}}})`;
    const other = await run(process.execPath, [
      '--import',
      pretend,
      '--input-type=module',
      '-e',
      `if (process.versions.v8 !== ${JSON.stringify(v8)}) process.exit(9); const m = await import(${JSON.stringify(RUNNER)}); process.exitCode = await m.runBundle(${JSON.stringify(entry)}, ["version"]);`,
    ]);
    expect(other.status, other.stderr).toBe(0); // 9: the pretence did not take, and this test would prove nothing
    const cache = join(entry, '../v8-cache.version.bin');
    const written = readFileSync(cache);
    const mine = await start(entry, ['version']);
    expect(mine.status, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(other.stdout);
    expect(readFileSync(cache).equals(written), "the other build's file is replaced, not used").toBe(false);
    const kept = readFileSync(cache);
    expect((await start(entry, ['version'])).status).toBe(0);
    expect(readFileSync(cache).equals(kept), 'a cache of this Node is used, not rewritten at every start').toBe(true);
  });

  it('only a command labctl has, or none (--help, --version), run to its end (exit 0 or 1), gets a cache file', async () => {
    const entry = await bundleCopy();
    expect((await start(entry, ['aaa'])).status).toBe(2);
    expect((await start(entry, ['--bogus'])).status).toBe(2);
    expect(existsSync(join(entry, '../v8-cache.top.bin'))).toBe(false);
    expect((await start(entry, ['--help'])).status).toBe(0);
    expect(existsSync(join(entry, '../v8-cache.aaa.bin'))).toBe(false);
    expect(existsSync(join(entry, '../v8-cache.other.bin'))).toBe(false);
    expect(existsSync(join(entry, '../v8-cache.top.bin'))).toBe(true);
    expect((await start(entry, ['validate', '--bogus-flag'])).status).toBe(2); // a usage error: no file
    expect(existsSync(join(entry, '../v8-cache.validate.bin'))).toBe(false);
    const broken = join(entry, '../broken-inventory.yaml');
    writeFileSync(broken, 'site: [\n');
    expect((await start(entry, ['validate', '-i', broken])).status).toBe(1); // a problem found in the input
    expect(existsSync(join(entry, '../v8-cache.validate.bin'))).toBe(true);
  });
});

describe('the bundle freshness check', () => {
  it('an edit that keeps size and mtime (cp -p, tar x) still counts as a change', async () => {
    const { stamp } = await runner();
    mkdirSync(join(ROOT, '.build'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.build/trial-stamp-'));
    made.push(dir);
    const f = join(dir, 'options.ts');
    writeFileSync(f, 'site inventory file\n');
    const before = stamp(relative(ROOT, f));
    const t = new Date(Date.now() - 60_000);
    utimesSync(f, t, t);
    const dated = stamp(relative(ROOT, f));
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(f, 'SITE INVENTORY FILE\n');
    utimesSync(f, t, t); // same size, mtime put back
    expect(stamp(relative(ROOT, f))).not.toBe(dated);
    expect(before).not.toBe(dated);
  });

  it('tsconfig.json (how esbuild compiles the sources) is an input of the bundle', async () => {
    expect((await runner()).freshEntry() ?? '').not.toBe(''); // the other tests of this file built it
    const cur = JSON.parse(readFileSync(join(ROOT, '.build/current.json'), 'utf8')) as { inputs: object };
    expect(Object.keys(cur.inputs)).toEqual(expect.arrayContaining(['tsconfig.json', 'package-lock.json']));
  });
});
