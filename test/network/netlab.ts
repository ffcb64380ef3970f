// A small network lab for tests: network namespaces joined by a bridge, and real FRR daemons (zebra,
// bfdd, bgpd) running in them, each instance with its own config, pid and socket directory so several
// instances (and other test files) never collide. Everything started is recorded and torn down by
// Lab.destroy(), which the tests call in afterAll.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FRR_DIR = '/usr/lib/frr';
const DAEMONS = ['zebra', 'bfdd', 'bgpd'] as const;

/** Fails with a clear message when a tool the lab needs is missing (CI installs frr and iproute2). */
export function requireTools(): void {
  const missing: string[] = [];
  for (const d of DAEMONS) if (!existsSync(join(FRR_DIR, d))) missing.push(`${FRR_DIR}/${d} (Debian package frr)`);
  for (const t of ['ip', 'vtysh'])
    if (spawnSync('which', [t]).status !== 0) missing.push(`${t} (Debian packages iproute2, frr)`);
  if (spawnSync('id', ['-u', 'frr']).status !== 0) missing.push('user frr (created by the Debian package frr)');
  if (process.getuid?.() !== 0) missing.push('root privileges (network namespaces)');
  if (missing.length) throw new Error(`the BGP test needs: ${missing.join(', ')}`);
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export const ip = (...args: string[]) => run('ip', args);

/** Polls `probe` until it returns a value (not undefined) or the bound passes; the error names `what` and the last state. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  opts: { timeoutMs: number; intervalMs?: number; state?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${opts.timeoutMs} ms waiting for ${what}${opts.state ? `; last state: ${opts.state()}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}

/** Removes namespaces left by an earlier run of this prefix whose process is gone (a killed test run). */
function removeStale(prefix: string): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${prefix}-(\\d+)-`).exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) spawnSync('ip', ['netns', 'del', name]);
  }
}

export class FrrInstance {
  readonly dir: string;
  private procs: ChildProcess[] = [];
  constructor(
    readonly ns: string,
    base: string,
    readonly name: string,
  ) {
    this.dir = join(base, name);
  }

  /** Starts zebra, then bfdd and bgpd with the given configurations (FRR per-daemon config files). */
  async start(configs: { bgpd: string; bfdd?: string; zebra?: string }, uid: number, gid: number): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    chownSync(this.dir, uid, gid);
    for (const d of DAEMONS) {
      const file = join(this.dir, `${d}.conf`);
      writeFileSync(file, configs[d] ?? '', { mode: 0o600 });
      chownSync(file, uid, gid);
    }
    for (const d of DAEMONS) {
      const log = openSync(join(this.dir, `${d}.out`), 'a');
      const args = [
        'netns',
        'exec',
        this.ns,
        join(FRR_DIR, d),
        '-u',
        'frr',
        '-g',
        'frr',
        '-f',
        join(this.dir, `${d}.conf`),
        '-i',
        join(this.dir, `${d}.pid`),
        '-z',
        join(this.dir, 'zserv.api'),
        '--vty_socket',
        this.dir,
        '-A',
        '127.0.0.1',
        '-P',
        '0',
        '--log',
        `file:${join(this.dir, `${d}.log`)}`,
        ...(d === 'bfdd' ? ['--bfdctl', join(this.dir, 'bfdd.sock')] : []),
      ];
      const p = spawn('ip', args, { stdio: ['ignore', log, log] });
      closeSync(log);
      this.procs.push(p);
      // bfdd and bgpd talk to zebra: start them once its socket exists.
      if (d === 'zebra')
        await waitFor(`zebra in ${this.ns}`, () => (existsSync(join(this.dir, 'zserv.api')) ? true : undefined), {
          timeoutMs: 10_000,
          intervalMs: 100,
          state: () => this.logs(),
        });
    }
    await waitFor(
      `bgpd vty in ${this.ns}`,
      () => (existsSync(join(this.dir, 'bgpd.vty')) && existsSync(join(this.dir, 'bfdd.vty')) ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100, state: () => this.logs() },
    );
    const dead = this.procs.find((p) => p.exitCode !== null);
    if (dead) throw new Error(`an FRR daemon in ${this.ns} exited: ${this.logs()}`);
  }

  vtysh(...commands: string[]): string {
    return execFileSync('vtysh', ['--vty_socket', this.dir, ...commands.flatMap((c) => ['-c', c])], {
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  json<T = Record<string, unknown>>(command: string): T {
    return JSON.parse(this.vtysh(command)) as T;
  }

  /** The daemons' own output and logs, for failure messages. */
  logs(): string {
    return DAEMONS.flatMap((d) =>
      [`${d}.out`, `${d}.log`]
        .map((f) => join(this.dir, f))
        .filter(existsSync)
        .map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`),
    ).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => {
              p.kill('SIGKILL');
            }, 3000);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
    this.procs = [];
  }
}

/** Namespaces named <prefix>-<pid>-<role>, a temp dir, and the FRR instances in them. */
export class Lab {
  readonly tag: string;
  readonly base: string;
  private namespaces: string[] = [];
  private instances: FrrInstance[] = [];
  readonly frrUid: number;
  readonly frrGid: number;

  constructor(readonly prefix: string) {
    removeStale(prefix);
    this.tag = `${prefix}-${process.pid}`;
    this.base = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.frrUid = Number(run('id', ['-u', 'frr']).trim());
    this.frrGid = Number(run('id', ['-g', 'frr']).trim());
    chownSync(this.base, this.frrUid, this.frrGid);
  }

  namespace(role: string): string {
    const ns = `${this.tag}-${role}`;
    ip('netns', 'add', ns);
    this.namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    return ns;
  }

  frr(ns: string, name: string): FrrInstance {
    const f = new FrrInstance(ns, this.base, name);
    this.instances.push(f);
    return f;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.instances.map((f) => f.stop()));
    for (const ns of this.namespaces) spawnSync('ip', ['netns', 'del', ns]);
    this.namespaces = [];
    rmSync(this.base, { recursive: true, force: true });
  }
}
