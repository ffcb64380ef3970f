// Finds the bundle bin/build.js made (fresh: every file it was built from unchanged, by stat) and runs it
// with V8's code cache: only this file is loaded at a start; bin/build.js only when a build is needed.
// Node 20 has no compile cache for ES modules, but a vm.Script takes the code V8 compiled in an earlier
// run (cachedData), which saves parsing the bundle and compiling every function the command calls. One cache file per command
// (`render`, `validate`, ...) beside the bundle, written after the first run of that command; the bundle
// folder is never changed otherwise, so a rebuilt bundle starts with no cache.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_ROOT = join(ROOT, '.build');
export const CURRENT = join(BUILD_ROOT, 'current.json');

/**
 * A file's size, mtime, ctime and inode, as .build/current.json records each input of the bundle. ctime and
 * inode too: `cp -p`, `rsync -a` and `tar x` keep an mtime, so an edit of the same size could pass as
 * unchanged; the ctime no one sets by hand.
 */
export const stamp = (rel) => {
  try {
    const s = statSync(join(ROOT, rel));
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  } catch {
    return 'missing';
  }
};

/**
 * The current bundle: `{ entry }` when every file it was built from is unchanged, otherwise `{ why }`, the
 * reason a build is needed in the words bin/labctl.js prints before building (a rebuild takes 10-20 s).
 */
export function bundleState() {
  let cur;
  try {
    cur = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return { why: 'no bundle is built yet (npm ci or npm run build makes it)' };
  }
  const changed = Object.entries(cur.inputs ?? {}).filter(([rel, was]) => stamp(rel) !== was);
  if (changed.length) {
    const [rel, was] = changed[0];
    const what = stamp(rel) === 'missing' ? 'was removed' : was === 'missing' ? 'was added' : 'changed';
    const more = changed.length > 1 ? ` (and ${changed.length - 1} other file${changed.length > 2 ? 's' : ''})` : '';
    return { why: `${rel}${more} ${what} since the bundle was built` };
  }
  const entry = join(BUILD_ROOT, String(cur.dir), 'main.cjs');
  return existsSync(entry) ? { entry } : { why: `the bundle ${relative(ROOT, entry)} is missing` };
}

/** The entry of the current bundle when every file it was built from is unchanged; otherwise null. */
export function freshEntry() {
  return bundleState().entry ?? null;
}

/**
 * The cache file of the command `argv` runs: its first word; "top" when there is none (`--help`,
 * `--version`); "other" for anything unusual.
 */
export function cacheFileOf(entry, argv) {
  const word = argv.find((a) => !a.startsWith('-'));
  const name = word === undefined ? NO_COMMAND : /^[a-z][a-z0-9-]{0,31}$/.test(word) ? word : 'other';
  return join(dirname(entry), `v8-cache.${name}.bin`);
}
const NO_COMMAND = 'top';

// A cache file is the SHA-256 of V8's data, then the data. V8 checks only a header and the length of what
// it is given: damaged bytes (a torn write, a bad disk) crashed every start of that command. The digest
// also covers the Node that runs: Node 20.19 and 20.20 carry the same V8 version, so V8 took a cache one
// wrote from the other, and every render of a checkout shared by both crashed (SIGSEGV). The version string
// is not enough either (a distro's node and nodejs.org's both say v20.20.2, built differently): every
// component version, the architecture, and the executable's size and mtime (one stat).
const DIGEST = 32;
let nodeId;
function nodeIdentity() {
  if (nodeId === undefined) {
    let exe = 'unknown';
    try {
      const s = statSync(process.execPath);
      exe = `${s.size}:${s.mtimeMs}`;
    } catch {}
    nodeId = `${process.version} ${process.arch} ${JSON.stringify(process.versions)} ${exe}\n`;
  }
  return nodeId;
}
const sha256 = (b) => createHash('sha256').update(nodeIdentity()).update(b).digest();

/** V8's data from a cache file whose digest matches; undefined otherwise (then the run writes a new one). */
function readCache(file) {
  let b;
  try {
    b = readFileSync(file);
  } catch {
    return undefined;
  }
  if (b.length <= DIGEST) return undefined;
  const data = b.subarray(DIGEST);
  return sha256(data).equals(b.subarray(0, DIGEST)) ? data : undefined;
}

export function writeCache(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644); // read by every user of the checkout, like the bundle
  try {
    try {
      writeFileSync(fd, Buffer.concat([sha256(data), data])); // all of it (writeSync may write less: a full disk)
      fsyncSync(fd); // on disk before the rename makes it the cache
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true }); // a full disk leaves no half-written temporary behind
    throw e;
  }
}

/** Loads the bundle at `entry` and runs labctl's main() with argv; resolves to the exit code. */
export async function runBundle(entry, argv) {
  const cacheFile = cacheFileOf(entry, argv);
  const cachedData = readCache(cacheFile);
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
  // Written after a run that went through (exit 0, or 1: a problem found in the site, which is most runs of
  // backup or restore against a site without backup), for the commands labctl has (a mistyped command or an
  // option's value in first place makes no file; usage errors and internal errors make none; `--help` and
  // `--version` make "top"), when there was
  // none or V8 refused it.
  if (
    (code === 0 || code === 1) &&
    (cachedData === undefined || script.cachedDataRejected) &&
    isCommand(module.exports, cacheFile)
  ) {
    // Best effort: a read-only checkout runs as fast as before, only without the cache.
    try {
      writeCache(cacheFile, script.createCachedData());
    } catch {}
  }
  return code;
}

function isCommand(bundle, cacheFile) {
  const name = /v8-cache\.(.+)\.bin$/.exec(cacheFile)?.[1];
  try {
    return name === NO_COMMAND || (!!name && bundle.buildProgram().commands.some((c) => c.name() === name));
  } catch {
    return false;
  }
}
