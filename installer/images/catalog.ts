// The image catalog: images/<name>/image.yaml plus its cloud-init user-data. The one reader every
// command uses (images build/push/validate, render, labs validate). Never prints; returns located
// diagnostics (FILE:LINE:COL) or throws a Problem carrying them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { nearName } from '../core/near-name.ts';
import { formatPath, Problem, type Diagnostic } from '../core/diagnostics.ts';
import { repoPath } from '../core/paths.ts';
import { compile, schemaDiagnostics } from '../core/schema-check.ts';
import { loadYamlFile, type PathSeg, type YamlSource } from '../core/yaml-source.ts';
import { imageSchema } from './schema.ts';
import { validators } from '../validators/images.ts';

export type OsFamily = 'ubuntu' | 'debian' | 'fedora' | 'centos-stream' | 'rocky' | 'almalinux' | 'opensuse';
export type CustomizeStep = { install: string[] } | { run: string } | { write: { path: string; content: string } };

/** images/<name>/image.yaml as written (after schema validation). */
export interface ImageDefinition {
  apiVersion: 1;
  name: string;
  version: string;
  description: string;
  os: { family: OsFamily; release: string };
  architecture?: 'amd64' | 'arm64';
  base: { url: string; sha256: string };
  defaultUser: string;
  minDiskGiB: number;
  userData?: string;
  customize?: CustomizeStep[];
}

/** A valid catalog entry with defaults filled in. */
export interface CatalogImage {
  name: string;
  version: string;
  architecture: 'amd64' | 'arm64';
  definition: ImageDefinition;
  /** Folder of the image and its image.yaml. */
  dir: string;
  file: string;
  source: YamlSource;
  userDataFile: string;
  userData: string;
  customize: CustomizeStep[];
}

export interface CatalogResult {
  images: CatalogImage[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export const DEFINITION_FILE = 'image.yaml';
export const DEFAULT_USER_DATA = 'user-data.yaml';
/** The Harbor project lab images live in; the rendered DataImportCrons pull from it. */
export const IMAGES_PROJECT = 'labs';

/** Namespace of the rendered DataImportCrons and DataSources; labs clone from DataSource <name> here. */
export const IMAGES_NAMESPACE = 'vm-images';
/** What a lab's dataVolumeTemplates[].spec.sourceRef names for an image. */
export const dataSourceRef = (name: string) => ({ kind: 'DataSource' as const, name, namespace: IMAGES_NAMESPACE });

/** The catalog folder: LABCTL_IMAGES_DIR when set (tests, a site's own catalog), else images/ of this checkout. */
export const imagesDir = (): string => resolve(process.env.LABCTL_IMAGES_DIR || repoPath('images'));

/** Image names (folders holding an image.yaml), sorted; cheap, parses nothing. */
export function imageNames(root = imagesDir()): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, DEFINITION_FILE)))
    .map((d) => d.name)
    .sort();
}

/** Every image of the catalog, validated; invalid ones are left out and reported in `errors`. */
export function listImages(root = imagesDir()): CatalogResult {
  const out: CatalogResult = { images: [], errors: [], warnings: [] };
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    out.errors.push({
      severity: 'error',
      file: root,
      line: 1,
      col: 1,
      path: '',
      message: 'image catalog folder not found',
    });
    return out;
  }
  for (const name of imageNames(root)) {
    const r = readImage(root, name);
    out.errors.push(...r.errors);
    out.warnings.push(...r.warnings);
    if (r.image) out.images.push(r.image);
  }
  return out;
}

/** One image by name; throws a Problem with the diagnostics, or a "did you mean" when unknown. */
export function loadImage(name: string, root = imagesDir()): CatalogImage & { warnings: Diagnostic[] } {
  const names = imageNames(root);
  if (!names.includes(name)) {
    const guess = nearName(name, names);
    throw new Problem(
      `no image ${JSON.stringify(name)} in ${root}${names.length ? `; known: ${names.join(', ')}` : ' (the catalog is empty)'}${guess ? ` (did you mean "${guess}"?)` : ''}`,
    );
  }
  const r = readImage(root, name);
  if (!r.image) throw new Problem(`image ${name}: ${r.errors.length} error(s)`, r.errors);
  return { ...r.image, warnings: r.warnings };
}

/** Where the image is pushed and pulled: <host>/<project>/<name>:<version>. */
export const imageRepository = (host: string, name: string, project = IMAGES_PROJECT) => `${host}/${project}/${name}`;

function readImage(root: string, name: string): { image?: CatalogImage; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const dir = join(root, name);
  const file = join(dir, DEFINITION_FILE);
  const shown = displayPath(file);
  const loaded = loadYamlFile(file);
  if (!loaded.ok) return { errors: loaded.diagnostics.map((d) => ({ ...d, file: shown })), warnings: [] };
  const source: YamlSource = { ...loaded.source, file: shown };
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const at = (path: PathSeg[], message: string, severity: 'error' | 'warning' = 'error', hint?: string) =>
    (severity === 'error' ? errors : warnings).push({
      severity,
      file: shown,
      ...source.locate(path),
      path: formatPath(path),
      message,
      hint,
    });

  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    errors.push({
      severity: 'error',
      file: shown,
      ...source.locate([]),
      path: '',
      message: 'expected a mapping (apiVersion, name, version, base, ...)',
    });
    return { errors, warnings };
  }
  errors.push(
    ...schemaDiagnostics(source, compile(imageSchema, validators)).map((d) =>
      /^customize\[\d+\]$/.test(d.path) && /properties/.test(d.message)
        ? { ...d, message: 'a customize step has exactly one of install, run, write' }
        : d,
    ),
  );
  if (errors.length) return { errors, warnings };
  const def = source.data as ImageDefinition;

  if (def.name !== name)
    at(
      ['name'],
      `name ${JSON.stringify(def.name)} differs from its folder images/${name}; they must be equal (the folder is how labs and commands find it)`,
    );
  if (/\/(current|latest)\//.test(def.base.url) || /\/release\/[^/]+$/.test(def.base.url)) {
    at(
      ['base', 'url'],
      'points at a moving "current"/"latest" link; its checksum breaks when upstream publishes a new build. Pin a dated release folder',
      'warning',
    );
  }
  if (def.base.url.startsWith('file://') && !def.base.url.startsWith('file:///'))
    at(['base', 'url'], 'file:// URLs must be absolute (file:///path)');

  const udName = def.userData ?? DEFAULT_USER_DATA;
  const userDataFile = join(dir, udName);
  const udShown = displayPath(userDataFile);
  let userData = '';
  if (!existsSync(userDataFile)) {
    if (def.userData !== undefined) at(['userData'], `file ${udShown} not found`);
    else
      errors.push({
        severity: 'error',
        file: shown,
        line: 1,
        col: 1,
        path: 'userData',
        message: `no ${DEFAULT_USER_DATA} next to image.yaml; add one (at least "#cloud-config") or name another file in userData`,
      });
  } else {
    const ud = loadUserData(userDataFile, udShown, def.defaultUser);
    errors.push(...ud.errors);
    warnings.push(...ud.warnings);
    userData = ud.text;
  }
  if (errors.length) return { errors, warnings };
  return {
    image: {
      name,
      version: def.version,
      architecture: def.architecture ?? 'amd64',
      definition: def,
      dir,
      file,
      source,
      userDataFile,
      userData,
      customize: def.customize ?? [],
    },
    errors,
    warnings,
  };
}

/** Structural checks of a cloud-init user-data file that need no cloud-init install (see cloud-init.ts for the real schema). */
function loadUserData(
  file: string,
  shown: string,
  defaultUser: string,
): { text: string; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const loaded = loadYamlFile(file, { maxBytes: 256 * 1024 });
  if (!loaded.ok) return { text: '', errors: loaded.diagnostics.map((d) => ({ ...d, file: shown })), warnings };
  // loadYamlFile already checked size and UTF-8; read the exact text again for the first-line check.
  const text = readFileSync(file, 'utf8');
  const first = text.split('\n', 1)[0]?.trimEnd();
  if (first !== '#cloud-config') {
    errors.push({
      severity: 'error',
      file: shown,
      line: 1,
      col: 1,
      path: '',
      message: `first line is ${JSON.stringify(first ?? '')}; cloud-init only reads user-data as cloud-config when it starts with "#cloud-config"`,
    });
  }
  const data = loaded.source.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    errors.push({
      severity: 'error',
      file: shown,
      ...loaded.source.locate([]),
      path: '',
      message: 'expected a cloud-config mapping (packages, write_files, runcmd, ...)',
    });
    return { text, errors, warnings };
  }
  const users = (data as Record<string, unknown>).users;
  if (
    Array.isArray(users) &&
    !users.some(
      (u) => u === 'default' || (typeof u === 'object' && u !== null && (u as { name?: unknown }).name === defaultUser),
    )
  ) {
    warnings.push({
      severity: 'warning',
      file: shown,
      ...loaded.source.locate(['users']),
      path: 'users',
      message: `replaces the image's default user ${defaultUser}; add "- default" to keep it (labs add the student's user on top)`,
    });
  }
  return { text, errors, warnings };
}

/** A path as people see it in messages: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : p;
}

export const isDefinitionFile = (p: string) => basename(p) === DEFINITION_FILE;
