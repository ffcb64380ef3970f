// The two bundles labctl ships, built with esbuild from the same sources bin/labctl.js bundles in a
// checkout:
// - the npm package's: ESM, code-split (each command loads only what it needs), dependencies left to
//   npm, in dist/bundle/ (two levels below the package root, like installer/core/, so paths.ts finds the
//   package's files);
// - the single executable's: one CommonJS file with every dependency inside (a SEA runs one script and
//   has no node_modules).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { BuildRecord } from '../core/build-info.ts';

export const PACKAGE_BUNDLE_DIR = 'dist/bundle';

export function gitCommit(root: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

export function buildRecordFor(root: string, node?: string): BuildRecord {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { version, commit: gitCommit(root), ...(node ? { node } : {}) };
}

/** dist/bundle/main.js and dist/build.json, replacing an earlier dist/. */
export async function buildPackageBundle(root: string): Promise<string> {
  const dist = join(root, 'dist');
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: { main: join(root, 'installer/cli/main.ts') },
    outdir: join(root, PACKAGE_BUNDLE_DIR),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    legalComments: 'none',
  });
  writeFileSync(join(dist, 'build.json'), JSON.stringify(buildRecordFor(root), null, 2) + '\n');
  return join(root, PACKAGE_BUNDLE_DIR, 'main.js');
}

// main.ts runs itself with a top-level await when argv[1] looks like labctl; CommonJS has no top-level
// await, and the SEA entry calls main() itself, so that block is dropped from the SEA bundle.
const dropSelfRun: Plugin = {
  name: 'drop-main-self-run',
  setup(b) {
    b.onLoad({ filter: /installer[\\/]cli[\\/]main\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const at = text.indexOf('\nif (process.argv[1]');
      return { contents: at < 0 ? text : text.slice(0, at) + '\n', loader: 'ts' };
    });
  },
};

/** One CommonJS file for Node's single executable application support. */
export async function buildSeaBundle(root: string, outFile: string): Promise<void> {
  mkdirSync(join(outFile, '..'), { recursive: true });
  await build({
    entryPoints: [join(root, 'installer/packaging/sea-entry.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    logLevel: 'error',
    legalComments: 'none',
    // Native add-ons are optional speed-ups of ssh2 (loaded in try/catch); a SEA cannot load them anyway.
    external: ['*.node', 'cpu-features'],
    // Modules that locate themselves by import.meta.url get the executable's path (paths.ts does not
    // look: the SEA entry sets its root first).
    define: { 'import.meta.url': '__labctl_import_meta_url' },
    banner: { js: 'const __labctl_import_meta_url = require("node:url").pathToFileURL(process.execPath).href;' },
    // Node 22 warns (DEP0040) on every run when the built-in punycode is loaded (tr46, ajv formats);
    // the userland package of the same code (already a dependency of ajv-formats-draft2019) is bundled.
    alias: { punycode: 'punycode/' },
    plugins: [dropSelfRun], // the Kubernetes models are static imports already (validate-objects.ts's table)
  });
}
