// labctl images list | validate | build | push: the lab VM image catalog in images/.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitError, UsageError, type Diagnostic } from '../../core/diagnostics.ts';
import { requireSite } from '../../inventory/validate.ts';
import { displayPath, imageNames, IMAGES_PROJECT, listImages, loadImage } from '../../images/catalog.ts';
import { checkUserData } from '../../images/cloud-init.ts';
import { buildImage } from '../../images/build.ts';
import { pushImage } from '../../images/push.ts';
import { printDiagnostics, printJson, type OutputFormat } from '../output.ts';
import { table } from '../../core/table.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);
const withDir = <T>(dir: string | undefined, f: () => T): T => {
  if (!dir) return f();
  const prev = process.env.LABCTL_IMAGES_DIR;
  process.env.LABCTL_IMAGES_DIR = resolve(dir);
  try {
    return f();
  } finally {
    if (prev === undefined) delete process.env.LABCTL_IMAGES_DIR;
    else process.env.LABCTL_IMAGES_DIR = prev;
  }
};
export const defaultCacheDir = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'labctl', 'images');
export const defaultOutDir = (name: string) => join('.labctl', 'images', name);

export async function imagesListCommand(o: { imagesDir?: string; output: OutputFormat }): Promise<void> {
  const r = withDir(o.imagesDir, () => listImages());
  if (o.output === 'json') {
    printJson({
      images: r.images.map((i) => ({
        name: i.name,
        version: i.version,
        os: i.definition.os,
        architecture: i.architecture,
        minDiskGiB: i.definition.minDiskGiB,
        description: i.definition.description,
      })),
      errors: r.errors,
    });
  } else {
    printDiagnostics(r.errors);
    const rows = r.images.map((i) => [
      i.name,
      i.version,
      `${i.definition.os.family} ${i.definition.os.release}`,
      `${i.definition.minDiskGiB} GiB`,
      i.definition.description,
    ]);
    process.stdout.write(table(['NAME', 'VERSION', 'OS', 'MIN DISK', 'DESCRIPTION'], rows));
  }
  if (r.errors.length)
    throw new ExitError(o.output === 'json' ? '' : `${r.errors.length} error(s) in the image catalog`, 1);
}

/** Schema and semantic checks of the catalog, plus `cloud-init schema` of every user-data when cloud-init is installed. */
export async function imagesValidateCommand(o: {
  names: string[];
  imagesDir?: string;
  output: OutputFormat;
}): Promise<void> {
  const r = withDir(o.imagesDir, () => listImages());
  const known = withDir(o.imagesDir, () => imageNames());
  const unknown = o.names.filter((n) => !known.includes(n));
  if (unknown.length)
    throw new UsageError(`no image named ${unknown.join(', ')}; known: ${known.join(', ') || '(none)'}`);
  const wanted = (file: string) =>
    o.names.length === 0 || o.names.some((n) => file.includes(`${n}/`) || file.includes(`${n}\\`));
  const errors: Diagnostic[] = r.errors.filter((d) => wanted(d.file));
  const warnings = r.warnings.filter((d) => wanted(d.file));
  const images = r.images.filter((i) => o.names.length === 0 || o.names.includes(i.name));
  let cloudInit = 'not installed: user-data checked for structure only (install cloud-init for its schema check)';
  for (const img of images) {
    const c = checkUserData(img.userDataFile, displayPath(img.userDataFile));
    if (c.available) cloudInit = `checked with cloud-init ${c.version ?? '(unknown version)'} schema`;
    errors.push(...c.diagnostics);
  }
  if (o.output === 'json') {
    printJson({ valid: errors.length === 0, images: images.map((i) => i.name), cloudInit, errors, warnings });
  } else {
    printDiagnostics([...errors, ...warnings]);
    if (errors.length === 0)
      process.stdout.write(
        `images: ${images.length} valid (${images.map((i) => `${i.name}:${i.version}`).join(', ')}); user-data ${cloudInit}\n`,
      );
  }
  if (errors.length)
    throw new ExitError(o.output === 'json' ? '' : `${errors.length} error(s) in the image catalog`, 1);
}

export interface BuildCommandOptions {
  name: string;
  from?: string;
  out?: string;
  cacheDir?: string;
  imagesDir?: string;
  skipCustomize?: boolean;
  output: OutputFormat;
}

export async function imagesBuildCommand(o: BuildCommandOptions): Promise<void> {
  const img = withDir(o.imagesDir, () => loadImage(o.name));
  printDiagnostics(img.warnings);
  const outDir = resolve(o.out ?? defaultOutDir(img.name));
  const t0 = performance.now();
  const r = await buildImage({
    image: img,
    outDir,
    cacheDir: resolve(o.cacheDir ?? defaultCacheDir()),
    from: o.from,
    skipCustomize: o.skipCustomize,
    log: say,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (o.output === 'json') {
    printJson({ ...r, seconds });
    return;
  }
  process.stdout.write(
    [
      `built ${r.name}:${r.version} in ${seconds.toFixed(1)} s -> ${displayPath(r.dir)} (OCI layout)`,
      `  manifest ${r.manifest.digest}`,
      `  layer    ${r.layer.digest} (${fmtBytes(r.layer.size)}; ${r.diskPath} ${fmtBytes(r.diskBytes)}, virtual ${fmtBytes(r.virtualSize)}, owner 107:107 mode 0440)`,
      `  customized: ${r.customized}${r.customizeSkipped ? ` (skipped: ${r.customizeSkipped})` : ''}`,
      `next: labctl images push ${r.name}`,
    ].join('\n') + '\n',
  );
}

export interface PushCommandOptions {
  name: string;
  registry?: string;
  inventory: string;
  project?: string;
  ociDir?: string;
  imagesDir?: string;
  authfile?: string;
  tlsVerify: boolean;
  overwrite?: boolean;
  output: OutputFormat;
}

export async function imagesPushCommand(o: PushCommandOptions): Promise<void> {
  const img = withDir(o.imagesDir, () => loadImage(o.name));
  let registry = o.registry;
  if (!registry) {
    if (!existsSync(o.inventory))
      throw new UsageError(
        `give --registry HOST, or an inventory (-i) to take Harbor's host name from (${o.inventory} not found)`,
      );
    const s = requireSite(o.inventory);
    if ('errors' in s) throw new ExitError(`${o.inventory}: invalid inventory`, 1, s.errors);
    registry = s.site.hosts.harbor;
  }
  const ociDir = resolve(o.ociDir ?? defaultOutDir(img.name));
  const t0 = performance.now();
  const r = await pushImage({
    ociDir,
    registry,
    project: o.project ?? IMAGES_PROJECT,
    name: img.name,
    version: img.version,
    authfile: o.authfile,
    tlsVerify: o.tlsVerify,
    overwrite: o.overwrite,
    log: say,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (o.output === 'json') {
    printJson({ ...r, seconds });
    return;
  }
  process.stdout.write(
    r.pushed
      ? `pushed ${r.reference} (${r.digest}, layer ${fmtBytes(r.layerSize)}) in ${seconds.toFixed(1)} s\n`
      : `${r.reference} is already in the registry with digest ${r.digest}; nothing pushed\n`,
  );
}

const fmtBytes = (n: number) =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
