// The site's secret store: one age-encrypted file per entry under <site repo>/secrets/, encrypted to the
// public recipients listed in secrets/recipients.txt. Writing needs only the public key (so `render` can
// add generated entries); reading needs the site's private key, which never enters the repository.
//
// Encrypting also needs the private key: only recipients the site key holder confirmed are used
// (recipients.ts), so a recipient slipped into recipients.txt by a commit never receives a secret.
//
// Decrypting is not enough to trust an entry: anyone can encrypt to the public key. A value is used only
// when secrets/entries.confirmed lists its ciphertext's hash under the site key's MAC (entries-confirmed.ts).
//
// Files are only ever written when an entry is new or its value changed: age encryption is randomized, so
// re-encrypting an unchanged value would change the ciphertext and make every render a Git change.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { NotRegularFile, notRegularSaid, readCommittedText, readRegularFile } from '../core/regular-file.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { join, relative, resolve, sep } from 'node:path';
import { homedir } from 'node:os';
import { arrayBuffer } from 'node:stream/consumers';
import * as age from 'age-encryption';
import { Problem, UsageError } from '../core/diagnostics.ts';
import { withPath } from '../render/write.ts';
import { CONFIRMED_FILE, confirmedText, trustedRecipients } from './recipients.ts';
import {
  ENTRIES_CONFIRMED_FILE,
  ciphertextHash,
  entriesConfirmedText,
  readEntriesConfirmed,
} from './entries-confirmed.ts';
import { SECRET_REF } from '../inventory/schema/dsl.ts';
import { shellWord } from '../core/shell-words.ts';

export const STORE_DIR = 'secrets';
export const RECIPIENTS_FILE = 'recipients.txt';
export const ENTRY_EXT = '.age';
const REF = new RegExp(SECRET_REF);
/** No entry labctl writes comes near this (a site CA key, armored, is a few KiB). */
const MAX_ENTRY_BYTES = 1024 * 1024;

/** Where the site's private key is read from unless --key-file says otherwise. */
export function defaultKeyFile(): string {
  return process.env.LABCTL_AGE_KEY_FILE ?? join(homedir(), '.config', 'labctl', 'site.agekey');
}

export function checkRef(ref: string): void {
  if (!REF.test(ref) || ref.split('/').some((s) => s === '.' || s === '..')) {
    throw new UsageError(
      `${JSON.stringify(ref)} is not a secret-store entry name (expected e.g. bgp/tor-r1: lowercase letters, digits, - _ . and / between parts)`,
    );
  }
}

// Store entries and the site key must survive a crash right after they were generated (the value may
// already have been handed to a component): durable writes.
const atomicWrite = (path: string, content: string, mode = 0o644) =>
  withPath(path, () => writeFileAtomic(path, content, { mode, durable: true }));

export interface StoreOptions {
  /** The site's private key (age identity); read from keyFile when absent. Needed to encrypt and to decrypt. */
  identity?: string;
  /** Where the key is read from. Default: defaultKeyFile(). */
  keyFile?: string;
  /**
   * The site flags the user typed, appended to the commands a refusal suggests (installer/cli/site-args.ts):
   * `store` for commands taking only -r/-k (default: -r the store's folder), `inventory` for set (default: none).
   */
  suggest?: { store: string; inventory: string };
}

export class SecretStore {
  readonly dir: string;
  private key: string | undefined;
  constructor(
    readonly repoDir: string,
    private readonly opts: StoreOptions = {},
  ) {
    this.dir = resolve(repoDir, STORE_DIR);
    this.key = opts.identity;
  }

  get recipientsFile(): string {
    return join(this.dir, RECIPIENTS_FILE);
  }
  get confirmedFile(): string {
    return join(this.dir, CONFIRMED_FILE);
  }
  get entriesConfirmedFile(): string {
    return join(this.dir, ENTRIES_CONFIRMED_FILE);
  }

  /** The confirmed entries (name -> ciphertext sha256), MAC checked; undefined for a store without a manifest. */
  confirmedEntries(): Map<string, string> | undefined {
    return readEntriesConfirmed(
      this.entriesConfirmedFile,
      this.identity('to check that the entries are the ones the site key holder wrote'),
      this.suggested.store,
    );
  }

  /** Why the stored ciphertext of `ref` must not be used, or undefined when the site key holder confirmed it. */
  unconfirmedReason(ref: string, confirmed = this.confirmedEntries()): string | undefined {
    const path = this.entryPath(ref);
    const rel = relative(this.repoDir, path);
    const { store, inventory } = this.suggested;
    // The commands end the text: followed by a full stop, a suggested `-r .` read as `-r ..` (the parent folder).
    const fix = `Restore the file from a commit you trust unless the value is yours (git log -p ${shellWord(rel)} shows who wrote it). If it is, confirm it (it shows what it confirms): labctl secrets confirm ${ref}${store}; or store it anew: labctl secrets set ${ref} --replace ${ref}${inventory}`;
    if (!confirmed) return `${ref}: ${this.noManifestReason()}`;
    const want = confirmed.get(ref);
    if (want === undefined)
      return `${ref}: ${rel} is not in ${relative(this.repoDir, this.entriesConfirmedFile)}: the site key holder did not write it (a commit may have planted it). ${fix}`;
    const got = this.entryHash(ref);
    if (got !== want)
      return `${ref}: ${rel} changed since the site key holder wrote it (sha256 ${got}, confirmed ${want}): someone encrypted another value to the public key. ${fix}`;
    return undefined;
  }

  private get suggested(): { store: string; inventory: string } {
    return this.opts.suggest ?? { store: ` -r ${shellWord(this.repoDir)}`, inventory: '' };
  }

  /** Why no entry is usable in a store without secrets/entries.confirmed: the same for every entry, said once. */
  noManifestReason(): string {
    return (
      `${relative(this.repoDir, this.entriesConfirmedFile)} does not exist, so no entry of this store is confirmed by the site key holder (a store from before labctl confirmed entries, or the file was removed). ` +
      `Check who wrote the entries (git log --stat -- secrets/entries), then: labctl secrets confirm --all${this.suggested.store}`
    );
  }

  /** Refuses an entry the site key holder did not write (checked before any value is used). */
  verify(ref: string, confirmed?: Map<string, string>): void {
    const why = this.unconfirmedReason(ref, confirmed ?? this.confirmedEntries());
    if (why) throw new Problem(`${why} Nothing was used.`);
  }

  /**
   * Records the current ciphertext of each entry as confirmed (after labctl wrote it, or secrets confirm).
   * `hashes`: of the bytes the caller already read (secrets confirm records what it decrypted and showed).
   */
  recordConfirmed(refs: string[], opts: { fresh?: boolean; hashes?: ReadonlyMap<string, string> } = {}): void {
    const m = (opts.fresh ? undefined : this.confirmedEntries()) ?? new Map<string, string>();
    for (const ref of refs) m.set(ref, opts.hashes?.get(ref) ?? this.entryHash(ref));
    atomicWrite(this.entriesConfirmedFile, entriesConfirmedText(this.identity(), m));
  }

  /** The site's private key, read on first use. */
  identity(why = 'to check that secrets/recipients.txt lists only recipients the site key holder confirmed'): string {
    const keyFile = this.opts.keyFile ?? defaultKeyFile();
    // Neither store nor key yet (a new site, -k naming the key to come): secrets init makes both, so say that,
    // not "pass --key-file to the key labctl secrets init wrote".
    if (this.key === undefined && !existsSync(keyFile) && !this.initialized()) this.recipients();
    this.key ??= readIdentity(keyFile, why);
    return this.key;
  }

  /** The recipients new ciphertexts go to: the listed ones, only if all are confirmed (recipients.ts). */
  async trustedRecipients(): Promise<string[]> {
    const identity = this.identity();
    return trustedRecipients({
      recipientsFile: this.recipientsFile,
      confirmedFile: this.confirmedFile,
      listed: this.recipients(),
      identity,
      siteRecipient: await age.identityToRecipient(identity),
      storeArgs: this.suggested.store,
    });
  }
  initialized(): boolean {
    return existsSync(this.recipientsFile);
  }

  recipients(): string[] {
    if (!this.initialized()) {
      throw new Problem(
        `${this.recipientsFile} does not exist: the secret store of this site is not initialized (run labctl secrets init${this.suggested.store})`,
      );
    }
    const list = readCommittedText(this.recipientsFile)
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    const bad = list.find((r) => !/^age1[0-9a-z]+$/.test(r));
    if (bad !== undefined)
      throw new Problem(`${this.recipientsFile}: ${JSON.stringify(bad)} is not an age recipient (age1...)`);
    if (!list.length) throw new Problem(`${this.recipientsFile} lists no recipient`);
    return list;
  }

  /** Creates the store for a new site key: recipients.txt and its confirmation. Refuses an existing store. */
  async initialize(identity: string, comment: string): Promise<string> {
    if (this.initialized())
      throw new Problem(
        `${this.recipientsFile} already exists; the store is initialized (entries are encrypted to it, nothing was changed)`,
      );
    const recipient = await age.identityToRecipient(identity);
    atomicWrite(this.confirmedFile, confirmedText(identity, [recipient]));
    atomicWrite(this.recipientsFile, `# ${comment}\n${recipient}\n`);
    this.key = identity;
    return recipient;
  }

  /**
   * Confirms `list` as the recipients (add-recipient, remove-recipient): rewrites recipients.txt with
   * exactly these recipients (comments kept) and the confirmation with its MAC. The caller checked the
   * current list first.
   */
  confirm(list: string[], notes: Record<string, string> = {}): void {
    const identity = this.identity();
    const old = existsSync(this.recipientsFile) ? readCommittedText(this.recipientsFile).split('\n') : [];
    const keep = old.filter((l) => {
      const r = l.replace(/#.*/, '').trim();
      return r === '' ? l.trim() !== '' : list.includes(r);
    });
    const present = new Set(keep.map((l) => l.replace(/#.*/, '').trim()));
    const added = list.filter((r) => !present.has(r)).map((r) => (notes[r] ? `${r}  # ${notes[r]}` : r));
    atomicWrite(this.confirmedFile, confirmedText(identity, list));
    atomicWrite(this.recipientsFile, [...keep, ...added].join('\n') + '\n');
  }

  /** Re-encrypts every entry to the confirmed recipients (after adding or removing one). */
  async rekey(): Promise<string[]> {
    const identity = this.identity('to decrypt the entries');
    const done: string[] = [];
    for (const ref of this.list()) {
      const value = await this.get(ref, identity);
      atomicWrite(this.entryPath(ref), await this.encrypt(value));
      this.recordConfirmed([ref]);
      done.push(ref);
    }
    return done;
  }

  entryPath(ref: string): string {
    checkRef(ref);
    return join(this.dir, 'entries', ...ref.split('/')) + ENTRY_EXT;
  }
  has(ref: string): boolean {
    return existsSync(this.entryPath(ref));
  }

  /** The sha256 of an entry's ciphertext, as secrets/entries.confirmed records it (read as entryBytes reads). */
  entryHash(ref: string): string {
    return ciphertextHash(this.entryBytes(this.entryPath(ref)));
  }

  /** An entry's ciphertext, read once by a caller that decrypts, shows and records the same bytes. */
  ciphertext(ref: string): Buffer {
    const path = this.entryPath(ref);
    if (!existsSync(path)) throw new Problem(`${ref} is not in the secret store (${relative(process.cwd(), path)})`);
    return this.entryBytes(path);
  }

  /** An entry file's bytes: a regular file labctl wrote, not a link (to /dev/zero: read without end) or a pipe. */
  private entryBytes(path: string): Buffer {
    try {
      return readRegularFile(path, MAX_ENTRY_BYTES);
    } catch (e) {
      if (e instanceof NotRegularFile) throw this.planted(path, notRegularSaid(e, MAX_ENTRY_BYTES));
      throw e;
    }
  }

  private planted(path: string, what: string): Problem {
    const rel = relative(this.repoDir, path);
    return new Problem(
      `${rel} ${what}: the secret store holds only files labctl wrote, so a commit may have planted it. Nothing was used. Remove it (git rm ${shellWord(rel)}) and restore what was there from a commit you trust (git log --stat -- ${shellWord(relative(this.repoDir, join(this.dir, 'entries')))}).`,
    );
  }

  /** Every entry name in the store, sorted. */
  list(): string[] {
    const root = join(this.dir, 'entries');
    const out: string[] = [];
    const walk = (d: string) => {
      if (!existsSync(d)) return;
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        // Not followed: a committed link to '.' looped the walk until ELOOP, and labctl never writes one.
        const st = lstatSync(p);
        if (st.isSymbolicLink()) throw this.planted(p, `is a symbolic link (to ${readlinkSync(p)})`);
        if (st.isDirectory()) walk(p);
        else if (name.endsWith(ENTRY_EXT)) out.push(relative(root, p).slice(0, -ENTRY_EXT.length).split(sep).join('/'));
      }
    };
    walk(root);
    return out.sort();
  }

  async encrypt(value: string): Promise<string> {
    const e = new age.Encrypter();
    for (const r of await this.trustedRecipients()) e.addRecipient(r);
    return age.armor.encode(await readAllBytes(await e.encrypt(bytesStream(new TextEncoder().encode(value)))));
  }

  /** Stores a value. Callers decide whether replacing is allowed; this only refuses silent replacement. */
  async put(ref: string, value: string, opts: { replace?: boolean } = {}): Promise<void> {
    if (value === '') throw new Problem(`refusing to store an empty value for ${ref}`);
    const path = this.entryPath(ref);
    if (existsSync(path) && !opts.replace)
      throw new Problem(`${ref} already exists in the secret store; nothing was changed`);
    atomicWrite(path, await this.encrypt(value));
    this.recordConfirmed([ref]);
  }

  /** The value of a confirmed entry (refused otherwise: see verify). */
  async get(ref: string, identity: string): Promise<string> {
    if (!existsSync(this.entryPath(ref)))
      throw new Problem(`${ref} is not in the secret store (${relative(process.cwd(), this.entryPath(ref))})`);
    this.key ??= identity;
    this.verify(ref);
    return this.decrypt(ref, identity);
  }

  /**
   * Decrypts without the confirmation check: only for secrets confirm, which shows what it confirms
   * (`ciphertext`: the bytes it read, else the file is read here).
   */
  async decrypt(ref: string, identity: string, ciphertext?: Buffer): Promise<string> {
    const path = this.entryPath(ref);
    if (!ciphertext && !existsSync(path))
      throw new Problem(`${ref} is not in the secret store (${relative(process.cwd(), path)})`);
    const d = new age.Decrypter();
    d.addIdentity(identity);
    try {
      const armored = (ciphertext ?? this.entryBytes(path)).toString('utf8');
      const plain = await readAllBytes(await d.decrypt(bytesStream(age.armor.decode(armored))));
      return new TextDecoder().decode(plain); // what age's 'text' output gives: UTF-8, a BOM dropped
    } catch (e) {
      throw new Problem(
        `${ref}: cannot decrypt ${relative(process.cwd(), path)} with the given key (${(e as Error).message}); is it this site's key?`,
      );
    }
  }
}

// age's stream API, the stream read here: given bytes or a string, age reads its output through fetch's
// Response, whose first use loads undici (tens of ms of every secrets command). Same bytes either way.
const bytesStream = (b: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(b);
      c.close();
    },
  });

/** All of a stream's bytes (node's own reader: no fetch Response, so no undici). */
const readAllBytes = async (s: ReadableStream<Uint8Array>): Promise<Uint8Array> => new Uint8Array(await arrayBuffer(s));

/** A new site key pair; X25519 so the plain `age` CLI can decrypt entries in an emergency. */
export async function newSiteKey(): Promise<{ identity: string; recipient: string }> {
  const identity = await age.generateX25519Identity();
  return { identity, recipient: await age.identityToRecipient(identity) };
}

export function readIdentity(keyFile: string, why?: string): string {
  if (!existsSync(keyFile))
    throw new Problem(
      `site key ${keyFile} not found${why ? ` (needed ${why})` : ''}; pass --key-file (or set LABCTL_AGE_KEY_FILE) to the key labctl secrets init wrote`,
    );
  // -k /etc: a folder read as the key said only "cannot read (path not reported by the system)" (EISDIR).
  if (!statSync(keyFile).isFile())
    throw new Problem(
      `site key ${keyFile} is a folder, not a key file; pass --key-file (or set LABCTL_AGE_KEY_FILE) to the key file labctl secrets init wrote (e.g. ~/.config/labctl/site.agekey)`,
    );
  const key = readFileSync(keyFile, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('AGE-SECRET-KEY-'));
  if (!key) throw new Problem(`${keyFile} holds no AGE-SECRET-KEY line`);
  return key;
}

/** The key file would be inside the site repository (and so end up in Git). */
export function keyInsideRepo(keyFile: string, repoDir: string): boolean {
  const abs = resolve(keyFile);
  const rel = relative(resolve(repoDir), abs);
  return !rel.startsWith('..') && !rel.startsWith(sep) && rel !== abs;
}

/** Writes the private key once; never over an existing file, never inside the site repository. */
export function writeIdentity(keyFile: string, identity: string, recipient: string, repoDir: string): void {
  const abs = resolve(keyFile);
  if (keyInsideRepo(keyFile, repoDir)) {
    throw new UsageError(
      `refusing to write the site key to ${keyFile}: it is inside the site repository ${repoDir}, which is pushed to Git`,
    );
  }
  if (existsSync(abs))
    throw new Problem(`${keyFile} already exists; refusing to overwrite a key (entries encrypted to it would be lost)`);
  atomicWrite(
    abs,
    `# labctl site key. Back this file up offline: with the Git repository it rebuilds every secret.\n# public key: ${recipient}\n${identity}\n`,
    0o600,
  );
}
