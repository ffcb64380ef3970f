// The one way labctl replaces a file: write a temporary file beside it, then rename it over the old
// one, so a crash leaves either the old or the new content, never a truncated file.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /** File mode of the new file. Default 0644. */
  mode?: number;
  /**
   * Also fsync the file and its folder, so the new content survives a power loss (journals, keys,
   * secret entries). Off for rendered files, which a re-render recreates; fsync per file would cost
   * more than the render itself.
   */
  durable?: boolean;
}

export function writeFileAtomic(file: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w', opts.mode ?? 0o644);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    if (opts.durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  if (opts.durable) {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  }
}
