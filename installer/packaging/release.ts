// Builds what labctl is installed from, into release/ (ignored by Git):
//   release/<name>-<version>.tgz              the npm package (npm pack; prepack builds dist/)
//   release/sea/<key>/labctl-<v>-linux-{x64,arm64}, SHA256SUMS
//   release/image/<key>/                      the CI image as an OCI layout (x86-64)
// <key> is a digest of every input (sources, runtime files, lockfile, pins, commit), so a repeated build
// of the same inputs is reused: the tests call this and only pay for a build when something changed.
//   tsx installer/packaging/release.ts dist|sea|image|all     (dist is what `npm pack` runs)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackageBundle, buildRecordFor, buildSeaBundle, gitCommit } from './bundle.ts';
import { runtimeArchive, runtimeFiles } from './files.ts';
import { buildImage, layoutSize, type ImageResult } from './image.ts';
import { buildSea, nodePin, seaFileName, type Arch } from './sea.ts';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const RELEASE = join(ROOT, 'release');
const CACHE = join(RELEASE, 'cache');

const version = (root: string) => (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; name: string });

/** Digest of every input of the SEA and the image. */
export function inputKey(root: string): string {
  const h = createHash('sha256');
  const add = (rel: string) => { h.update(rel + '\0'); h.update(readFileSync(join(root, rel))); };
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir)).sort()) {
      const rel = `${dir}/${e}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel); else add(rel);
    }
  };
  walk('installer');
  for (const f of runtimeFiles(root)) add(f);
  add('package-lock.json');
  h.update(String(gitCommit(root)));
  return h.digest('hex').slice(0, 16);
}

/** npm pack into release/ (prepack builds the bundle, postpack removes it); returns the tarball. */
export function packTarball(root = ROOT): string {
  mkdirSync(RELEASE, { recursive: true });
  const out = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', RELEASE], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as { filename: string }[];
  return join(RELEASE, out[0]!.filename);
}

export interface SeaBuild { dir: string; files: Record<Arch, string>; sums: string; blob: string; built: boolean; ms: number }

export async function seaRelease(root = ROOT): Promise<SeaBuild> {
  const t = Date.now();
  const v = version(root).version;
  const dir = join(RELEASE, 'sea', inputKey(root));
  const files = { x64: join(dir, seaFileName(v, 'x64')), arm64: join(dir, seaFileName(v, 'arm64')) };
  const done = { dir, files, sums: join(dir, 'SHA256SUMS'), blob: join(dir, 'sea-prep.blob') };
  if (existsSync(done.sums)) return { ...done, built: false, ms: Date.now() - t };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const bundle = join(tmp, 'labctl.cjs');
  await buildSeaBundle(root, bundle);
  const record = Buffer.from(JSON.stringify(buildRecordFor(root, nodePin(root).version), null, 2) + '\n');
  await buildSea(root, { bundle, archive: runtimeArchive(root, { 'dist/build.json': record }), outDir: tmp, cacheDir: CACHE, version: v });
  rmSync(bundle);
  writeFileSync(join(tmp, 'build.json'), record);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { ...done, built: true, ms: Date.now() - t };
}

export async function imageRelease(root = ROOT): Promise<ImageResult & { built: boolean; ms: number; sea: SeaBuild }> {
  const sea = await seaRelease(root);
  const t = Date.now();
  const dir = join(RELEASE, 'image', inputKey(root));
  const result = join(dir, 'result.json');
  if (existsSync(result)) return { ...(JSON.parse(readFileSync(result, 'utf8')) as ImageResult), dir: join(dir, 'oci'), built: false, ms: Date.now() - t, sea };
  mkdirSync(dir, { recursive: true });
  const r = await buildImage({ version: version(root).version, commit: gitCommit(root), node: nodePin(root).version, seaBinary: sea.files.x64, cacheDir: CACHE, outDir: join(dir, 'oci') });
  writeFileSync(result, JSON.stringify(r, null, 2) + '\n');
  return { ...r, built: true, ms: Date.now() - t, sea };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? 'all';
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  if (what === 'dist') {
    await buildPackageBundle(ROOT);
  } else if (what === 'clean-dist') {
    rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  } else {
    if (what === 'all' || what === 'pack') { const t = packTarball(); console.log(`package: ${t} (${mb(statSync(t).size)})`); }
    if (what === 'all' || what === 'sea' || what === 'image') {
      const s = await seaRelease();
      console.log(`single executables: ${s.dir} (${s.built ? `built in ${s.ms} ms` : 'unchanged inputs, reused'})`);
      for (const f of Object.values(s.files)) console.log(`  ${f} (${mb(statSync(f).size)})`);
    }
    if (what === 'all' || what === 'image') {
      const i = await imageRelease();
      console.log(`image: ${i.dir} (${mb(layoutSize(i.dir))} compressed; ${i.built ? `built in ${i.ms} ms` : 'reused'}), manifest ${i.manifest.digest}`);
    }
  }
}
