// The files labctl reads at run time besides its code (through installer/core/paths.ts): the pinned
// versions, the chart, the lab image catalog, the text templates, the schemas for editors, the Harbor
// script and the example inventory. The npm package lists them in package.json `files`; the single
// executable embeds them. One list, so the two cannot drift (test/package/files.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Whole folders, and files under installer/ by extension (the TypeScript sources are bundled instead). */
export const RUNTIME_DIRS = ['gitops', 'charts', 'images'] as const;
export const INSTALLER_EXTENSIONS = ['.hbs', '.json', '.py'] as const;
export const RUNTIME_FILES = [
  'package.json',
  'inventory.example.yaml',
  'inventory.schema.json',
  'README.md',
  'CHANGELOG.md',
] as const;

function walk(root: string, dir: string, keep: (rel: string) => boolean, out: string[]): void {
  for (const e of readdirSync(join(root, dir)).sort()) {
    const rel = `${dir}/${e}`;
    if (statSync(join(root, rel)).isDirectory()) walk(root, rel, keep, out);
    else if (keep(rel)) out.push(rel);
  }
}

/** Every runtime file, relative to the checkout root, sorted. */
export function runtimeFiles(root: string): string[] {
  const out: string[] = [...RUNTIME_FILES];
  for (const d of RUNTIME_DIRS) walk(root, d, () => true, out);
  walk(root, 'installer', (rel) => INSTALLER_EXTENSIONS.some((x) => rel.endsWith(x)), out);
  return out.sort();
}

/** The files as one JSON document (path -> base64), the single executable's embedded asset. */
export function runtimeArchive(root: string, extra: Record<string, Buffer> = {}): Buffer {
  const files: Record<string, string> = {};
  for (const rel of runtimeFiles(root)) files[rel] = readFileSync(join(root, rel)).toString('base64');
  for (const [rel, data] of Object.entries(extra)) files[rel] = data.toString('base64');
  return Buffer.from(JSON.stringify({ files }));
}

export const relativeTo = (root: string, p: string) => relative(root, p).split('\\').join('/');
