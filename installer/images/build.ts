// labctl images build: base image (verified download, or --from FILE) -> optional offline
// customisation with virt-customize -> KubeVirt containerDisk as an OCI layout. The cached base image is
// never modified: customisation and format conversion work on a copy in a temporary folder.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Problem } from '../core/diagnostics.ts';
import type { CatalogImage, CustomizeStep } from './catalog.ts';
import { displayPath } from './catalog.ts';
import { fetchBaseImage, sha256File } from './download.ts';
import { writeContainerDisk, guardOutDir, type ContainerDiskResult } from './oci.ts';
import { findOnPath, requireTool, run, tail } from './tools.ts';

export interface BuildOptions {
  image: CatalogImage;
  outDir: string;
  cacheDir: string;
  /** A local disk image to use instead of downloading base.url. */
  from?: string;
  /** Skip the customize steps even when virt-customize is installed. */
  skipCustomize?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult extends ContainerDiskResult {
  name: string;
  version: string;
  source: { kind: 'download' | 'from'; file: string; sha256: string; cached?: boolean; downloadedBytes?: number };
  format: string;
  virtualSize: number;
  customized: boolean;
  /** Why the customize steps did not run, when they did not. */
  customizeSkipped?: string;
  timings: Record<string, number>;
}

const GiB = 1024 ** 3;

export async function buildImage(o: BuildOptions): Promise<BuildResult> {
  const { image: img } = o;
  const log = o.log ?? (() => {});
  const qemuImg = requireTool('qemu-img');
  guardOutDir(o.outDir); // fail before a long download, not after
  const timings: Record<string, number> = {};
  const timed = async <T>(key: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[key] = Math.round(performance.now() - t0);
    }
  };

  let source: BuildResult['source'];
  if (o.from) {
    const file = resolve(o.from);
    if (!existsSync(file)) throw new Problem(`--from ${o.from}: file not found`);
    if (!statSync(file).isFile()) throw new Problem(`--from ${o.from}: not a regular file`);
    source = { kind: 'from', file, sha256: await timed('hash', () => sha256File(file)) };
    log(`using ${displayPath(file)} (sha256 ${source.sha256}) instead of ${img.definition.base.url}`);
  } else {
    log(`base image ${img.definition.base.url}`);
    const f = await timed('download', () => fetchBaseImage(img, { cacheDir: o.cacheDir, log }));
    source = { kind: 'download', file: f.file, sha256: f.sha256, cached: f.cached, downloadedBytes: f.downloaded };
    log(
      f.cached
        ? `cached and verified: ${f.file}`
        : `downloaded ${(f.downloaded / 1048576).toFixed(1)} MiB, sha256 verified`,
    );
  }

  const info = await qemuInfo(qemuImg, source.file, o.from ?? img.definition.base.url);
  if (info.virtualSize > img.definition.minDiskGiB * GiB) {
    throw new Problem(
      `image ${img.name}: the disk's virtual size is ${(info.virtualSize / GiB).toFixed(1)} GiB, larger than minDiskGiB`,
      [
        {
          severity: 'error',
          file: img.source.file,
          ...img.source.locate(['minDiskGiB']),
          path: 'minDiskGiB',
          message: `${img.definition.minDiskGiB} GiB is smaller than the image's virtual size (${(info.virtualSize / GiB).toFixed(1)} GiB); a lab disk of this size could not hold it`,
        },
      ],
    );
  }

  mkdirSync(dirname(resolve(o.outDir)), { recursive: true });
  const work = mkdtempSync(join(dirname(resolve(o.outDir)), '.labctl-image-work-'));
  try {
    let disk = source.file;
    let customized = false;
    let customizeSkipped: string | undefined;
    const steps = img.customize;
    if (steps.length > 0) {
      const vc = findOnPath('virt-customize');
      if (o.skipCustomize) customizeSkipped = '--skip-customize given';
      else if (!vc) customizeSkipped = 'virt-customize is not installed (Debian package libguestfs-tools)';
      if (customizeSkipped) {
        log(
          `note: ${steps.length} customize step(s) of ${img.name} NOT run: ${customizeSkipped}. The image still gets its cloud-init user-data at first boot; the build record says customized: false`,
        );
      } else {
        const copy = join(work, 'customized.qcow2');
        await timed('customize', async () => {
          await mustRun(qemuImg, ['convert', '-O', 'qcow2', disk, copy], 'qemu-img convert');
          log(`virt-customize: ${steps.length} step(s)`);
          await mustRun(
            vc!,
            ['--no-selinux-relabel', '-a', copy, ...customizeArgs(steps)],
            'virt-customize',
            3 * 3600_000,
          );
          // Recompress: customisation rewrites clusters uncompressed.
          const compact = join(work, 'compact.qcow2');
          await mustRun(qemuImg, ['convert', '-c', '-O', 'qcow2', copy, compact], 'qemu-img convert -c');
          rmSync(copy);
          disk = compact;
        });
        customized = true;
      }
    }
    if (!customized && info.format !== 'qcow2') {
      const converted = join(work, 'converted.qcow2');
      await timed('convert', () =>
        mustRun(qemuImg, ['convert', '-c', '-O', 'qcow2', disk, converted], 'qemu-img convert'),
      );
      disk = converted;
    }

    const def = img.definition;
    const result = await timed('layout', () =>
      writeContainerDisk(
        {
          name: img.name,
          version: img.version,
          architecture: img.architecture,
          disk,
          annotations: {
            'org.opencontainers.image.title': img.name,
            'org.opencontainers.image.version': img.version,
            'org.opencontainers.image.description': def.description,
            'org.opencontainers.image.base.name': def.base.url,
            'io.campus-lab.image.base.sha256': def.base.sha256,
            'io.campus-lab.image.source.sha256': source.sha256,
            'io.campus-lab.image.customized': String(customized),
          },
          labels: {
            'org.opencontainers.image.title': img.name,
            'org.opencontainers.image.version': img.version,
            'io.campus-lab.image.os': `${def.os.family}-${def.os.release}`,
            'io.campus-lab.image.default-user': def.defaultUser,
          },
        },
        o.outDir,
      ),
    );
    return {
      ...result,
      name: img.name,
      version: img.version,
      source,
      format: info.format,
      virtualSize: info.virtualSize,
      customized,
      customizeSkipped,
      timings,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** virt-customize arguments, in the order the steps are written. */
export function customizeArgs(steps: CustomizeStep[]): string[] {
  return steps.flatMap((s): string[] => {
    if ('install' in s) return ['--install', s.install.join(',')];
    if ('run' in s) return ['--run-command', s.run];
    return ['--write', `${s.write.path}:${s.write.content}`];
  });
}

async function qemuInfo(
  qemuImg: string,
  file: string,
  shown: string,
): Promise<{ format: string; virtualSize: number }> {
  const r = await run(qemuImg, ['info', '--output=json', file], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Problem(`${shown} is not a disk image qemu-img can read: ${tail(r.stderr, 2)}`);
  const j = JSON.parse(r.stdout) as { format: string; 'virtual-size': number; 'backing-filename'?: string };
  if (j['backing-filename'])
    throw new Problem(
      `${shown} has a backing file (${j['backing-filename']}); flatten it first (qemu-img convert -O qcow2 IN OUT)`,
    );
  if (j.format !== 'qcow2' && j.format !== 'raw')
    throw new Problem(`${shown} is a ${j.format} image; expected qcow2 (or raw)`);
  // qemu-img calls any file "raw" (an HTML error page too): a raw disk must at least look like one.
  const size = statSync(file).size;
  if (j.format === 'raw' && (size < 1048576 || size % 512 !== 0))
    throw new Problem(`${shown} is not a disk image (no qcow2 header; ${size} bytes is no raw disk either)`);
  return { format: j.format, virtualSize: j['virtual-size'] };
}

async function mustRun(cmd: string, args: string[], what: string, timeoutMs = 3600_000): Promise<void> {
  const r = await run(cmd, args, { timeoutMs });
  if (r.code !== 0) throw new Problem(`${what} failed (exit ${r.code}): ${tail(r.stderr)}`);
}
