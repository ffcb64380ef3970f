// File system errors as the user can act on them: which path, what is wrong with it, in words.
// main.ts maps them to exit 1 instead of "internal error" with a stack.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device (the disk is full)',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is in the way where a folder is needed',
  EEXIST: 'it exists already (a file where a folder is needed?)',
  EISDIR: 'it is a folder where a file is needed',
  ENOENT: 'no such file or folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EBUSY: 'the file or folder is busy',
  EIO: 'input/output error (a failing disk?)',
};

const DOING: Record<string, string> = {
  mkdir: 'cannot create the folder',
  open: 'cannot open',
  write: 'cannot write',
  read: 'cannot read',
  rename: 'cannot replace',
  unlink: 'cannot remove',
  rmdir: 'cannot remove the folder',
  scandir: 'cannot list',
  stat: 'cannot look at',
  lstat: 'cannot look at',
  copyfile: 'cannot copy to',
  fsync: 'cannot save',
  close: 'cannot save',
};

/** For ENOTDIR/EEXIST on a path: the part of it that exists and is not a folder. */
function fileInTheWay(path: string): string | undefined {
  for (let p = path, i = 0; i < 256 && p !== dirname(p); p = dirname(p), i++) {
    try {
      if (!statSync(p).isDirectory()) return p;
      else return undefined;
    } catch {
      /* does not exist: go up */
    }
  }
  return undefined;
}

/** A one-line message for a Node.js file system error, or undefined when `e` is not one. */
export function fileSystemMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !(err.code in WHY)) return undefined;
  if (typeof err.syscall !== 'string' && typeof err.path !== 'string') return undefined;
  const path = err.path ?? '(path not reported by the system)';
  if ((err.code === 'ENOTDIR' || err.code === 'EEXIST') && err.path) {
    const inTheWay = fileInTheWay(err.path);
    if (inTheWay)
      return `${inTheWay}: is a file, but labctl needs a folder there (for ${err.path}); move the file away or choose another path (${err.code})`;
  }
  if (err.code === 'ENOENT' && err.syscall === 'mkdir' && err.path) {
    // Node's recursive mkdir reports ENOENT when a parent cannot be created (read-only, no permission):
    // ask the nearest existing folder why.
    let anc = dirname(err.path);
    for (let i = 0; i < 256 && !existsSync(anc) && anc !== dirname(anc); i++) anc = dirname(anc);
    try {
      accessSync(anc, constants.W_OK);
    } catch (a) {
      const code = (a as NodeJS.ErrnoException).code ?? '';
      if (code in WHY)
        return `cannot create the folder ${err.path}: ${anc}: ${WHY[code]} (${code}); labctl stopped there`;
    }
  }
  const doing = DOING[err.syscall ?? ''] ?? 'cannot use';
  return `${doing} ${path}: ${WHY[err.code]} (${err.code}); labctl stopped there`;
}
