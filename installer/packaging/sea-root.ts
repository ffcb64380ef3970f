// First module of the single executable: unpacks the embedded runtime files (installer/packaging/
// files.ts) once per build into a folder only this user can write, and points installer/core/paths.ts at
// it. Evaluated before every other module (sea-entry.ts imports it first), because paths.ts reads the
// global when it is evaluated.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getAsset } from 'node:sea';

const archive = Buffer.from(getAsset('files.json') as ArrayBuffer);
const id = createHash('sha256').update(archive).digest('hex').slice(0, 16);
const uid = process.getuid?.() ?? 0;

/** A folder we own that nobody else can write: refuses a planted folder or symlink in a shared /tmp. */
function ownedDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = lstatSync(dir);
  if (!s.isDirectory() || s.uid !== uid || (s.mode & 0o022) !== 0)
    throw new Error(`${dir} is not a private folder of uid ${uid}`);
  return dir;
}

function unpack(base: string): string {
  const dir = join(ownedDir(base), id);
  if (existsSync(join(dir, '.complete'))) return dir;
  const tmp = mkdtempSync(join(base, `.${id}-`));
  const { files } = JSON.parse(archive.toString('utf8')) as { files: Record<string, string> };
  for (const [rel, data] of Object.entries(files)) {
    if (rel.startsWith('/') || rel.split('/').includes('..')) throw new Error(`bad embedded path ${rel}`);
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), Buffer.from(data, 'base64'));
  }
  writeFileSync(join(tmp, '.complete'), id + '\n');
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  } // a concurrent run won
  if (!existsSync(join(dir, '.complete'))) throw new Error(`could not unpack labctl's files into ${dir}`);
  return dir;
}

function unpackSomewhere(): string {
  let home = process.env.HOME ?? '';
  try {
    home ||= homedir();
  } catch {
    /* no passwd entry (a bare container): use the temporary folder */
  }
  const cache = process.env.XDG_CACHE_HOME || (home && join(home, '.cache'));
  const places = [cache && join(cache, 'labctl'), join(tmpdir(), `labctl-${uid}`)].filter(Boolean);
  const errors: string[] = [];
  for (const p of places) {
    try {
      return unpack(p);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  process.stderr.write(
    `labctl: cannot unpack its files (${errors.join('; ')}); set XDG_CACHE_HOME to a writable folder\n`,
  );
  process.exit(3);
}

(globalThis as { __LABCTL_ROOT__?: string }).__LABCTL_ROOT__ = unpackSomewhere();
