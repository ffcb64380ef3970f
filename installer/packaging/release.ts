// Builds what labctl is installed from, into release/ (ignored by Git):
//   release/pack/<key>/<name>-<version>.tgz   the npm package (npm pack; prepack builds dist/)
//   release/sea/<key>/labctl-<v>-linux-{x64,arm64}, SHA256SUMS
//   release/image/<key>/                      the CI image as an OCI layout (x86-64)
// <key> is a digest of every input (sources, runtime files, lockfile, pins, commit; for the package also
// bin/ and the npm version), so a repeated build of the same inputs is reused: the tests call this (or
// look up a finished build with seaBuilt/imageBuilt/packBuilt) and only pay for a build when something
// changed.
//   tsx installer/packaging/release-cli.ts dist|pack|sea|image|all     (dist is what `npm pack` runs)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRecordFor, buildSeaBundle, gitCommit } from './bundle.ts';
import { runtimeArchive, runtimeFiles } from './files.ts';
import { buildImage, type ImageResult } from './image.ts';
import { buildSea, nodePin, seaFileName, type Arch } from './sea.ts';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const RELEASE = join(ROOT, 'release');
const CACHE = join(RELEASE, 'cache');

/** One build at a time per output (tests in parallel workers ask for the same SEA): a mkdir lock, waited
 *  for at most 30 minutes, taken over when its holder's process is gone. */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(RELEASE, { recursive: true });
  const lock = join(RELEASE, `.${name}.lock`);
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      const alive =
        holder > 0 &&
        (() => {
          try {
            process.kill(holder, 0);
            return true;
          } catch {
            return false;
          }
        })();
      if (holder > 0 && !alive) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (i > 1800) throw new Error(`${lock} held by process ${holder} for 30 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Keeps the newest `keep` builds in a folder of <key>/ builds (each SEA build is about 270 MB). */
function prune(parent: string, keep = 2): void {
  const builds = readdirSync(parent)
    .filter((d) => /^[0-9a-f]{16}$/.test(d))
    .map((d) => ({ d, t: statSync(join(parent, d)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of builds.slice(keep)) rmSync(join(parent, d), { recursive: true, force: true });
}

export const version = (root: string) =>
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; name: string };

/** Digest of every input of the SEA and the image. */
export function inputKey(root: string): string {
  const h = createHash('sha256');
  const add = (rel: string) => {
    h.update(rel + '\0');
    h.update(readFileSync(join(root, rel)));
  };
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir)).sort()) {
      const rel = `${dir}/${e}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else add(rel);
    }
  };
  walk('installer');
  for (const f of runtimeFiles(root)) add(f);
  add('package-lock.json');
  add('tsconfig.json'); // how esbuild compiles the sources (useDefineForClassFields...)
  h.update(String(gitCommit(root)));
  return h.digest('hex').slice(0, 16);
}

/** npm pack into `dest` (prepack builds the bundle, postpack removes it); returns the tarball. */
export function packTarball(root = ROOT, dest = RELEASE): string {
  mkdirSync(dest, { recursive: true });
  const out = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as { filename: string }[];
  return join(dest, out[0]!.filename);
}

/** Digest of every input of the npm package: the SEA's (inputKey: installer/, whose sources make
 *  dist/, the runtime files, the lockfile, the commit), bin/, and the npm that packs. */
export function packKey(root: string): string {
  const h = createHash('sha256').update(inputKey(root));
  for (const f of readdirSync(join(root, 'bin')).sort())
    h.update(`bin/${f}\0`).update(readFileSync(join(root, 'bin', f)));
  h.update(npmVersion());
  return h.digest('hex').slice(0, 16);
}

/** The version of the npm on PATH (the one `npm pack` runs), read from its package.json: no process. */
function npmVersion(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      const cli = realpathSync(join(dir, 'npm')); // <npm>/bin/npm-cli.js
      const pkg = JSON.parse(readFileSync(join(cli, '../../package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      if (pkg.name === 'npm') return pkg.version;
    } catch {
      /* not in this folder, or not laid out like npm's package */
    }
  }
  return execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
}

export interface PackBuild {
  file: string;
  bytes: number;
  built: boolean;
  ms: number;
}

/** The tarball release/pack/<packKey>/ holds, when a build of these inputs finished. */
export function packBuilt(root = ROOT, key = packKey(root)): PackBuild | undefined {
  const dir = join(RELEASE, 'pack', key);
  const v = version(root);
  const file = join(dir, `${v.name}-${v.version}.tgz`);
  return existsSync(file) ? { file, bytes: statSync(file).size, built: false, ms: 0 } : undefined;
}

/** npm pack, reused while its inputs are unchanged (packs write the checkout's dist/: one at a time). */
export const packRelease = (root = ROOT) =>
  withLock('pack', async (): Promise<PackBuild> => {
    const t = Date.now();
    const key = packKey(root);
    const done = packBuilt(root, key);
    if (done) return { ...done, ms: Date.now() - t };
    const dir = join(RELEASE, 'pack', key);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    const file = join(dir, basename(packTarball(root, tmp)));
    renameSync(tmp, dir);
    prune(join(dir, '..'));
    return { file, bytes: statSync(file).size, built: true, ms: Date.now() - t };
  });

export interface SeaBuild {
  dir: string;
  files: Record<Arch, string>;
  sums: string;
  blob: string;
  built: boolean;
  ms: number;
}

export const seaRelease = (root = ROOT) => withLock('sea', () => seaReleaseUnlocked(root));

function seaPaths(root: string, key: string) {
  const v = version(root).version;
  const dir = join(RELEASE, 'sea', key);
  const files = { x64: join(dir, seaFileName(v, 'x64')), arm64: join(dir, seaFileName(v, 'arm64')) };
  return { dir, files, sums: join(dir, 'SHA256SUMS'), blob: join(dir, 'sea-prep.blob') };
}

/** The executables release/sea/<inputKey>/ holds, when a build of these inputs finished (a build writes
 *  into a temporary folder renamed at the end, so SHA256SUMS exists only in a finished one). */
export function seaBuilt(root = ROOT, key = inputKey(root)): SeaBuild | undefined {
  const done = seaPaths(root, key);
  return existsSync(done.sums) ? { ...done, built: false, ms: 0 } : undefined;
}

async function seaReleaseUnlocked(root: string): Promise<SeaBuild> {
  const t = Date.now();
  const v = version(root).version;
  const key = inputKey(root);
  const reused = seaBuilt(root, key);
  if (reused) return { ...reused, ms: Date.now() - t };
  const done = seaPaths(root, key);
  const { dir } = done;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const bundle = join(tmp, 'labctl.cjs');
  await buildSeaBundle(root, bundle);
  const record = Buffer.from(JSON.stringify(buildRecordFor(root, nodePin(root).version), null, 2) + '\n');
  await buildSea(root, {
    bundle,
    archive: runtimeArchive(root, { 'dist/build.json': record }),
    outDir: tmp,
    cacheDir: CACHE,
    version: v,
  });
  rmSync(bundle);
  writeFileSync(join(tmp, 'build.json'), record);
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(tmp, dir);
  prune(join(dir, '..'));
  return { ...done, built: true, ms: Date.now() - t };
}

export interface ImageBuild extends ImageResult {
  built: boolean;
  ms: number;
  sea: SeaBuild;
}

/** The image release/image/<inputKey>/ holds, with its executables, when builds of these inputs finished
 *  (result.json is written last, in a temporary folder renamed at the end). */
export function imageBuilt(root = ROOT, key = inputKey(root)): ImageBuild | undefined {
  const sea = seaBuilt(root, key);
  const result = join(RELEASE, 'image', key, 'result.json');
  if (!sea || !existsSync(result)) return undefined;
  const r = JSON.parse(readFileSync(result, 'utf8')) as ImageResult;
  return { ...r, dir: join(RELEASE, 'image', key, 'oci'), built: false, ms: 0, sea };
}

export async function imageRelease(root = ROOT): Promise<ImageBuild> {
  const sea = await seaRelease(root);
  return withLock('image', async () => {
    const t = Date.now();
    const key = inputKey(root);
    const dir = join(RELEASE, 'image', key);
    const reused = imageBuilt(root, key);
    if (reused) return { ...reused, ms: Date.now() - t, sea };
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const r = await buildImage({
      version: version(root).version,
      commit: gitCommit(root),
      node: nodePin(root).version,
      seaBinary: sea.files.x64,
      cacheDir: CACHE,
      outDir: join(tmp, 'oci'),
    });
    writeFileSync(join(tmp, 'result.json'), JSON.stringify({ ...r, dir: undefined }, null, 2) + '\n');
    renameSync(tmp, dir);
    prune(join(dir, '..'));
    return { ...r, dir: join(dir, 'oci'), built: true, ms: Date.now() - t, sea };
  });
}

/**
 * The files a site downloads, under the names the README uses, in one folder: the package, the two
 * executables, SHA256SUMS over those, the image layout as labctl-<version>-oci/ and the example inventory.
 */
export function assemble(dir: string, parts: { tgz?: string; sea?: SeaBuild; image?: string }, root = ROOT): string[] {
  mkdirSync(dir, { recursive: true });
  const v = version(root).version;
  const put = (src: string, name = basename(src)) => {
    rmSync(join(dir, name), { force: true });
    try {
      linkSync(src, join(dir, name));
    } catch {
      copyFileSync(src, join(dir, name));
    }
    return name;
  };
  const files: string[] = [];
  if (parts.tgz) files.push(put(parts.tgz));
  if (parts.sea) for (const f of Object.values(parts.sea.files)) files.push(put(f));
  const sums = files.map(
    (f) =>
      `${createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex')}  ${f}`,
  );
  writeFileSync(join(dir, 'SHA256SUMS'), sums.join('\n') + '\n');
  if (parts.image) cpSync(parts.image, join(dir, `labctl-${v}-oci`), { recursive: true });
  put(join(root, 'inventory.example.yaml'));
  put(join(root, 'inventory.schema.json')); // the example's first line points editors to it
  return files;
}
