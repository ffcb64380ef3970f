// Builds the bundle bin/labctl.js runs: `npm run build`, also run by `npm ci` and `npm install` (the
// prepare script), and by bin/labctl.js itself when a source changed since the last build.
// .build/current.json names the bundle folder and lists every file esbuild read, with its size and
// mtime: checking the bundle at start-up is a stat of those files, not a walk and hash of the tree.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The paths, the input stamps and the freshness check live in bin/run-bundle.js: every start needs them,
// and only a start with a stale bundle loads this file.
import { BUILD_ROOT, CURRENT, ROOT, stamp } from './run-bundle.js';
export { freshEntry } from './run-bundle.js';
// The pinned versions, parsed here and put into the bundle (installer/core/versions.ts).
const VERSIONS = 'gitops/versions.yaml';
// Besides the sources: what decides how dependencies resolve and how TypeScript compiles, this builder, and
// the data put into the bundle.
const ALSO = ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/build.js', VERSIONS];

// Dependencies stay outside the bundle when they load optional native code or files by computed paths.
// @kubernetes/client-node is bundled: loaded from node_modules as ES modules (Node 20 keeps no compiled code
// for those) it took about 0.6 CPU-s of every command that talks to the API server.
const EXTERNAL = ['esbuild', 'tsx', 'ssh2', 'cpu-features', 'node-ssh', 'zx'];
// The bundle is one CommonJS script, not ES modules: Node 20 keeps V8's compiled code between runs only
// for scripts (vm.Script cachedData; bin/run-bundle.js), and compiling is a large part of a short run.
// Modules that locate themselves by import.meta get the bundle's file (two levels below the root, like
// the sources). bin/run-bundle.js supplies __filename and __dirname.
const DEFINE = {
  'import.meta.url': '__labctl_import_meta_url',
  'import.meta.dirname': '__dirname',
  'import.meta.filename': '__filename',
};
const BANNER = 'const __labctl_import_meta_url = require("node:url").pathToFileURL(__filename).href;';

// main.ts runs itself with a top-level await when argv[1] looks like labctl; a script has no top-level
// await, and bin/run-bundle.js calls main() itself, so that block is dropped (as in the SEA bundle).
const dropSelfRun = {
  name: 'drop-main-self-run',
  setup(b) {
    b.onLoad({ filter: /installer[\\/]cli[\\/]main\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const at = text.indexOf('\nif (process.argv[1]');
      if (at < 0) throw new Error(`${args.path}: the self-run block bin/build.js drops is not there`);
      return { contents: text.slice(0, at) + '\n', loader: 'ts' };
    });
  },
};

// Each input's stamp taken before esbuild reads it (the first onLoad: it returns nothing, so esbuild or the
// next plugin loads the file). After the build each is stamped again: a file whose stamp moved was changed
// while the build ran and may be in the bundle in its old form. Only the sources below installer/ are the
// checkout's own; the other inputs are stamped by build() before anything reads them.
const stampBeforeRead = (before) => ({
  name: 'stamp-before-read',
  setup(b) {
    b.onLoad({ filter: /[\\/]installer[\\/]/ }, (args) => {
      const rel = relative(ROOT, args.path).split('\\').join('/');
      if (!before.has(rel)) before.set(rel, stamp(rel));
      return undefined;
    });
  },
});

// The .hbs files under installer/, relative to the root: the templates precompiled into the bundle.
function templateFiles(rel = 'installer') {
  const out = [];
  for (const e of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...templateFiles(p));
    else if (e.name.endsWith('.hbs')) out.push(p);
  }
  return out.sort();
}

/**
 * The handlebars templates compiled to JavaScript here rather than at every start (installer/render/
 * text.ts uses them, by the name it is given: the path below installer/), with text.ts's options file.
 * Non-ASCII characters are written as \u escapes: they occur only in the templates' string literals.
 */
async function precompiledTemplates(files) {
  const { default: Handlebars } = await import('handlebars');
  const options = JSON.parse(readFileSync(join(ROOT, 'installer/render/template-options.json'), 'utf8'));
  const specs = files.map((f) => {
    const spec = Handlebars.precompile(readFileSync(join(ROOT, f), 'utf8'), options);
    return `${JSON.stringify(f.slice('installer/'.length))}: ${spec}`;
  });
  const js = `const __labctl_templates = {\n${specs.join(',\n')}\n};`;
  return js.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Builds a new bundle into its own folder, .build/<n>/ (two levels below the root like the sources, so
 * code that finds the checkout from its own file finds the same root), then points current.json at it.
 * Folders are never changed once written: a labctl still running an older bundle keeps loading its
 * chunks; folders unused for an hour are removed.
 */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const { parse } = await import('yaml');
  const templates = templateFiles();
  // Stamped before they are read (the sources as esbuild reads them: stampBeforeRead).
  const before = new Map([...ALSO, ...templates].map((f) => [f, stamp(f)]));
  const pinned = JSON.stringify(parse(readFileSync(join(ROOT, VERSIONS), 'utf8')));
  mkdirSync(BUILD_ROOT, { recursive: true });
  const dir = mkdtempSync(join(BUILD_ROOT, 'b-'));
  let r;
  try {
    chmodSync(dir, 0o755); // mkdtemp makes it 0700: a checkout built by root must run fast for every user too
    r = await esbuild({
      entryPoints: [join(ROOT, 'installer/cli/main.ts')],
      outfile: join(dir, 'main.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: ROOT,
      // Dependencies bundled too: one file instead of ~100 for node to resolve, read and compile (-15% CPU for validate).
      external: EXTERNAL,
      define: { ...DEFINE, __LABCTL_PINNED_VERSIONS__: pinned, __LABCTL_TEMPLATES__: '__labctl_templates' },
      banner: { js: `${BANNER}\n${await precompiledTemplates(templates)}` },
      // Every start reads the whole file: no comments or indentation (names stay, so stack traces still
      // name functions), and ASCII only, so bin/run-bundle.js reads it as latin1 without decoding UTF-8.
      minifyWhitespace: true,
      legalComments: 'none',
      charset: 'ascii',
      plugins: [stampBeforeRead(before), dropSelfRun],
    });
    const bytes = readFileSync(join(dir, 'main.cjs'));
    if (bytes.some((b) => b > 127))
      throw new Error('bin/build.js: the bundle is not ASCII (charset: ascii missed a character)');
  } catch (e) {
    rmSync(dir, { recursive: true, force: true }); // a failed build (full disk, a syntax error) leaves nothing
    throw e;
  }
  // Bundled dependencies are covered by the lockfile's stamp: only the checkout's own files are listed.
  const own = Object.keys(r.metafile.inputs).filter(
    (f) => !f.includes('node_modules/') && !f.startsWith('..') && !f.startsWith('<'), // <define:...>: no file
  );
  const files = [...new Set([...own, ...ALSO, ...templates])].sort();
  // A file whose stamp moved while the build ran may be in the bundle in its old form: recorded as changed,
  // so the next start builds again. Only those: a file written just before the build (an edit, a git pull)
  // is in the bundle as it is now, and marking it too rebuilt on the next start as well (issue 16 trials).
  const inputs = Object.fromEntries(
    files.map((f) => {
      const now = stamp(f);
      return [f, before.get(f) === now ? now : 'changed during the build'];
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
  return join(dir, 'main.cjs');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await build();
  // stderr: `npm pack --json` runs this as the prepare script, and its stdout must stay JSON.
  process.stderr.write(`labctl: built ${relative(process.cwd(), entry)}\n`);
}
