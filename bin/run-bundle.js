// Finds the bundle bin/build.js made (fresh: every file it was built from unchanged, by stat) and runs it
// with V8's code cache: only this file is loaded at a start; bin/build.js only when a build is needed.
// Node 20 has no compile cache for ES modules, but a vm.Script takes the code V8 compiled in an earlier
// run (cachedData), which saves parsing the bundle and compiling every function the command calls. One cache file per command
// (`render`, `validate`, ...) beside the bundle, written after the first run of that command; the bundle
// folder is never changed otherwise, so a rebuilt bundle starts with no cache.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_ROOT = join(ROOT, '.build');
export const CURRENT = join(BUILD_ROOT, 'current.json');

/** A file's size and mtime, as .build/current.json records each input of the bundle. */
export const stamp = (rel) => {
  try {
    const s = statSync(join(ROOT, rel));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
};

/** The entry of the current bundle when every file it was built from is unchanged; otherwise null. */
export function freshEntry() {
  let cur;
  try {
    cur = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return null;
  }
  for (const [rel, was] of Object.entries(cur.inputs ?? {})) if (stamp(rel) !== was) return null;
  const entry = join(BUILD_ROOT, String(cur.dir), 'main.cjs');
  return existsSync(entry) ? entry : null;
}

/** The cache file of the command `argv` runs: its first word, or "other" for anything unusual. */
export function cacheFileOf(entry, argv) {
  const word = argv.find((a) => !a.startsWith('-'));
  return join(dirname(entry), `v8-cache.${word && /^[a-z][a-z0-9-]{0,31}$/.test(word) ? word : 'other'}.bin`);
}

/** Loads the bundle at `entry` and runs labctl's main() with argv; resolves to the exit code. */
export async function runBundle(entry, argv) {
  const cacheFile = cacheFileOf(entry, argv);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // latin1: the bundle is ASCII (bin/build.js checks), and a latin1 string is made without decoding.
  // The wrapper is on the bundle's first line, so stack traces keep the bundle's line numbers.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(entry, 'latin1')}\n})`;
  const script = new vm.Script(source, {
    filename: entry,
    cachedData,
    // import() the bundle leaves (a computed module name): the same loader as ES modules get.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(entry), module, entry, dirname(entry));
  const code = await module.exports.main(argv);
  if (cachedData === undefined || script.cachedDataRejected) {
    // Best effort: a read-only checkout runs as fast as before, only without the cache.
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {}
  }
  return code;
}
