// The only filesystem writer of render. It keeps a list of the files it wrote (.labctl/rendered.json),
// so a re-render removes files it wrote before and no longer renders, and never touches or overwrites
// files someone else put there (lab templates, the site's own additions) unless told to.
import { existsSync, mkdirSync, readFileSync, rmSync, readdirSync, rmdirSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { dirname, join } from 'node:path';

export const STATE_FILE = '.labctl/rendered.json';

export interface RepoChange { added: string[]; changed: string[]; removed: string[]; conflicts: string[] }

function previous(dir: string): Set<string> {
  const p = join(dir, STATE_FILE);
  if (!existsSync(p)) return new Set();
  try { return new Set(JSON.parse(readFileSync(p, 'utf8')).files as string[]); } catch { return new Set(); }
}

/** What writing `files` into `dir` would change. A conflict is an existing file labctl did not write. */
export function planWrite(dir: string, files: Map<string, string>): RepoChange {
  const prev = previous(dir);
  const out: RepoChange = { added: [], changed: [], removed: [], conflicts: [] };
  for (const [path, content] of files) {
    const full = join(dir, path);
    if (!existsSync(full)) out.added.push(path);
    else if (readFileSync(full, 'utf8') !== content) (prev.has(path) ? out.changed : out.conflicts).push(path);
  }
  for (const path of prev) if (!files.has(path) && existsSync(join(dir, path))) out.removed.push(path);
  return out;
}

export function writeRepo(dir: string, files: Map<string, string>, change: RepoChange): void {
  mkdirSync(dir, { recursive: true });
  for (const path of [...change.added, ...change.changed, ...change.conflicts]) atomicWrite(join(dir, path), files.get(path)!);
  for (const path of change.removed) {
    rmSync(join(dir, path), { force: true });
    pruneEmptyDirs(dir, dirname(path));
  }
  atomicWrite(join(dir, STATE_FILE), JSON.stringify({ files: [...files.keys()] }, null, 1) + '\n');
}

/** Rendered files are recreated by a re-render, so they need atomicity, not fsync. */
export const atomicWrite = (file: string, content: string) => writeFileAtomic(file, content);

function pruneEmptyDirs(root: string, rel: string): void {
  while (rel && rel !== '.') {
    const full = join(root, rel);
    if (!existsSync(full) || readdirSync(full).length > 0) return;
    rmdirSync(full);
    rel = dirname(rel);
  }
}
