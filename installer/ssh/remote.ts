// RemoteHost: the one way labctl talks to a server. node-ssh underneath; commands are an argv array
// (node-ssh quotes each argument), scripts travel on stdin (never on the command line, so secrets in
// them do not show in `ps`), every call has a timeout, and every failure names the host and the step.
import { NodeSSH } from 'node-ssh';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { SiteNode } from '../inventory/types.ts';
import { redact } from './redact.ts';
import { SSH_ALGORITHMS } from './algorithms.ts';

export interface ExecResult { code: number | null; signal: string | null; stdout: string; stderr: string }

export interface ExecOptions {
  /** Sent on stdin (scripts go here). */
  stdin?: string;
  /** Client-side limit; the remote side is also bounded with coreutils `timeout` by runScript. */
  timeoutMs?: number;
  /** Step name used in error messages. */
  step?: string;
  onStdout?: (chunk: string) => void;
}

export interface RemoteHost {
  readonly name: string;
  readonly address: string;
  /** Runs argv[0] with the remaining arguments; a non-zero exit is a result, not an error. */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a bash script as root (sudo -n when the login user is not root), bounded remotely and locally. */
  runScript(script: string, opts: ExecOptions & { timeoutMs: number; args?: string[] }): Promise<ExecResult>;
  close(): void;
}

export type SshFailure = 'unreachable' | 'auth' | 'timeout' | 'disconnected' | 'key' | 'jump';

/** A failure to talk to a host (as opposed to a command that ran and failed). */
export class SshError extends Error {
  /** The message without the host/step prefix. */
  readonly reason: string;
  constructor(readonly host: string, readonly kind: SshFailure, readonly step: string | undefined, detail: string) {
    const reason = `${describe(kind)}: ${redact(detail)}`;
    super(`${host}${step ? ` [${step}]` : ''}: ${reason}`);
    this.reason = reason;
    this.name = 'SshError';
  }
}

function describe(kind: SshFailure): string {
  switch (kind) {
    case 'unreachable': return 'cannot reach sshd';
    case 'auth': return 'SSH login refused (wrong key or user)';
    case 'timeout': return 'timed out';
    case 'disconnected': return 'SSH connection lost';
    case 'key': return 'cannot read the private key';
    case 'jump': return 'cannot connect through the jump host';
  }
}

export interface ConnectOptions {
  /** Connect (TCP + handshake + auth) limit. Default 10 s. */
  connectTimeoutMs?: number;
  /** Used instead of node.ssh.privateKeyFile (tests). */
  privateKey?: string;
}

const expandHome = (p: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p);

export function parseJumpHost(spec: string, defaultUser: string): { user: string; host: string; port: number } {
  const m = /^(?:([^@\s]+)@)?([^:@\s]+)(?::(\d{1,5}))?$/.exec(spec);
  if (!m) throw new Error(`jump host "${spec}" is not user@host[:port]`);
  return { user: m[1] ?? defaultUser, host: m[2]!, port: m[3] ? Number(m[3]) : 22 };
}

function classify(e: unknown): { kind: SshFailure; detail: string } {
  const err = e as { message?: string; level?: string; code?: string };
  const msg = err?.message ?? String(e);
  if (err?.level === 'client-authentication' || /authentication methods failed/i.test(msg)) return { kind: 'auth', detail: msg };
  // A silent address shows up as a handshake timeout: for the operator that is "cannot reach sshd".
  return { kind: 'unreachable', detail: msg };
}

/** Opens an SSH session to a node as the inventory says (user, port, key, jump host). */
export async function connect(node: Pick<SiteNode, 'name' | 'address' | 'ssh'>, opts: ConnectOptions = {}): Promise<RemoteHost> {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  let privateKey = opts.privateKey;
  if (privateKey === undefined) {
    const file = expandHome(node.ssh.privateKeyFile);
    try { privateKey = await readFile(file, 'utf8'); } catch (e) {
      throw new SshError(node.name, 'key', undefined, `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let jump: NodeSSH | undefined;
  let sock: NodeJS.ReadableStream | undefined;
  if (node.ssh.jumpHost) {
    const j = parseJumpHost(node.ssh.jumpHost, node.ssh.user);
    jump = new NodeSSH();
    try {
      await jump.connect({ host: j.host, port: j.port, username: j.user, privateKey, readyTimeout: timeout, algorithms: SSH_ALGORITHMS });
      sock = await jump.forwardOut('127.0.0.1', 0, node.address, node.ssh.port) as unknown as NodeJS.ReadableStream;
    } catch (e) {
      jump.dispose();
      throw new SshError(node.name, 'jump', undefined, `${node.ssh.jumpHost}: ${classify(e).detail}`);
    }
  }
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: node.address, port: node.ssh.port, username: node.ssh.user, privateKey, readyTimeout: timeout, algorithms: SSH_ALGORITHMS,
      // ssh2 would otherwise wait for the OS TCP timeout (minutes) on a silent address.
      ...(sock ? { sock: sock as never } : {}),
      keepaliveInterval: 5_000, keepaliveCountMax: 3,
    });
  } catch (e) {
    jump?.dispose();
    const c = classify(e);
    throw new SshError(node.name, c.kind, undefined, `${node.ssh.user}@${node.address}:${node.ssh.port}: ${c.detail}`);
  }
  return new NodeSshHost(node.name, node.address, node.ssh.user, ssh, jump);
}

class NodeSshHost implements RemoteHost {
  private lost: string | undefined;
  constructor(readonly name: string, readonly address: string, private readonly user: string,
    private readonly ssh: NodeSSH, private readonly jump?: NodeSSH) {
    const c = ssh.connection;
    c?.on('close', () => { this.lost ??= 'connection closed by the host'; });
    c?.on('error', (e: Error) => { this.lost ??= e.message; });
  }

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('exec: empty argv');
    if (this.lost) throw new SshError(this.name, 'disconnected', opts.step, this.lost);
    let channel: { close(): void; signal?(s: string): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const run = this.ssh.exec(cmd, args, {
      stream: 'both', stdin: opts.stdin, noTrim: true,
      onChannel: (ch) => { channel = ch; },
      onStdout: opts.onStdout ? (b) => opts.onStdout!(b.toString('utf8')) : undefined,
    });
    const limit = opts.timeoutMs ?? 60_000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        channel?.close();
        reject(new SshError(this.name, 'timeout', opts.step, `no result after ${Math.round(limit / 1000)} s`));
      }, limit);
    });
    try {
      const r = await Promise.race([run, timedOut]);
      // ssh2 reports a dropped connection as an exit without code; tell that apart from a command's exit.
      if (r.code === null && r.signal === null && this.lost) throw new SshError(this.name, 'disconnected', opts.step, this.lost);
      if (r.code === null && r.signal === null && !this.ssh.isConnected()) throw new SshError(this.name, 'disconnected', opts.step, 'connection closed during the command');
      return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      if (e instanceof SshError) throw e;
      const msg = (e as Error).message ?? String(e);
      if (this.lost || !this.ssh.isConnected() || /No response from server|Not connected|ECONNRESET|closed/i.test(msg)) {
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
    return this.exec(this.user === 'root' ? argv : ['sudo', '-n', '--', ...argv], { ...opts, stdin: script, timeoutMs: opts.timeoutMs + 15_000 });
  }

  close(): void {
    this.ssh.dispose();
    this.jump?.dispose();
  }
}

/** Exit status of coreutils `timeout` when the command ran out of time. */
export const TIMEOUT_EXIT = 124;
