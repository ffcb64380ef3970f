// Builds the bundle bin/labctl.js runs: `npm run build`, also run by `npm ci` and `npm install` (the
// prepare script), and by bin/labctl.js itself when a source changed since the last build.
// .build/current.json names the bundle folder and lists every file esbuild read, with its size and
// mtime: checking the bundle at start-up is a stat of those files, not a walk and hash of the tree.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_ROOT = join(ROOT, '.build');
const CURRENT = join(BUILD_ROOT, 'current.json');
// Besides the sources: what decides how dependencies resolve, and this builder.
const ALSO = ['package.json', 'package-lock.json', 'bin/build.js'];

// Dependencies stay outside the bundle when they load optional native code or files by computed paths.
const EXTERNAL = ['esbuild', 'tsx', 'ssh2', 'cpu-features', 'node-ssh', '@kubernetes/client-node', 'zx'];
// Bundled CommonJS dependencies call require(): give the ES module one.
const REQUIRE =
  "import { createRequire as __labctlRequire } from 'node:module'; const require = __labctlRequire(import.meta.url);";

const stamp = (rel) => {
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
  const entry = join(BUILD_ROOT, String(cur.dir), 'main.js');
  return existsSync(entry) ? entry : null;
}

/**
 * Builds a new bundle into its own folder, .build/<n>/ (two levels below the root like the sources, so
 * code that finds the checkout from its own file finds the same root), then points current.json at it.
 * Folders are never changed once written: a labctl still running an older bundle keeps loading its
 * chunks; folders unused for an hour are removed.
 */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  mkdirSync(BUILD_ROOT, { recursive: true });
  const started = Date.now();
  const dir = mkdtempSync(join(BUILD_ROOT, 'b-'));
  const r = await esbuild({
    entryPoints: { main: join(ROOT, 'installer/cli/main.ts') },
    outdir: dir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    metafile: true,
    absWorkingDir: ROOT,
    // Dependencies bundled too: one file instead of ~100 for node to resolve, read and compile (-15% CPU for validate).
    external: EXTERNAL,
    banner: { js: REQUIRE },
  });
  // Bundled dependencies are covered by the lockfile's stamp: only the checkout's own files are listed.
  const own = Object.keys(r.metafile.inputs).filter((f) => !f.includes('node_modules/') && !f.startsWith('..'));
  const files = [...new Set([...own, ...ALSO])].sort();
  // A file changed while esbuild read it may be in the bundle in its old form: record it as changed,
  // so the next start builds again.
  const inputs = Object.fromEntries(
    files.map((f) => {
      const s = stamp(f);
      return [f, s !== 'missing' && Number(s.split(':')[1]) >= started - 1000 ? 'changed during the build' : s];
    }),
  );
  const tmp = `${CURRENT}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ dir: relative(BUILD_ROOT, dir), inputs }, null, 1) + '\n');
  renameSync(tmp, CURRENT);
  for (const old of readdirSync(BUILD_ROOT)) {
    const p = join(BUILD_ROOT, old);
    if (p !== dir && old !== 'current.json' && !old.endsWith('.tmp') && Date.now() - statSync(p).mtimeMs > 3600_000)
      rmSync(p, { recursive: true, force: true });
  }
  return join(dir, 'main.js');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await build();
  // stderr: `npm pack --json` runs this as the prepare script, and its stdout must stay JSON.
  process.stderr.write(`labctl: built ${relative(process.cwd(), entry)}\n`);
}
