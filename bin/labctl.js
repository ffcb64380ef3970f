#!/usr/bin/env node
// Entry point. Runs an esbuild bundle of the TypeScript sources, built on first use and again whenever
// a source changes (the bundle's folder is named by a hash of every source's path, size and mtime, so a
// stale bundle is never used and concurrent runs never disturb each other). Falls back to running the
// sources through tsx when the bundle cannot be built, or when LABCTL_NO_BUNDLE=1.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The npm package: run the bundle built when the package was made (installer/packaging/); the package
// carries no TypeScript sources, so a checkout never takes this path.
if (!existsSync(join(root, 'installer/cli/main.ts')) && existsSync(join(root, 'dist/bundle/main.js'))) {
  await import(pathToFileURL(join(root, 'dist/bundle/main.js')).href);
  process.exit(process.exitCode ?? 0);
}
const buildRoot = join(root, '.build');

function sourcesKey() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) { const s = statSync(p); h.update(`${relative(root, p)}\0${s.size}\0${s.mtimeMs}\n`); }
    }
  };
  walk(join(root, 'installer'));
  return h.digest('hex').slice(0, 16);
}

async function bundleEntry() {
  if (process.env.LABCTL_NO_BUNDLE) return null;
  try {
    // Bundles live two levels below the root (.build/<key>/), like the sources (installer/<dir>/), so
    // code that locates the checkout from its own file finds the same root either way.
    const dir = join(buildRoot, sourcesKey());
    const entry = join(dir, 'main.js');
    if (existsSync(entry)) return entry;
    const { buildSync } = await import('esbuild');
    mkdirSync(buildRoot, { recursive: true });
    const tmp = mkdtempSync(join(buildRoot, 'tmp-'));
    buildSync({
      entryPoints: { main: join(root, 'installer/cli/main.ts') }, outdir: tmp, bundle: true, splitting: true,
      platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent',
    });
    try { renameSync(tmp, dir); } catch { rmSync(tmp, { recursive: true, force: true }); } // another run won the race
    for (const old of readdirSync(buildRoot)) {
      const p = join(buildRoot, old);
      if (p !== dir && !old.startsWith('tmp-') && Date.now() - statSync(p).mtimeMs > 3600_000) rmSync(p, { recursive: true, force: true });
    }
    return existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

const entry = await bundleEntry();
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../installer/cli/main.ts');
}
