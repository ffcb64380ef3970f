// Reading a file that a commit may have planted: a symbolic link (to /dev/zero, to a file outside the
// repository), a pipe or a device is refused, not followed or read without end, and a file is read no further
// than the size allowed. The checks are made on the open file itself (O_NOFOLLOW, fstat), so nothing can be
// swapped in between the look and the read; O_NONBLOCK keeps the open of a pipe from waiting for a writer.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type NotRegular = 'symbolic link' | 'not a regular file' | 'too large';

export class NotRegularFile extends Error {
  constructor(
    readonly path: string,
    readonly why: NotRegular,
    readonly size?: number,
  ) {
    super(`${path}: ${why}`);
  }
}

/** The bytes of the regular file at `path` (not a link to one), at most maxBytes; NotRegularFile otherwise. */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularFile(path, 'symbolic link');
    throw e;
  }
  try {
    const st = fstatSync(fd);
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
