// labctl's start, after bin/labctl.js checked the Node version. Runs the esbuild bundle of the TypeScript sources (bin/build.js: built by `npm ci` /
// `npm run build`, and again here whenever a file it was built from has changed, so a stale bundle is
// never run) through bin/run-bundle.js, which keeps V8's compiled code between runs. Falls back to
// running the sources through tsx when the bundle cannot be written (not when a source does not compile:
// that ends with the file:line:col), or when LABCTL_NO_BUNDLE=1.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import module from 'node:module';
import { bundleState, runBundle } from './run-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Node >= 22.1 keeps compiled code between runs; Node 20 has no such API for ES modules. In labctl's own
// folder, not Node's default (a shared node-compile-cache under /tmp, which another local user can write);
// where that folder is read-only (a global npm install) Node just runs without the cache.
module.enableCompileCache?.(join(root, '.build', 'node-compile-cache'));

// The npm package: run the bundle built when the package was made (installer/packaging/); the package
// carries no TypeScript sources, so a checkout never takes this path.
if (!existsSync(join(root, 'installer/cli/main.ts')) && existsSync(join(root, 'dist/bundle/main.js'))) {
  await import(pathToFileURL(join(root, 'dist/bundle/main.js')).href);
  process.exit(process.exitCode ?? 0);
}

async function bundleEntry() {
  if (process.env.LABCTL_NO_BUNDLE) return null;
  // The bundle require()s ES-module-only dependencies (@kubernetes/client-node): bin/labctl.js lets only a
  // Node with require(esm) through (20.19, 22.12); --no-experimental-require-module turns it off again.
  if (!process.features.require_module)
    return slower(`Node ${process.version} runs without require(esm) here, which the bundle needs`);
  try {
    const state = bundleState();
    if (state.entry) return state.entry;
    // A build takes 10-20 s: say why before it starts, so a silent terminal is not taken for a hang.
    process.stderr.write(`labctl: ${state.why}; rebuilding (10-20 s)...\n`);
    return await (await import('./build.js')).build();
  } catch (e) {
    // esbuild refused a source (a syntax error, an import that resolves to nothing): the sources cannot run
    // through tsx either, and tsx would end in a stack trace. Say where, as an editor does, and stop.
    const first = e?.errors?.[0];
    if (first?.location) {
      const { file, line, column } = first.location;
      const more =
        e.errors.length > 1 ? ` (and ${e.errors.length - 1} more error${e.errors.length > 2 ? 's' : ''})` : '';
      process.stderr.write(`labctl: ${file}:${line}:${column + 1}: ${first.text}${more}\n`);
      process.stderr.write('labctl: the bundle cannot be built from the sources as they are; fix that and run again\n');
      process.exit(1);
    }
    // Anything else (a read-only checkout, a full disk): the sources still run, only slower.
    return slower(
      `the bundle could not be built in ${join(root, '.build')} (${String(e?.message ?? e).split('\n')[0]})`,
    );
  }
}

/** Says once why this run takes the slow path (the sources through tsx: seconds instead of a fraction). */
function slower(why) {
  process.stderr.write(`labctl: ${why}; running from the sources instead, which is slower\n`);
  return null;
}

const entry = await bundleEntry();
if (entry) {
  process.exitCode = await runBundle(entry, process.argv.slice(2));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../installer/cli/main.ts');
}
