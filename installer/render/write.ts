// The only filesystem writer of render. It keeps a list of the files it wrote (.labctl/rendered.json),
// so a re-render removes files it wrote before and no longer renders, and never touches or overwrites
// files someone else put there (lab templates, the site's own additions) unless told to.
//
// It stays inside the output folder: every path it reads, writes or deletes is a plain relative path
// (no `..`, not absolute) and no folder or file on the way is a symbolic link, so neither a symlink
// committed to the site repository nor a crafted rendered.json can make it write, delete or show a file
// elsewhere (docs/security.md, boundary 5). The site repository is Git content anyone with commit rights
// shapes; the admin's machine is not.
import { existsSync, lstatSync, mkdirSync, rmSync, readdirSync, rmdirSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { Problem } from '../core/diagnostics.ts';
import { labctlVersion } from '../core/build-info.ts';
import { takePidLock } from '../core/pid-lock.ts';
import { NotRegularFile, notRegularSaid, readCommittedText, readRegularFile } from '../core/regular-file.ts';

export const STATE_FILE = '.labctl/rendered.json';
export const LOCK_FILE = '.labctl/lock';
/**
 * The most render reads back of a file in the output folder (its state file, a file to show in a diff): the
 * largest it writes is ~90 KB. A committed pipe, device or huge file there is a Problem, not read without end.
 */
export const MAX_READ_BACK = 16 * 1024 * 1024;

/** Local files of the site repository that must never be committed (render writes this .gitignore). */
export const GITIGNORE = `# Written by labctl render: local files that must never be committed.
# labctl keeps its journal, the admin kubeconfig, logs and pinned SSH host keys outside this repository
# ($LABCTL_STATE_DIR, else \${XDG_STATE_HOME:-~/.local/state}/labctl/<site>); these lines catch a --state-dir pointed here.
.labctl/*
!.labctl/rendered.json
journal.json
admin.conf
known_hosts
*.log
# \`labctl kubeconfig\` writes ./kubeconfig by default (-o kubeconfig): a user's credentials, never in Git.
/kubeconfig
# The site's private key belongs on the admin's machine and offline backups, never in Git.
*.agekey
`;

/** `kept`: paths .labctl/rendered.json lists that render would never write there, so never removes. */
export interface RepoChange {
  added: string[];
  changed: string[];
  removed: string[];
  conflicts: string[];
  kept: string[];
}

/** Never removed whatever .labctl/rendered.json says: Git's own files, the secret store, labctl's state. */
const NEVER_REMOVED = new Set(['.git', 'secrets', '.labctl']);

/**
 * Whether render may remove `path`, a file an earlier render recorded and this one no longer writes.
 * rendered.json is Git content, so it is not trusted with deletions: only a path inside a top-level folder
 * this render writes into, and no deeper than this render writes there. Top-level files (the inventory,
 * the site's own README) and course lab files (labs/<course>/<lab>.yaml: labs/ holds render's files one
 * level deep only) are therefore never removed; a stale one is left and reported.
 */
function removable(path: string, depthByTop: Map<string, number>): boolean {
  const parts = path.split('/');
  if (parts.length < 2 || NEVER_REMOVED.has(parts[0]!)) return false;
  return parts.length <= (depthByTop.get(parts[0]!) ?? 0);
}

/** A relative path that stays inside its folder as written: no `..`, not absolute, no empty parts. */
export function isPlainRelative(p: string): boolean {
  if (typeof p !== 'string' || !p || p.includes('\0') || p.includes('\\') || isAbsolute(p) || p.startsWith('/'))
    return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..') && posix.normalize(p) === p;
}

/**
 * Refuses `rel` (a path under `root`) when any existing part of it is a symbolic link: following one would
 * read or write outside `root`. `root` itself is the admin's choice and may be a link.
 */
export function assertNoSymlink(root: string, rel: string, what: string): void {
  const parts = rel.split('/');
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing further exists: nothing to follow
      throw e;
    }
    if (st.isSymbolicLink()) {
      throw new Problem(
        `${join(root, rel)}: ${cur} is a symbolic link; labctl ${what} only plain files and folders inside ${root} and never follows a link (it could point outside). Replace the link by a real folder or file.`,
      );
    }
  }
}

/** The files an earlier render wrote, from .labctl/rendered.json; every entry must be a plain path inside `dir`. */
export function previous(dir: string): Set<string> {
  assertNoSymlink(dir, STATE_FILE, 'reads');
  const p = join(dir, STATE_FILE);
  if (!existsSync(p)) return new Set();
  const text = readCommittedText(p, MAX_READ_BACK);
  let files: unknown;
  try {
    files = (JSON.parse(text) as { files?: unknown }).files;
  } catch (e) {
    throw new Problem(
      `${p}: not a readable list of rendered files (${(e as Error).message}); restore it from Git or delete it (render then treats every existing file as not its own)`,
    );
  }
  if (!Array.isArray(files)) throw new Problem(`${p}: "files" must be a list of paths`);
  const bad = files.filter((f) => !isPlainRelative(f as string));
  if (bad.length) {
    throw new Problem(
      `${p} names ${bad.length} path(s) outside ${dir}: ${bad.map((b) => JSON.stringify(b)).join(', ')}. labctl writes and removes only files inside the output folder; nothing was changed. Restore the file from a commit labctl made, or remove those entries.`,
    );
  }
  for (const f of files as string[]) assertNoSymlink(dir, f, 'removes');
  return new Set(files as string[]);
}

/** What writing `files` into `dir` would change. A conflict is an existing file labctl did not write. */
export function planWrite(dir: string, files: Map<string, string>): RepoChange {
  const prev = previous(dir);
  const out: RepoChange = { added: [], changed: [], removed: [], conflicts: [], kept: [] };
  const depthByTop = new Map<string, number>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    if (parts.length > 1) depthByTop.set(parts[0]!, Math.max(depthByTop.get(parts[0]!) ?? 0, parts.length));
  }
  for (const [path, content] of files) {
    if (!isPlainRelative(path)) throw new Error(`render produced a path outside the output folder: ${path}`);
    assertNoSymlink(dir, path, 'writes');
    const full = join(dir, path);
    if (!existsSync(full)) out.added.push(path);
    else if (!sameText(full, content)) (prev.has(path) ? out.changed : out.conflicts).push(path);
  }
  for (const path of prev) {
    if (files.has(path) || !existsSync(join(dir, path))) continue;
    (removable(path, depthByTop) ? out.removed : out.kept).push(path);
  }
  return out;
}

/**
 * Whether the file at `full` holds `content`. Read no further than content's length (a longer file differs);
 * a pipe or device there (a link was refused before) is a Problem, not read without end.
 */
function sameText(full: string, content: string): boolean {
  const max = Buffer.byteLength(content);
  try {
    return readRegularFile(full, max).toString('utf8') === content;
  } catch (e) {
    if (!(e instanceof NotRegularFile)) throw e;
    if (e.why === 'too large') return false;
    throw new Problem(
      `${full} ${notRegularSaid(e, max)}: labctl render writes a plain file there, so a commit may have planted it. Nothing was compared or written; remove it, then render again`,
    );
  }
}

export function writeRepo(dir: string, files: Map<string, string>, change: RepoChange): void {
  mkdirSync(dir, { recursive: true });
  for (const path of [...change.added, ...change.changed, ...change.conflicts]) {
    assertNoSymlink(dir, path, 'writes'); // again: the plan may be older than the folder
    atomicWrite(join(dir, path), files.get(path)!);
  }
  for (const path of change.removed) {
    assertNoSymlink(dir, path, 'removes');
    rmSync(join(dir, path), { force: true });
    pruneEmptyDirs(dir, dirname(path));
  }
  assertNoSymlink(dir, STATE_FILE, 'writes');
  // The labctl version (package.json, not a build time: same input, same bytes) lets `render --check`
  // say when the site was rendered by another labctl.
  atomicWrite(
    join(dir, STATE_FILE),
    JSON.stringify({ labctl: labctlVersion(), files: [...files.keys()] }, null, 1) + '\n',
  );
}

/** The labctl version that last rendered `dir` (.labctl/rendered.json), or null (none, or written before 0.2). */
export function renderedBy(dir: string): string | null {
  assertNoSymlink(dir, STATE_FILE, 'reads');
  const p = join(dir, STATE_FILE);
  if (!existsSync(p)) return null;
  const text = readCommittedText(p, MAX_READ_BACK);
  try {
    const v = (JSON.parse(text) as { labctl?: unknown }).labctl;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  } // previous() reports an unreadable file
}

/** Rendered files are recreated by a re-render, so they need atomicity, not fsync. */
export const atomicWrite = (file: string, content: string) => withPath(file, () => writeFileAtomic(file, content));

/** Adds the file's path to an error that lacks one (a write(2) on a full disk reports only ENOSPC). */
export function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err === 'object' && typeof err.code === 'string' && !err.path) err.path = path;
    throw e;
  }
}

function pruneEmptyDirs(root: string, rel: string): void {
  while (rel && rel !== '.') {
    const full = join(root, rel);
    if (!existsSync(full) || readdirSync(full).length > 0) return;
    rmdirSync(full);
    rel = dirname(rel);
  }
}

/** One writer at a time in a site repository (render, and every `secrets` command that writes). */
export function lockRepo(dir: string, waitMs = 60_000): () => void {
  assertNoSymlink(dir, LOCK_FILE, 'writes');
  mkdirSync(join(dir, dirname(LOCK_FILE)), { recursive: true });
  return takePidLock(join(dir, LOCK_FILE), { waitMs, what: dir });
}
