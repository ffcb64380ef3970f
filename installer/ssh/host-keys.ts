// SSH host key verification: labctl sends nothing to a server (no login, no script, no secret) until it
// has shown the key labctl expects. Where the expected key comes from, first match wins:
//  1. the node's `ssh.hostKeys` in the inventory (SHA256 fingerprints, as `ssh-keygen -lf` prints them);
//  2. `ssh.knownHostsFile` in the inventory (OpenSSH known_hosts format; hashed entries work too);
//  3. otherwise trust on first use: the first key a host shows is pinned in <state dir>/known_hosts
//     (OpenSSH format, so `ssh -o UserKnownHostsFile=...` reads it too) and every later connection must
//     show the same key. `labctl hosts trust NODE --fingerprint SHA256:...` replaces a pin after the new
//     key was checked out of band (a reinstalled server).
// A host showing another key is stopped with both fingerprints in the message; other hosts go on.
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { readRegularFile } from '../core/regular-file.ts';

export const PIN_FILE = 'known_hosts';

/** OpenSSH's fingerprint of a public key blob: SHA256:<base64 without padding>. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside a public key blob (ssh-ed25519, ecdsa-sha2-nistp256, ...). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** How known_hosts names a host: the bare address on port 22, [address]:port otherwise. */
export const hostPattern = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

export interface KnownEntry {
  patterns: string[];
  type: string;
  blob: Buffer;
  marker?: string;
  line: number;
}

/** Parses OpenSSH known_hosts text; lines it cannot read are skipped (as OpenSSH does). */
export function parseKnownHosts(text: string): KnownEntry[] {
  const out: KnownEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    const marker = f[0]!.startsWith('@') ? f.shift() : undefined;
    if (f.length < 3) return;
    const blob = Buffer.from(f[2]!, 'base64');
    if (!blob.length || keyType(blob) !== f[1]) return;
    out.push({ patterns: f[0]!.split(','), type: f[1]!, blob, marker, line: i + 1 });
  });
  return out;
}

function patternMatches(p: string, name: string): boolean {
  if (p.startsWith('|1|')) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = p.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return p === name;
}

/** Entries of `entries` for host:port (also under the node's name, as an admin may write it). */
export function entriesFor(entries: KnownEntry[], host: string, port: number, alias?: string): KnownEntry[] {
  const names = [hostPattern(host, port), ...(alias ? [hostPattern(alias, port)] : [])];
  return entries.filter((e) => e.patterns.some((p) => !p.startsWith('!') && names.some((n) => patternMatches(p, n))));
}

export interface HostKeyPolicy {
  /** Inventory node name (messages, and known_hosts entries written under the name). */
  node: string;
  host: string;
  port: number;
  /** From the inventory: the fingerprints this host may show. */
  fingerprints?: string[];
  /** From the inventory: an OpenSSH known_hosts file that must list this host. */
  knownHostsFile?: string;
  /** Trust-on-first-use pins; undefined keeps pins in memory for this process only (library callers, tests). */
  pinFile?: string;
}

export type Verdict =
  | { ok: true; pinned: boolean; fingerprint: string }
  | { ok: false; fingerprint: string; message: string };

const memoryPins = new Map<string, Buffer[]>();
const expandHome = (p: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p);

const trustHint = (node: string, fp: string) =>
  `If the server was reinstalled, check the new key on its console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and accept it with: labctl hosts trust ${node} --fingerprint ${fp}`;

/** Decides whether the key `blob` a host showed is the one expected; pins it on first contact. */
export function checkHostKey(p: HostKeyPolicy, blob: Buffer): Verdict {
  const fp = fingerprint(blob);
  const type = keyType(blob);
  const where = `${p.host}:${p.port}`;
  const shown = `the host at ${where} shows ${fp} (${type})`;
  if (p.fingerprints?.length) {
    if (p.fingerprints.includes(fp)) return { ok: true, pinned: false, fingerprint: fp };
    return {
      ok: false,
      fingerprint: fp,
      message: `HOST KEY MISMATCH: the inventory's ssh.hostKeys for ${p.node} is ${p.fingerprints.join(', ')}, but ${shown}. Nothing was sent to the host. If the server was reinstalled, put the new fingerprint into ssh.hostKeys.`,
    };
  }
  if (p.knownHostsFile) {
    const file = expandHome(p.knownHostsFile);
    const read = knownHostsEntries(file, p.host, p.port, p.node);
    if ('error' in read)
      return {
        ok: false,
        fingerprint: fp,
        message: `cannot read ssh.knownHostsFile ${file} (${read.error}); no host key to check ${p.node} against`,
      };
    const mine = read.entries;
    if (mine.some((e) => e.marker === '@revoked' && e.blob.equals(blob))) {
      return { ok: false, fingerprint: fp, message: `HOST KEY REVOKED: ${shown}, which ${file} marks @revoked` };
    }
    const plain = mine.filter((e) => !e.marker);
    if (plain.some((e) => e.blob.equals(blob))) return { ok: true, pinned: false, fingerprint: fp };
    if (!plain.length)
      return {
        ok: false,
        fingerprint: fp,
        message: `${file} (ssh.knownHostsFile) has no key for ${hostPattern(p.host, p.port)} or ${p.node}; ${shown}. Add the host's key there (ssh-keyscan output checked against the console).`,
      };
    return {
      ok: false,
      fingerprint: fp,
      message: `HOST KEY MISMATCH: ${file} (ssh.knownHostsFile) has ${plain.map((e) => fingerprint(e.blob)).join(', ')} for ${p.node}, but ${shown}. Nothing was sent to the host. If the server was reinstalled, update that file.`,
    };
  }
  const pins = readPins(p);
  if (!pins.length) {
    addPin(p, blob);
    return { ok: true, pinned: true, fingerprint: fp };
  }
  if (pins.some((b) => b.equals(blob))) return { ok: true, pinned: false, fingerprint: fp };
  const src = p.pinFile ? `pinned in ${p.pinFile}` : 'seen earlier in this run';
  return {
    ok: false,
    fingerprint: fp,
    message: `HOST KEY CHANGED: labctl knows ${p.node} (${where}) by ${pins.map((b) => `${fingerprint(b)} (${keyType(b)})`).join(', ')}, ${src}, but ${shown}. Someone may be answering at the node's address; nothing was sent to it. ${trustHint(p.node, fp)}`,
  };
}

function readPins(p: HostKeyPolicy): Buffer[] {
  if (!p.pinFile) return memoryPins.get(hostPattern(p.host, p.port)) ?? [];
  if (!existsSync(p.pinFile)) return [];
  return entriesFor(parseKnownHosts(readFileSync(p.pinFile, 'utf8')), p.host, p.port)
    .filter((e) => !e.marker)
    .map((e) => e.blob);
}

function addPin(p: HostKeyPolicy, blob: Buffer): void {
  if (!p.pinFile) {
    memoryPins.set(hostPattern(p.host, p.port), [blob]);
    return;
  }
  const old = existsSync(p.pinFile)
    ? readFileSync(p.pinFile, 'utf8')
    : '# SSH host keys labctl pinned on first contact (OpenSSH known_hosts format). Change one only with: labctl hosts trust NODE --fingerprint SHA256:...\n';
  writeFileAtomic(p.pinFile, `${old}${old.endsWith('\n') || !old ? '' : '\n'}${pinLine(p, blob)}\n`, {
    mode: 0o600,
    durable: true,
  });
}

const pinLine = (p: HostKeyPolicy, blob: Buffer) =>
  `${hostPattern(p.host, p.port)} ${keyType(blob)} ${blob.toString('base64')} labctl:${p.node}`;

/** Replaces every pin of host:port by `blob` (labctl hosts trust). */
export function replacePin(p: HostKeyPolicy, blob: Buffer): { previous: string[] } {
  if (!p.pinFile) {
    const prev = memoryPins.get(hostPattern(p.host, p.port)) ?? [];
    memoryPins.set(hostPattern(p.host, p.port), [blob]);
    return { previous: prev.map(fingerprint) };
  }
  const text = existsSync(p.pinFile) ? readFileSync(p.pinFile, 'utf8') : '';
  const name = hostPattern(p.host, p.port);
  const previous: string[] = [];
  const kept = text.split('\n').filter((raw) => {
    const e = parseKnownHosts(raw)[0];
    if (e?.patterns.some((x) => patternMatches(x, name))) {
      previous.push(fingerprint(e.blob));
      return false;
    }
    return raw !== '';
  });
  writeFileAtomic(p.pinFile, [...kept, pinLine(p, blob)].join('\n') + '\n', { mode: 0o600, durable: true });
  return { previous };
}

/** The fingerprints pinned for host:port (the journal may compare them to tell a reinstalled server). */
export function pinnedFingerprints(pinFile: string, host: string, port: number): string[] {
  return readPins({ node: '', host, port, pinFile }).map(fingerprint);
}

/**
 * The fingerprints ssh.knownHostsFile lists for a node (the keys checkHostKey accepts from it), or why it
 * lists none: then every connection to the node is refused.
 */
export function knownHostsFingerprints(
  file: string,
  host: string,
  port: number,
  node: string,
): { fingerprints: string[]; refused?: string } {
  const read = knownHostsEntries(expandHome(file), host, port, node);
  if ('error' in read) return { fingerprints: [], refused: `cannot read ${expandHome(file)} (${read.error})` };
  const plain = read.entries.filter((e) => !e.marker);
  if (!plain.length)
    return { fingerprints: [], refused: `the file has no key for ${hostPattern(host, port)} or ${node}` };
  return { fingerprints: [...new Set(plain.map((e) => fingerprint(e.blob)))] };
}

/**
 * The entries ssh.knownHostsFile has for a node, or why it cannot be read. One reading for connecting and for
 * hosts list: bounded and a regular file (a link to one is fine), since the inventory, a commit, names it; a
 * link to /dev/zero or a pipe there hung every connection.
 */
function knownHostsEntries(
  file: string,
  host: string,
  port: number,
  node: string,
): { entries: KnownEntry[] } | { error: string } {
  try {
    const text = readRegularFile(file, 16 * 1024 * 1024, { followLinks: true }).toString('utf8');
    return { entries: entriesFor(parseKnownHosts(text), host, port, node) };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}
