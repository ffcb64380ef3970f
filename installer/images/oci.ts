// Writes a KubeVirt containerDisk as an OCI image layout (oci-layout, index.json, blobs/sha256/...)
// without a container engine. The single layer is a tar holding disk/<name>.qcow2 owned by 107:107
// (the qemu user virt-launcher runs as) with mode 0440, which is what KubeVirt's containerDisk and
// CDI's registry import expect (a disk file under /disk). Deterministic: fixed mtimes, fixed JSON key
// order, gzip without a timestamp, so the same disk gives the same digests.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  createReadStream,
  createWriteStream,
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
import { dirname, join, basename } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { Problem } from '../core/diagnostics.ts';

export const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;
export const QEMU_UID = 107;
export const DISK_MODE = 0o440;
/** Every tar entry gets this mtime (the Unix epoch): a rebuild of the same disk must not change a byte. */
export const FIXED_MTIME = new Date(0);
export const BUILD_RECORD = 'labctl-build.json';

export interface ContainerDiskInput {
  name: string;
  version: string;
  architecture: 'amd64' | 'arm64';
  disk: string;
  /** Manifest annotations (org.opencontainers.image.* and ours). */
  annotations: Record<string, string>;
  /** Image config labels. */
  labels?: Record<string, string>;
  gzipLevel?: number;
}

export interface ContainerDiskResult {
  dir: string;
  diskPath: string;
  diskBytes: number;
  layer: { digest: string; size: number; diffId: string };
  config: { digest: string; size: number };
  manifest: { digest: string; size: number };
}

export const diskPathInLayer = (name: string) => `disk/${name}.qcow2`;

class Tap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Builds the layout into `outDir`, replacing it only when it is an earlier labctl build. */
export async function writeContainerDisk(input: ContainerDiskInput, outDir: string): Promise<ContainerDiskResult> {
  guardOutDir(outDir);
  mkdirSync(dirname(outDir), { recursive: true });
  const tmp = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.tmp-`));
  try {
    chmodSync(tmp, 0o755); // mkdtemp makes it 0700; the layout is readable like any build output
    const blobs = join(tmp, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const diskBytes = statSync(input.disk).size;
    const diskPath = diskPathInLayer(input.name);

    // Layer: tar -> (diff_id hash) -> gzip -> (digest hash) -> file.
    const pack = tar.pack();
    const tarTap = new Tap();
    const gzTap = new Tap();
    const layerTmp = join(tmp, 'layer.tmp');
    const written = pipeline(
      pack,
      tarTap,
      createGzip({ level: input.gzipLevel ?? 6, chunkSize: 1 << 20 }),
      gzTap,
      createWriteStream(layerTmp),
    );
    const owner = { uid: QEMU_UID, gid: QEMU_UID, uname: 'qemu', gname: 'qemu', mtime: FIXED_MTIME };
    pack.entry({ name: 'disk/', type: 'directory', mode: 0o555, ...owner });
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name: diskPath, type: 'file', size: diskBytes, mode: DISK_MODE, ...owner }, (err) =>
        err ? reject(err) : resolve(),
      );
      pipeline(
        createReadStream(input.disk, { highWaterMark: 1 << 20 }),
        entry as unknown as NodeJS.WritableStream,
      ).catch(reject);
    });
    pack.finalize();
    await written;
    const layer = {
      digest: `sha256:${gzTap.hash.digest('hex')}`,
      size: gzTap.bytes,
      diffId: `sha256:${tarTap.hash.digest('hex')}`,
    };
    renameSync(layerTmp, join(blobs, layer.digest.slice(7)));

    const putJson = (value: unknown) => {
      const text = JSON.stringify(value);
      const digest = `sha256:${sha(text)}`;
      writeFileSync(join(blobs, digest.slice(7)), text);
      return { digest, size: Buffer.byteLength(text) };
    };
    const config = putJson({
      architecture: input.architecture,
      os: 'linux',
      config: { Labels: sortKeys(input.labels ?? {}) },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [
        { created_by: 'labctl images build', comment: `containerDisk ${diskPath} (uid/gid ${QEMU_UID}, mode 0440)` },
      ],
    });
    const manifest = putJson({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
      layers: [{ mediaType: MEDIA.layerGzip, digest: layer.digest, size: layer.size }],
      annotations: sortKeys(input.annotations),
    });
    writeFileSync(join(tmp, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(tmp, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: MEDIA.manifest,
            digest: manifest.digest,
            size: manifest.size,
            platform: { architecture: input.architecture, os: 'linux' },
            annotations: { 'org.opencontainers.image.ref.name': input.version },
          },
        ],
      }),
    );
    const result: ContainerDiskResult = { dir: outDir, diskPath, diskBytes, layer, config, manifest };
    writeFileSync(
      join(tmp, BUILD_RECORD),
      JSON.stringify({ name: input.name, version: input.version, ...result, dir: undefined }, null, 2) + '\n',
    );

    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
    return result;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Refuses to replace a directory that is not an earlier labctl build (never delete someone's files). */
export function guardOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory())
    throw new Problem(`${outDir} exists and is not a directory; choose another --out`);
  const entries = readdirSync(outDir);
  if (entries.length === 0) return;
  if (!entries.includes(BUILD_RECORD) || !entries.includes('oci-layout')) {
    throw new Problem(
      `${outDir} is not empty and is not a labctl image build (no ${BUILD_RECORD}); refusing to replace it. Choose another --out`,
    );
  }
}

export interface LayoutInfo {
  name: string;
  version: string;
  manifestDigest: string;
  layerDigest: string;
  layerSize: number;
}

/** Reads back what a build wrote (for push). */
export function readLayout(dir: string): LayoutInfo {
  const record = join(dir, BUILD_RECORD);
  if (!existsSync(join(dir, 'index.json')) || !existsSync(record)) {
    throw new Problem(`${dir} holds no image build; run labctl images build first`);
  }
  const rec = JSON.parse(readText(record)) as {
    name: string;
    version: string;
    manifest: { digest: string };
    layer: { digest: string; size: number };
  };
  const index = JSON.parse(readText(join(dir, 'index.json'))) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const m = index.manifests.find((x) => x.annotations?.['org.opencontainers.image.ref.name'] === rec.version);
  if (!m || m.digest !== rec.manifest.digest || !existsSync(join(dir, 'blobs', 'sha256', m.digest.slice(7)))) {
    throw new Problem(`${dir}: index.json and ${BUILD_RECORD} disagree or a blob is missing; rebuild the image`);
  }
  return {
    name: rec.name,
    version: rec.version,
    manifestDigest: m.digest,
    layerDigest: rec.layer.digest,
    layerSize: rec.layer.size,
  };
}

const readText = (f: string) => readFileSync(f, 'utf8');

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
