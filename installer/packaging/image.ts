// The container image the site's CI runs labctl in, written as an OCI image layout without a container
// engine (the way installer/images/oci.ts writes lab containerDisks; nothing can be pulled here, so there
// is no base image). Two layers:
//   base:   Debian's busybox-static (sh, tail, ... for the CI runners, which exec a shell and GitHub's
//           `tail -f /dev/null` in the job container), the shared libraries the Node runtime links (taken
//           from this Debian machine, as `ldd` resolves them), /etc/passwd, /tmp, /root;
//   labctl: the single executable (x86-64) as /usr/local/bin/labctl.
// Deterministic: sorted entries, mtime 0, owner root, gzip without a timestamp.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { FIXED_MTIME, MEDIA } from '../images/oci.ts';

export type Entry =
  | { path: string; type: 'directory'; mode: number }
  | { path: string; type: 'file'; mode: number; data: Buffer }
  | { path: string; type: 'symlink'; linkname: string };

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A layer tar from entries (parents first, sorted): its gzip bytes and the uncompressed digest. */
export async function layerTar(entries: Entry[]): Promise<{ tar: Buffer; gz: Buffer }> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    pack.on('end', res);
    pack.on('error', rej);
  });
  const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: FIXED_MTIME };
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (e.type === 'directory') pack.entry({ name: `${e.path}/`, type: 'directory', mode: e.mode, ...owner });
    else if (e.type === 'symlink')
      pack.entry({ name: e.path, type: 'symlink', linkname: e.linkname, mode: 0o777, ...owner });
    else pack.entry({ name: e.path, type: 'file', mode: e.mode, ...owner }, e.data);
  }
  pack.finalize();
  await done;
  const t = Buffer.concat(chunks);
  return { tar: t, gz: gzipSync(t, { level: 6 }) };
}

/** Every parent folder of the entries that is not itself an entry (mode 0755). */
export function withParents(entries: Entry[]): Entry[] {
  const have = new Set(entries.map((e) => e.path));
  const out = [...entries];
  for (const e of entries) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!have.has(p)) {
        have.add(p);
        out.push({ path: p, type: 'directory', mode: 0o755 });
      }
    }
  }
  return out;
}

/** Debian's busybox-static, downloaded once with apt-get into the cache: its binary and version. */
export function busybox(cacheDir: string): { binary: string; deb: string } {
  const dir = join(cacheDir, 'busybox-static');
  mkdirSync(dir, { recursive: true });
  let deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) {
    execFileSync('apt-get', ['download', 'busybox-static'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    deb = readdirSync(dir).find((f) => f.endsWith('.deb'))!;
  }
  const binary = join(dir, 'busybox');
  if (!existsSync(binary)) {
    const x = join(dir, 'x');
    rmSync(x, { recursive: true, force: true });
    execFileSync('dpkg-deb', ['-x', join(dir, deb), x]);
    renameSync(join(x, 'bin/busybox'), binary);
    rmSync(x, { recursive: true, force: true });
  }
  return { binary, deb };
}

/** The shared libraries `ldd` resolves for a binary, as [path in the image, file on this machine]. */
export function sharedLibraries(binary: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of execFileSync('ldd', [binary], { encoding: 'utf8' }).split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) out.push([m[1]!.slice(1), realpathSync(m[1]!)]);
  }
  if (!out.some(([p]) => /ld-linux/.test(p))) throw new Error(`ldd ${binary}: no dynamic loader found`);
  return out;
}

export function baseEntries(busyboxBinary: string, libs: [string, string][]): Entry[] {
  const applets = execFileSync(busyboxBinary, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const entries: Entry[] = [
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(busyboxBinary) },
    ...applets
      .filter((a) => a !== 'bin/busybox')
      .map((a): Entry => ({ path: a, type: 'symlink', linkname: '/bin/busybox' })),
    ...libs.map(([p, f]): Entry => ({ path: p, type: 'file', mode: 0o755, data: readFileSync(f) })),
    {
      path: 'etc/passwd',
      type: 'file',
      mode: 0o644,
      data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
    },
    { path: 'etc/group', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { path: 'tmp', type: 'directory', mode: 0o1777 },
    { path: 'root', type: 'directory', mode: 0o700 },
  ];
  return withParents(entries);
}

export interface ImageInput {
  version: string;
  commit: string | null;
  node: string;
  seaBinary: string;
  cacheDir: string;
  outDir: string;
}
export interface ImageResult {
  dir: string;
  manifest: { digest: string; size: number };
  config: { digest: string };
  layers: { digest: string; size: number; diffId: string }[];
}

export const IMAGE_PATH_IN_ROOTFS = 'usr/local/bin/labctl';

export async function buildImage(o: ImageInput): Promise<ImageResult> {
  const bb = busybox(o.cacheDir);
  const libs = sharedLibraries(o.seaBinary);
  const layers = [
    await layerTar(baseEntries(bb.binary, libs)),
    await layerTar(
      withParents([{ path: IMAGE_PATH_IN_ROOTFS, type: 'file', mode: 0o755, data: readFileSync(o.seaBinary) }]),
    ),
  ];
  const tmp = `${o.outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const blobs = join(tmp, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer) => {
    const d = sha(b);
    writeFileSync(join(blobs, d), b);
    return { digest: `sha256:${d}`, size: b.length };
  };
  const layerDescs = layers.map((l) => ({ ...put(l.gz), diffId: `sha256:${sha(l.tar)}` }));
  const labels = {
    'org.opencontainers.image.title': 'labctl',
    'org.opencontainers.image.description': 'labctl for the site CI: labs validate, labs capacity, render --check',
    'org.opencontainers.image.version': o.version,
    ...(o.commit ? { 'org.opencontainers.image.revision': o.commit } : {}),
    'labctl.node.version': o.node,
    'labctl.base': `${basename(bb.deb)}; ${libs.map(([p]) => basename(p)).join(' ')} (Debian, as ldd resolves them)`,
  };
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Entrypoint: [`/${IMAGE_PATH_IN_ROOTFS}`],
          Cmd: ['--help'],
          WorkingDir: '/',
          Env: ['PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin', 'HOME=/root'],
          Labels: Object.fromEntries(Object.entries(labels).sort()),
        },
        rootfs: { type: 'layers', diff_ids: layerDescs.map((l) => l.diffId) },
        history: [
          {
            created: FIXED_MTIME.toISOString(),
            created_by: 'labctl packaging: busybox-static and the shared libraries of Node',
          },
          {
            created: FIXED_MTIME.toISOString(),
            created_by: `labctl packaging: single executable ${o.version} (Node ${o.node})`,
          },
        ],
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
        layers: layerDescs.map((l) => ({ mediaType: MEDIA.layerGzip, digest: l.digest, size: l.size })),
        annotations: { 'org.opencontainers.image.version': o.version, 'org.opencontainers.image.title': 'labctl' },
      }),
    ),
  );
  writeFileSync(join(tmp, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(tmp, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: MEDIA.manifest,
          ...manifest,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'org.opencontainers.image.ref.name': o.version },
        },
      ],
    }),
  );
  if (existsSync(o.outDir)) {
    if (!existsSync(join(o.outDir, 'oci-layout')))
      throw new Error(`${o.outDir} exists and is not an image layout; refusing to replace it`);
    rmSync(o.outDir, { recursive: true, force: true });
  }
  renameSync(tmp, o.outDir);
  return { dir: o.outDir, manifest, config, layers: layerDescs };
}

export const layoutSize = (dir: string) =>
  readdirSync(join(dir, 'blobs', 'sha256')).reduce((n, f) => n + statSync(join(dir, 'blobs', 'sha256', f)).size, 0);
