// Strong random values for generatable secret-store entries, and values derived from other entries.
// Generated values use node:crypto only; derived values are pure functions of their source, so the
// Kubernetes Secret built from them is the same on every `secrets apply`.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { SecretNeed } from '../render/model.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Default lengths: 32 alphanumerics carry ~190 bits. */
export const DEFAULT_LENGTH = { password: 32, hex: 32, base64: 32 } as const;

export interface Generatable {
  kind: 'password' | 'hex' | 'base64';
  length?: number;
}

export function isGeneratable(g: SecretNeed['generate']): g is Generatable {
  return g.kind === 'password' || g.kind === 'hex' || g.kind === 'base64';
}

export function generateValue(g: Generatable): string {
  const n = g.length ?? DEFAULT_LENGTH[g.kind];
  switch (g.kind) {
    case 'password':
      return Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join('');
    // `length` is the length of the text, as charts that want "16 hex characters" count it.
    case 'hex':
      return randomBytes(Math.ceil(n / 2))
        .toString('hex')
        .slice(0, n);
    // `length` counts random bytes before encoding (a 32-byte key for ciphers).
    case 'base64':
      return randomBytes(n).toString('base64');
  }
  throw new Error(`unknown generator ${String((g as { kind: unknown }).kind)}`);
}

/**
 * The AWS shared credentials file S3 clients read (Velero's `cloud` key). A value with a line break or an
 * `=`-less shape would write another line into the file, so only the characters S3 keys are made of pass.
 */
export function awsCredentialsFile(accessKey: string, secretKey: string): string {
  for (const [what, v] of [
    ['access key', accessKey],
    ['secret key', secretKey],
  ] as const)
    if (!/^[\x21-\x7e]+$/.test(v))
      throw new Error(`the S3 ${what} holds a space, line break or non-ASCII character: not a key`);
  return `[default]\naws_access_key_id=${accessKey}\naws_secret_access_key=${secretKey}\n`;
}

/**
 * `user:bcrypt(password)` for htpasswd files. The salt is taken from a hash of the password so the line is
 * stable across applies (a random salt would change the Secret, and restart the registry, every time).
 */
export function htpasswdLine(user: string, password: string): string {
  const salt = createHash('sha256').update('labctl-htpasswd\0').update(password).digest().subarray(0, 16);
  return `${user}:${bcrypt.hashSync(password, `$2a$10$${bcrypt.encodeBase64(salt, 16)}`)}`;
}
