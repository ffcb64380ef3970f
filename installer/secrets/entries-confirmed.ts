// Which entry ciphertexts the site key holder wrote. An entry is encrypted only to public keys, so anyone
// who can commit could encrypt a value of their choosing and write it over secrets/entries/<name>.age (or
// add a missing one); decrypting it would succeed. So an entry counts only when secrets/entries.confirmed
// lists the sha256 of its exact ciphertext, under a MAC keyed from the site key (the same HMAC as
// recipients.confirmed, another HKDF purpose). labctl rewrites the manifest on every write of an entry
// (set, generate, render, rotate, rekey, confirm), all of which need the site key already.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readCommittedText } from '../core/regular-file.ts';
import { Problem } from '../core/diagnostics.ts';
import { macMatches, siteMac } from './recipients.ts';
import { shellWord } from '../core/shell-words.ts';

export const ENTRIES_CONFIRMED_FILE = 'entries.confirmed';
const PURPOSE = 'entries-confirmation-v1';
const HEADER =
  '# labctl: the sha256 of every entry ciphertext the site key holder wrote, with a MAC keyed from the site key.\n' +
  '# Written only by labctl (secrets set/generate/rotate/rekey/confirm, render): an entry not listed here is refused.\n';

export const ciphertextHash = (ciphertext: string | Buffer) => createHash('sha256').update(ciphertext).digest('hex');

const lines = (m: Map<string, string>) =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ref, h]) => `${h}  ${ref}`);
const canonical = (m: Map<string, string>) => `labctl entries v1\n${lines(m).join('\n')}\n`;

export function entriesConfirmedText(identity: string, m: Map<string, string>): string {
  return `${HEADER}${lines(m)
    .map((l) => `${l}\n`)
    .join('')}mac ${siteMac(identity, PURPOSE, canonical(m))}\n`;
}

/**
 * The confirmed entries (name -> ciphertext sha256) after checking the MAC; undefined when the file does
 * not exist (a store from before entries were confirmed, see docs/secrets.md "Confirmed entries").
 */
export function readEntriesConfirmed(
  file: string,
  identity: string,
  storeArgs: string,
): Map<string, string> | undefined {
  if (!existsSync(file)) return undefined;
  const m = new Map<string, string>();
  let mac = '';
  readCommittedText(file)
    .split('\n')
    .forEach((raw, i) => {
      const l = raw.trim();
      if (!l || l.startsWith('#')) return;
      if (l.startsWith('mac ')) {
        mac = l.slice(4);
        return;
      }
      const hit = /^([0-9a-f]{64}) {2}(\S+)$/.exec(l);
      if (!hit)
        throw new Problem(
          `${file}:${i + 1}: not a "<sha256>  <entry>" line; the manifest was edited by hand. Restore it from a commit you trust (git log -p ${shellWord(file)})`,
        );
      m.set(hit[2]!, hit[1]!);
    });
  if (!macMatches(siteMac(identity, PURPOSE, canonical(m)), mac)) {
    throw new Problem(
      `${file} was not confirmed with this site key (its MAC does not match): it was edited, or the key is another site's; no entry is used. ` +
        `Restore it from a commit you trust (git log -p ${shellWord(file)}); if every entry is yours, labctl secrets confirm --all${storeArgs} confirms them anew.`,
    );
  }
  return m;
}
