// Runs the CommonJS bundle bin/build.js makes, with V8's code cache: Node 20 has no compile cache for
// ES modules, but a vm.Script takes the code V8 compiled in an earlier run (cachedData), which saves
// parsing the bundle and compiling every function the command calls. One cache file per command
// (`render`, `validate`, ...) beside the bundle, written after the first run of that command; the bundle
// folder is never changed otherwise, so a rebuilt bundle starts with no cache.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

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
