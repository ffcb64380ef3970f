// RemoteHost: the one way labctl talks to a server. node-ssh underneath; commands are an argv array
// (node-ssh quotes each argument), scripts travel on stdin (never on the command line, so secrets in
// them do not show in `ps`), every call has a timeout, and every failure names the host and the step.
// No session starts before the host has shown the key labctl expects (host-keys.ts).
import { NodeSSH } from 'node-ssh';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import type { SiteNode } from '../inventory/types.ts';
import { redact } from './redact.ts';
import { SSH_ALGORITHMS } from './algorithms.ts';
import { checkHostKey, type Verdict } from './host-keys.ts';
import { isInteractive, readHidden } from './prompt.ts';

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Sent on stdin (scripts go here). */
  stdin?: string;
  /** Client-side limit; the remote side is also bounded with coreutils `timeout` by runScript. */
  timeoutMs?: number;
  /** Step name used in error messages. */
  step?: string;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export interface RemoteHost {
  readonly name: string;
  readonly address: string;
  /** SHA256 fingerprint of the host key this session was opened with (the host's identity). */
  readonly hostKey?: string;
  /** Runs argv[0] with the remaining arguments; a non-zero exit is a result, not an error. */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a bash script as root (sudo -n when the login user is not root), bounded remotely and locally. */
  runScript(script: string, opts: ExecOptions & { timeoutMs: number; args?: string[] }): Promise<ExecResult>;
  close(): void;
}

export type SshFailure =
  | 'unreachable'
  | 'auth'
  | 'timeout'
  | 'disconnected'
  | 'key'
  | 'passphrase'
  | 'hostkey'
  | 'jump'
  | 'output';

/**
 * What one command may send back (stdout and stderr together). A host past it is cut off: node-ssh keeps all
 * output and joins it into one string, and 2 GiB from a hostile host threw RangeError (Invalid string length)
 * out of its event handler, which ended labctl's whole run for every host.
 */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** A failure to talk to a host (as opposed to a command that ran and failed). */
export class SshError extends Error {
  /** The message without the host/step prefix. */
  readonly reason: string;
  constructor(
    readonly host: string,
    readonly kind: SshFailure,
    readonly step: string | undefined,
    detail: string,
  ) {
    const reason = `${describe(kind)}: ${redact(detail)}`;
    super(`${host}${step ? ` [${step}]` : ''}: ${reason}`);
    this.reason = reason;
    this.name = 'SshError';
  }
}

function describe(kind: SshFailure): string {
  switch (kind) {
    case 'unreachable':
      return 'cannot reach sshd';
    case 'auth':
      return 'SSH login refused (wrong key or user)';
    case 'timeout':
      return 'timed out';
    case 'disconnected':
      return 'SSH connection lost';
    case 'key':
      return 'cannot read the private key';
    case 'passphrase':
      return 'cannot unlock the private key';
    case 'hostkey':
      return 'host key not accepted';
    case 'jump':
      return 'cannot connect through the jump host';
    case 'output':
      return 'the host sent too much output';
  }
}

/** Environment variable holding the passphrase of a passphrase-protected private key. */
export const PASSPHRASE_ENV = 'LABCTL_SSH_KEY_PASSPHRASE';

export interface ConnectOptions {
  /** Connect (TCP + handshake + auth) limit. Default 10 s. */
  connectTimeoutMs?: number;
  /** Used instead of node.ssh.privateKeyFile (tests). */
  privateKey?: string;
  /** Trust-on-first-use pin file (<state dir>/known_hosts); undefined pins in memory for this process. */
  knownHosts?: string;
}

/** The node fields connect reads; ssh.hostKeys / ssh.knownHostsFile come from the inventory. */
export type SshTarget = Pick<SiteNode, 'name' | 'address'> & {
  ssh: SiteNode['ssh'] & { hostKeys?: string[]; knownHostsFile?: string };
};

const expandHome = (p: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p);
const require = createRequire(import.meta.url);
const { parseKey } = (require('ssh2') as { utils: { parseKey(key: string, passphrase?: string): ParsedKey | Error } })
  .utils;
/** ssh2's parsed private key (opaque here). */
type ParsedKey = { type: string };

export function parseJumpHost(spec: string, defaultUser: string): { user: string; host: string; port: number } {
  const m = /^(?:([^@\s]+)@)?([^:@\s]+)(?::(\d{1,5}))?$/.exec(spec);
  if (!m) throw new Error(`jump host "${spec}" is not user@host[:port]`);
  return { user: m[1] ?? defaultUser, host: m[2]!, port: m[3] ? Number(m[3]) : 22 };
}

function classify(e: unknown): { kind: SshFailure; detail: string } {
  const err = e as { message?: string; level?: string; code?: string };
  const msg = err?.message ?? String(e);
  if (err?.level === 'client-authentication' || /authentication methods failed/i.test(msg))
    return { kind: 'auth', detail: msg };
  // A silent address shows up as a handshake timeout: for the operator that is "cannot reach sshd".
  return { kind: 'unreachable', detail: msg };
}

interface Credentials {
  key?: ParsedKey;
  agent?: string;
}

/** Keys are parsed (and decrypted: bcrypt, ~2 s) once per process, not once per host. */
const parsed = new Map<string, ParsedKey>();

/** ssh2's auth methods, in order: the key, then the agent's keys. */
function authMethods(username: string, c: Credentials): unknown[] {
  return [
    ...(c.key ? [{ type: 'publickey', username, key: c.key }] : []),
    ...(c.agent ? [{ type: 'agent', username, agent: c.agent }] : []),
  ];
}

/** Passphrases typed at the prompt, per key file: one prompt for all hosts sharing a key. */
const typed = new Map<string, Promise<string>>();

/**
 * The private key (and its passphrase) and the ssh-agent socket to log in with. An encrypted key needs
 * LABCTL_SSH_KEY_PASSPHRASE, a prompt at a terminal, or ssh-agent (SSH_AUTH_SOCK); a wrong passphrase is
 * reported as such, before any connection is made.
 */
async function credentials(node: SshTarget, opts: ConnectOptions): Promise<Credentials> {
  const agent = process.env.SSH_AUTH_SOCK || undefined;
  if (opts.privateKey !== undefined) {
    const key = parseKey(opts.privateKey);
    if (key instanceof Error) throw new SshError(node.name, 'key', undefined, `the given private key: ${key.message}`);
    return { key, agent };
  }
  const file = expandHome(node.ssh.privateKeyFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (agent && code === 'ENOENT') return { agent }; // the key lives in the agent only
    // No key and no agent (a new admin machine): say which setting names the key, not only ENOENT.
    throw new SshError(
      node.name,
      'key',
      undefined,
      code === 'ENOENT'
        ? `${file}: no such file, and no ssh-agent (SSH_AUTH_SOCK is not set); set ssh.privateKeyFile in the inventory to the key that logs in to the servers (default ~/.ssh/id_ed25519), or load that key into ssh-agent (ssh-add)`
        : `${file}: ${code ?? (e as Error).message}${agent ? '' : ' (and no ssh-agent: SSH_AUTH_SOCK is not set)'}`,
    );
  }
  const cached = parsed.get(file);
  if (cached) return { key: cached, agent };
  const plain = parseKey(text);
  if (!(plain instanceof Error)) {
    parsed.set(file, plain);
    return { key: plain, agent };
  }
  if (!/passphrase/i.test(plain.message))
    throw new SshError(node.name, 'key', undefined, `${file}: not a private key labctl can read (${plain.message})`);
  let passphrase = process.env[PASSPHRASE_ENV] || undefined; // empty = unset
  let source = PASSPHRASE_ENV;
  if (passphrase === undefined) {
    if (agent) return { agent }; // ssh-add'ed keys need no passphrase here
    if (!isInteractive()) {
      throw new SshError(
        node.name,
        'passphrase',
        undefined,
        `${file} is passphrase-protected: load it into ssh-agent (ssh-add ${file}), or set ${PASSPHRASE_ENV}`,
      );
    }
    if (!typed.has(file)) typed.set(file, readHidden(`passphrase for ${file}: `));
    passphrase = await typed.get(file)!;
    source = 'typed at the prompt';
  }
  const key = parsed.get(file) ?? parseKey(text, passphrase);
  if (key instanceof Error) {
    typed.delete(file);
    throw new SshError(node.name, 'passphrase', undefined, `wrong passphrase for ${file} (${source})`);
  }
  parsed.set(file, key);
  return { key, agent };
}

/** ssh2's hostVerifier for `target`; the verdict is kept so a refusal is reported with its reason. */
function verifier(name: string, host: string, port: number, node: SshTarget, opts: ConnectOptions) {
  const state: { verdict?: Verdict } = {};
  const fn = (key: Buffer): boolean => {
    state.verdict = checkHostKey(
      {
        node: name,
        host,
        port,
        fingerprints: name === node.name ? node.ssh.hostKeys : undefined,
        knownHostsFile: node.ssh.knownHostsFile,
        pinFile: opts.knownHosts,
      },
      key,
    );
    return state.verdict.ok;
  };
  return { fn, state };
}

const refused = (v: Verdict | undefined): string | undefined => (v && !v.ok ? v.message : undefined);

/** Logs in to the node's jump host (its host key verified like a node's) and opens a tunnel to the node. */
async function openJump(
  node: SshTarget,
  jumpHost: string,
  cred: Awaited<ReturnType<typeof credentials>>,
  timeout: number,
  opts: ConnectOptions,
): Promise<{ jump: NodeSSH; sock: NodeJS.ReadableStream }> {
  const j = parseJumpHost(jumpHost, node.ssh.user);
  const jump = new NodeSSH();
  const v = verifier(`jump host ${j.host}`, j.host, j.port, node, opts);
  try {
    await jump.connect({
      host: j.host,
      port: j.port,
      username: j.user,
      authHandler: authMethods(j.user, cred) as never,
      readyTimeout: timeout,
      algorithms: SSH_ALGORITHMS,
      hostVerifier: v.fn,
    });
    const sock = (await jump.forwardOut(
      '127.0.0.1',
      0,
      node.address,
      node.ssh.port,
    )) as unknown as NodeJS.ReadableStream;
    return { jump, sock };
  } catch (e) {
    jump.dispose();
    const why = refused(v.state.verdict);
    throw new SshError(node.name, why ? 'hostkey' : 'jump', undefined, `${jumpHost}: ${why ?? classify(e).detail}`);
  }
}

/** Opens an SSH session to a node as the inventory says (user, port, key, jump host), after checking its host key. */
export async function connect(node: SshTarget, opts: ConnectOptions = {}): Promise<RemoteHost> {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const cred = await credentials(node, opts);
  const { jump, sock } = node.ssh.jumpHost ? await openJump(node, node.ssh.jumpHost, cred, timeout, opts) : {};
  const ssh = new NodeSSH();
  const v = verifier(node.name, node.address, node.ssh.port, node, opts);
  try {
    await ssh.connect({
      host: node.address,
      port: node.ssh.port,
      username: node.ssh.user,
      authHandler: authMethods(node.ssh.user, cred) as never,
      readyTimeout: timeout,
      algorithms: SSH_ALGORITHMS,
      hostVerifier: v.fn,
      // ssh2 would otherwise wait for the OS TCP timeout (minutes) on a silent address.
      ...(sock ? { sock: sock as never } : {}),
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
    });
  } catch (e) {
    jump?.dispose();
    const why = refused(v.state.verdict);
    if (why) throw new SshError(node.name, 'hostkey', undefined, why);
    const c = classify(e);
    throw new SshError(node.name, c.kind, undefined, `${node.ssh.user}@${node.address}:${node.ssh.port}: ${c.detail}`);
  }
  const seen = v.state.verdict;
  return new NodeSshHost(node.name, node.address, node.ssh.user, ssh, jump, seen?.ok ? seen.fingerprint : undefined);
}

/**
 * The host key a node shows now, without logging in to it (the key exchange only; the jump host, if any,
 * is verified and logged in to as usual). For `labctl hosts trust`.
 */
export async function probeHostKey(node: SshTarget, opts: ConnectOptions = {}): Promise<Buffer> {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const { jump, sock } = node.ssh.jumpHost
    ? await openJump(node, node.ssh.jumpHost, await credentials(node, opts), timeout, opts)
    : {};
  let seen: Buffer | undefined;
  const ssh = new NodeSSH();
  try {
    // Refusing every key ends the connection right after the key exchange: no credential is sent.
    await ssh.connect({
      host: node.address,
      port: node.ssh.port,
      username: node.ssh.user,
      password: 'never-sent',
      readyTimeout: timeout,
      algorithms: SSH_ALGORITHMS,
      ...(sock ? { sock: sock as never } : {}),
      hostVerifier: (key: Buffer) => {
        seen = Buffer.from(key);
        return false;
      },
    });
  } catch (e) {
    if (!seen)
      throw new SshError(
        node.name,
        'unreachable',
        undefined,
        `${node.address}:${node.ssh.port}: ${classify(e).detail}`,
      );
  } finally {
    ssh.dispose();
    jump?.dispose();
  }
  if (!seen)
    throw new SshError(node.name, 'unreachable', undefined, `${node.address}:${node.ssh.port}: no host key received`);
  return seen;
}

class NodeSshHost implements RemoteHost {
  private lost: string | undefined;
  constructor(
    readonly name: string,
    readonly address: string,
    private readonly user: string,
    private readonly ssh: NodeSSH,
    private readonly jump?: NodeSSH,
    readonly hostKey?: string,
  ) {
    const c = ssh.connection;
    c?.on('close', () => {
      this.lost ??= 'connection closed by the host';
    });
    c?.on('error', (e: Error) => {
      this.lost ??= e.message;
    });
  }

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('exec: empty argv');
    if (this.lost) throw new SshError(this.name, 'disconnected', opts.step, this.lost);
    let channel: { close(): void; signal?(s: string): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let bytes = 0;
    let flooded: ((e: SshError) => void) | undefined;
    const flood = new Promise<never>((_, reject) => {
      flooded = reject;
    });
    // Counted before node-ssh keeps a chunk: past the limit the connection goes (a host that floods is not
    // asked anything more), so what node-ssh holds stays near the limit.
    const take = (b: Buffer, on?: (chunk: string) => void) => {
      if (bytes > MAX_OUTPUT_BYTES) return;
      bytes += b.length;
      if (bytes > MAX_OUTPUT_BYTES) {
        this.lost ??= `sent more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB for one command`;
        flooded?.(
          new SshError(this.name, 'output', opts.step, `more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB; cut off`),
        );
        channel?.close();
        this.ssh.dispose();
        return;
      }
      on?.(b.toString('utf8'));
    };
    const run = this.ssh.exec(cmd, args, {
      stream: 'both',
      stdin: opts.stdin,
      noTrim: true,
      onChannel: (ch) => {
        channel = ch;
      },
      onStdout: (b) => take(b, opts.onStdout),
      onStderr: (b) => take(b, opts.onStderr),
    });
    run.catch(() => undefined); // settled after the race was decided (a flood, a timeout): already reported
    const limit = opts.timeoutMs ?? 60_000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        channel?.close();
        reject(new SshError(this.name, 'timeout', opts.step, `no result after ${Math.round(limit / 1000)} s`));
      }, limit);
    });
    try {
      const r = await Promise.race([run, timedOut, flood]);
      // ssh2 reports a dropped connection as an exit without code; tell that apart from a command's exit.
      if (r.code === null && r.signal === null && this.lost)
        throw new SshError(this.name, 'disconnected', opts.step, this.lost);
      if (r.code === null && r.signal === null && !this.ssh.isConnected())
        throw new SshError(this.name, 'disconnected', opts.step, 'connection closed during the command');
      return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      if (e instanceof SshError) throw e;
      const msg = (e as Error).message ?? String(e);
      if (
        this.lost ||
        !this.ssh.isConnected() ||
        /No response from server|Not connected|ECONNRESET|closed/i.test(msg)
      ) {
        throw new SshError(this.name, 'disconnected', opts.step, this.lost ?? msg);
      }
      throw new SshError(this.name, 'disconnected', opts.step, msg);
    } finally {
      clearTimeout(timer);
    }
  }

  runScript(script: string, opts: ExecOptions & { timeoutMs: number; args?: string[] }): Promise<ExecResult> {
    // The remote `timeout` kills the step itself; the local limit (a little longer) catches a host that
    // stopped answering altogether.
    const secs = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
    const argv = ['timeout', '--kill-after=5', String(secs), 'bash', '-s', '--', ...(opts.args ?? [])];
    return this.exec(this.user === 'root' ? argv : ['sudo', '-n', '--', ...argv], {
      ...opts,
      stdin: script,
      timeoutMs: opts.timeoutMs + 15_000,
    });
  }

  close(): void {
    this.ssh.dispose();
    this.jump?.dispose();
  }
}

/** Exit status of coreutils `timeout` when the command ran out of time. */
export const TIMEOUT_EXIT = 124;
