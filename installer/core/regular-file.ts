// Reading a file that a commit or a user may have pointed anywhere: a pipe or a device (/dev/zero) is refused,
// not read without end, a file is read no further than the size allowed, and (unless followLinks: a path the
// user typed) a symbolic link is refused too. The checks are made on the open file itself (O_NOFOLLOW, fstat),
// so nothing can be swapped in between the look and the read; O_NONBLOCK keeps the open of a pipe from
// waiting for a writer.
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { Problem } from './diagnostics.ts';

export type NotRegular = 'symbolic link' | 'directory' | 'not a regular file' | 'too large';

export class NotRegularFile extends Error {
  constructor(
    readonly path: string,
    readonly why: NotRegular,
    readonly size?: number,
  ) {
    super(`${path}: ${why}`);
  }
}

/**
 * The bytes of the regular file at `path`, at most maxBytes; NotRegularFile otherwise. A link to one is
 * refused unless followLinks. Other errors (ENOENT, EACCES) are thrown as they are.
 */
export function readRegularFile(path: string, maxBytes: number, o: { followLinks?: boolean } = {}): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (o.followLinks ? 0 : constants.O_NOFOLLOW));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularFile(path, 'symbolic link');
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new NotRegularFile(path, 'directory');
    if (!st.isFile()) throw new NotRegularFile(path, 'not a regular file');
    if (st.size > maxBytes) throw new NotRegularFile(path, 'too large', st.size);
    const buf = Buffer.alloc(st.size + 1); // one more: a file that grew since fstat is refused, not cut short
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > maxBytes) throw new NotRegularFile(path, 'too large', n);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The text of a file labctl writes into the site repository (secrets/recipients.txt, its confirmations), as
 * Git holds it: a link, pipe, device or oversized file there was planted by a commit and is a Problem naming
 * it, not followed (a link to /dev/zero was read until memory ran out).
 */
export function readCommittedText(path: string, maxBytes = 1024 * 1024): string {
  try {
    return readRegularFile(path, maxBytes).toString('utf8');
  } catch (e) {
    if (!(e instanceof NotRegularFile)) throw e;
    throw new Problem(
      `${path} ${notRegularSaid(e, maxBytes)}: labctl writes it as a plain file, so a commit may have planted it. Nothing was used; restore it from a commit you trust`,
    );
  }
}

/** What NotRegularFile found, as a sentence's predicate ("is a symbolic link (to /dev/zero)"). */
export function notRegularSaid(e: NotRegularFile, maxBytes: number): string {
  if (e.why === 'symbolic link') return `is a symbolic link (to ${readlinkSync(e.path)})`;
  if (e.why === 'too large') return `is ${e.size} bytes, more than labctl writes there (at most ${maxBytes})`;
  return `is not a regular file (${e.why === 'directory' ? 'a folder' : 'a pipe, device or socket'})`;
}
