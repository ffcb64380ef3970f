// backup.target.bucket follows S3's bucket naming rules (AWS's, and MinIO's ".-"/"-."), not only the
// schema's character pattern: `a..b` passed validate and failed at the first backup (attacker trial).
// Run through `labctl validate`, as a user meets it: the error names file:line:col and the field.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

const LINES = readFileSync(EXAMPLE, 'utf8').split('\n');
const AT = LINES.indexOf('    bucket: labcloud-backups');
const dir = mkdtempSync(join(tmpdir(), 'labctl-bucket-'));

/** `labctl validate` of the example with its bucket line replaced. */
async function validate(bucket: string) {
  const lines = [...LINES];
  lines[AT] = `    bucket: ${JSON.stringify(bucket)}`;
  const file = join(dir, `${bucket.replace(/[^a-z0-9]/g, '_')}.yaml`);
  writeFileSync(file, lines.join('\n'));
  return { file, ...(await labctl(['validate', file])) };
}

describe('S3 bucket names through labctl validate', () => {
  it('the example has the bucket line this test edits', () => expect(AT).toBeGreaterThan(0));

  it.each([
    ['a..b', 'two adjacent dots'],
    ['my.-bucket', 'a dot next to a hyphen'],
    ['my-.bucket', 'a dot next to a hyphen'],
    ['192.168.5.4', 'it is formatted as an IP address'],
    ['999.1.1.1', 'it is formatted as an IP address'],
    ['xn--bucket', 'the prefix xn-- is reserved'],
    ['sthree-backups', 'the prefix sthree- is reserved'],
    ['amzn-s3-demo-bucket', 'the prefix amzn-s3-demo- is reserved'],
    ['backups-s3alias', 'the suffix -s3alias is reserved'],
    ['backups--ol-s3', 'the suffix --ol-s3 is reserved'],
    ['backups.mrap', 'the suffix .mrap is reserved'],
    ['backups--x-s3', 'the suffix --x-s3 is reserved'],
    ['backups--table-s3', 'the suffix --table-s3 is reserved'],
  ])('%s is refused at file:line:col backup.target.bucket (%s)', async (bucket, why) => {
    const r = await validate(bucket);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}:${AT + 1}:13 backup.target.bucket: ${JSON.stringify(bucket)} is not an S3 bucket name: ${why}`,
    );
  });

  // What the schema's pattern refuses (the usual mistakes) is said in words too, not as the regular expression.
  it.each(['Lab_Backups', 'ab', 'backups-', 's3://labcloud-backups', 'labcloud-backups/etcd'])(
    '%s is refused as not an S3 bucket name, in words',
    async (bucket) => {
      const r = await validate(bucket);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toContain(
        `${r.file}:${AT + 1}:13 backup.target.bucket: ${JSON.stringify(bucket)} is not an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, the name alone (no s3://, no /folder), e.g. labcloud-backups\n`,
      );
      expect(r.stderr).not.toContain('pattern');
    },
  );

  it.each(['labcloud-backups', 'a.b-c', '1.2.3', 'backups.2026', 'xn-bucket', 'my-s3alias-bucket', 'abc'])(
    '%s is valid',
    async (bucket) => {
      const r = await validate(bucket);
      expect(r.stderr).not.toContain('backup.target.bucket');
      expect(r.code, r.stderr).toBe(0);
    },
  );
});
