// Which public keys the secret store may encrypt to. secrets/recipients.txt is Git content: anyone who can
// commit could add their own key there and read every secret written afterwards. So a recipient counts
// only once the site key holder confirmed it: secrets/recipients.confirmed holds the confirmed list and a
// MAC over it keyed from the site's private key (HMAC-SHA256, key = HKDF of the age identity). Without the
// private key nobody can produce a valid MAC, so a commit can neither add a recipient nor forge a
// confirmation; labctl refuses to encrypt until the lists agree (docs/security.md, boundary 6).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readCommittedText } from '../core/regular-file.ts';
import { Problem } from '../core/diagnostics.ts';
import { shellWord } from '../core/shell-words.ts';

export const CONFIRMED_FILE = 'recipients.confirmed';
const HEADER =
  '# labctl: the recipients the site key holder confirmed, with a MAC keyed from the site key.\n' +
  '# Written only by labctl secrets init / add-recipient / remove-recipient: an edit by hand makes the store refuse to encrypt.\n';

/** A MAC key derived from the age identity (one per purpose), so only its holder can confirm anything. */
function macKey(identity: string, purpose: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(identity, 'utf8'), Buffer.from('labctl-secrets'), Buffer.from(purpose), 32),
  );
}

/** The site key holder's MAC over `text`; also used for the entries manifest (entries-confirmed.ts). */
export function siteMac(identity: string, purpose: string, text: string): string {
  return 'hmac-sha256:' + createHmac('sha256', macKey(identity, purpose)).update(text).digest('base64');
}

/** Compares a MAC read from a file with the expected one in constant time. */
export function macMatches(expected: string, got: string): boolean {
  const e = Buffer.from(expected),
    g = Buffer.from(got);
  return e.length === g.length && timingSafeEqual(e, g);
}

const canonical = (list: string[]) => `labctl recipients v1\n${[...new Set(list)].sort().join('\n')}\n`;

export function recipientsMac(identity: string, list: string[]): string {
  return siteMac(identity, 'recipients-confirmation-v1', canonical(list));
}

export function confirmedText(identity: string, list: string[]): string {
  const sorted = [...new Set(list)].sort();
  return `${HEADER}${sorted.join('\n')}\nmac ${recipientsMac(identity, sorted)}\n`;
}

/** Parses recipients.confirmed: the list and its MAC (not yet checked). */
export function readConfirmed(file: string): { list: string[]; mac: string } | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readCommittedText(file)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const mac = lines.find((l) => l.startsWith('mac '))?.slice(4) ?? '';
  return { list: lines.filter((l) => !l.startsWith('mac ')), mac };
}

export interface TrustCheck {
  recipientsFile: string;
  confirmedFile: string;
  listed: string[];
  identity: string;
  siteRecipient: string;
  /** The store flags of a suggested command, as typed: ` -r DIR` and ` -k KEY` when one was given. */
  storeArgs: string;
}

/**
 * The recipients to encrypt to: the confirmed list, when recipients.txt lists exactly it and its MAC was
 * made with this site key. Anything else is refused, naming the recipients in question and the command
 * that confirms them.
 */
/** The confirmed list after checking its MAC; undefined when the store has no confirmation yet. */
export function verifiedConfirmed(
  c: Pick<TrustCheck, 'confirmedFile' | 'identity'> & { siteRecipient?: string },
): string[] | undefined {
  const confirmed = readConfirmed(c.confirmedFile);
  if (!confirmed) return undefined;
  if (!macMatches(recipientsMac(c.identity, confirmed.list), confirmed.mac)) {
    // The key is not among the confirmed recipients: most likely another site's key (the default path holds
    // the first site's key made on this machine), not an edited file.
    if (c.siteRecipient && !confirmed.list.includes(c.siteRecipient))
      throw new Problem(
        `the site key given (${c.siteRecipient}) is not a recipient of this store (${c.confirmedFile} confirms ${confirmed.list.length}, not this one): it is another site's key. Nothing was encrypted. ` +
          "Give this site's key with -k KEYFILE (or LABCTL_AGE_KEY_FILE); the default is ~/.config/labctl/site.agekey. " +
          `If it is this site's key, the file was edited: restore it from a commit you trust (git log -p ${shellWord(c.confirmedFile)}).`,
      );
    throw new Problem(
      `${c.confirmedFile} was not confirmed with this site key (its MAC does not match): it was edited, or the key is another site's. Nothing was encrypted. ` +
        `Restore it from a commit you trust (git log -p ${c.confirmedFile}), or check the key file.`,
    );
  }
  return confirmed.list;
}

export function trustedRecipients(c: TrustCheck): string[] {
  // Recipients come from a committed file and -r from the user: both quoted for the shell the hint is pasted into.
  const how = (r: string) => `labctl secrets add-recipient ${shellWord(r)}${c.storeArgs}`;
  const confirmedList = verifiedConfirmed(c); // c.siteRecipient: names another site's key as such
  if (!confirmedList) {
    const others = c.listed.filter((r) => r !== c.siteRecipient);
    throw new Problem(
      `${c.confirmedFile} does not exist: no recipient of ${c.recipientsFile} has been confirmed by the site key holder, so nothing is encrypted. ` +
        `Check the list, then confirm each recipient you trust: ${[c.siteRecipient, ...others].map(how).join('; ')}`,
    );
  }
  const confirmed = { list: confirmedList };
  const unconfirmed = c.listed.filter((r) => !confirmed.list.includes(r));
  if (unconfirmed.length) {
    throw new Problem(
      `${c.recipientsFile} lists ${unconfirmed.join(', ')}, which the site key holder has not confirmed; nothing was encrypted (a recipient can read every secret written to it). ` +
        // Each suggested command ends the message: followed by a full stop, `-r .` read as `-r ..`.
        `Remove the line unless it is a key you trust (git log -p ${shellWord(c.recipientsFile)} shows who added it); for a key you trust (a backup key): ${unconfirmed.map(how).join('; ')}`,
    );
  }
  const dropped = confirmed.list.filter((r) => !c.listed.includes(r));
  if (dropped.length) {
    throw new Problem(
      `${c.recipientsFile} no longer lists ${dropped.join(', ')}, which the site key holder confirmed; nothing was encrypted. ` +
        `Restore the line unless you mean to stop encrypting to it; to stop: ${dropped.map((r) => `labctl secrets remove-recipient ${shellWord(r)}${c.storeArgs}`).join('; ')}`,
    );
  }
  return confirmed.list;
}
