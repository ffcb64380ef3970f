// secrets confirm vouches for one ciphertext: the one it decrypted and whose hash it showed. It read the entry
// three times (to decrypt, for the hash shown, for the hash recorded), so a file swapped between the reads
// (a checkout, a second writer) had its hash recorded without ever being decrypted or shown. Now each entry is
// read once and those bytes serve all three.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';
import { SecretStore } from '../../installer/secrets/store.ts';
import { ciphertextHash } from '../../installer/secrets/entries-confirmed.ts';
import { secretsConfirm } from '../../installer/cli/commands/secrets.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-confirm-once-'));
const repo = join(tmp, 'site');
const key = join(tmp, 'site.agekey');
const entry = join(repo, 'secrets/entries/bgp/tor-r1.age');

beforeAll(async () => {
  const env = { LABCTL_AGE_KEY_FILE: key };
  expect((await labctl(['secrets', 'init', '-r', repo], { env })).code).toBe(0);
  const set = await labctl(['secrets', 'set', 'bgp/tor-r1', '-i', EXAMPLE, '-r', repo], { env, input: 'pw-1\n' });
  expect(set.code, set.stderr).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('secrets confirm', () => {
  it('reads an entry once: the hash shown and the hash recorded are of the bytes it decrypted', async () => {
    // SecretStore's one reader of entry files (regular file, bounded); counted, not changed.
    const reads = vi.spyOn(SecretStore.prototype as unknown as { entryBytes(p: string): Buffer }, 'entryBytes');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await secretsConfirm({ repo, keyFile: key, entries: ['bgp/tor-r1'] });
      expect(reads.mock.calls.filter(([p]) => p === entry)).toHaveLength(1);
      const hash = ciphertextHash(readFileSync(entry));
      expect(out.mock.calls.map(([s]) => String(s)).join('')).toContain(
        `confirm bgp/tor-r1: ciphertext sha256 ${hash}, value of 4 characters`,
      );
      expect(new SecretStore(repo, { keyFile: key }).confirmedEntries()?.get('bgp/tor-r1')).toBe(hash);
    } finally {
      reads.mockRestore();
      out.mockRestore();
    }
  });
});
