// A fake rack of real SSH hosts for the cluster tests.
//
// Every host is a real Debian bookworm userland (debootstrap, built once and cached under
// /var/cache/labctl-fakerack/) seen through an overlayfs of its own, in its own network namespace
// (lrk<k>-<name>, address 198.18.<64+k>.<10+i>/24 on a bridge lrk<k>br in the root namespace), its own
// mount, UTS (hostname) and PID namespaces, chrooted, running a real OpenSSH sshd that accepts the test's
// ed25519 key. So a step that writes a file or installs a package changes only that host.
//
// What is NOT real, said plainly:
// - The kernel is the test machine's: CPU count, memory, kernel version and CPU flags are the machine's.
// - There is no systemd: PID 1 of each host is a small bash loop (the preflight `systemd` check warns).
// - Swap: a host "with swap" gets a file bind-mounted over its /proc/swaps listing a swap partition;
//   the kernel is not swapping. Facts read /proc/swaps exactly as on a real server.
// - /dev/kvm: a host "with KVM" gets the real /dev/kvm device node (mknod 10:232); others have none.
// - Disks are loop devices over sparse files, exposed as /dev/disk/by-id/<id> symlinks to /dev/loopN.
// - rbd: the test machine's kernel lacks the rbd module; a storage host gets a module index
//   (/lib/modules/<kernel>/modules.dep) listing rbd.ko, which is what the facts script reads.
// - Package downloads go through a caching HTTP proxy the test runs at 198.18.<64+k>.1:3142 (the inventory's
//   network.aptProxy, as a campus apt-cacher-ng would be); it forwards only to deb.debian.org and also
//   serves a small signed apt repository that, like every source here, has no kubeadm, and release files
//   a test puts under /artifacts/ (the internet's release downloads cannot be reached).
// - apt fetches no translated package descriptions (/etc/apt/apt.conf.d/99labctl-fakerack-languages:
//   Acquire::Languages "none"). The debootstrap'd base has the package lists but not the 6 MB
//   Translation-en index a freshly installed server has, so each host's first `apt-get update` fetched and
//   parsed it (seconds of CPU per host); no step reads package descriptions.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import {
  openSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  chmodSync,
  renameSync,
  createReadStream,
  createWriteStream,
  statSync,
} from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CACHE = '/var/cache/labctl-fakerack';
export const MIRROR = 'http://deb.debian.org/debian';
export const SUITE = 'bookworm';
export const INCLUDE = ['openssh-server', 'iproute2', 'kmod', 'procps'];
const BASE_KEY = createHash('sha256')
  .update(['v1', SUITE, 'minbase', MIRROR, ...INCLUDE].join('|'))
  .digest('hex')
  .slice(0, 12);
export const BASE_ROOT = join(CACHE, `base-${BASE_KEY}`, 'root');

const sh = (cmd: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): string => {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      input: opts.input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  } catch (e) {
    if (opts.allowFail) return '';
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr || err.message}`);
  }
};

/** The debootstrap'd base root, built once per machine (flock: parallel test files wait for one build).
 *  Asynchronous: a first build takes minutes, and a test worker blocked that long fails vitest's RPC. */
export async function ensureBase(): Promise<string> {
  if (existsSync(join(BASE_ROOT, 'usr/sbin/sshd'))) return BASE_ROOT;
  mkdirSync(CACHE, { recursive: true });
  const dir = join(CACHE, `base-${BASE_KEY}`);
  const script = `set -e
if [ ! -x "${dir}/root/usr/sbin/sshd" ]; then
  rm -rf "${dir}.tmp" && mkdir -p "${dir}.tmp"
  debootstrap --variant=minbase --include=${INCLUDE.join(',')} ${SUITE} "${dir}.tmp/root" ${MIRROR} > "${dir}.tmp/debootstrap.log" 2>&1
  rm -f "${dir}.tmp/root/var/cache/apt/archives/"*.deb
  mkdir -p "${dir}" && rm -rf "${dir}/root" && mv "${dir}.tmp/root" "${dir}/root" && rm -rf "${dir}.tmp"
fi`;
  try {
    await promisify(execFile)('flock', [join(CACHE, `base-${BASE_KEY}.lock`), 'sh', '-c', script], {
      timeout: 1_800_000,
    });
  } catch (e) {
    throw new Error(
      `debootstrap of the fake-rack base failed (log: ${dir}.tmp/debootstrap.log): ${(e as { stderr?: string }).stderr || (e as Error).message}`,
    );
  }
  return BASE_ROOT;
}

export interface FakeDisk {
  id: string;
  sizeMiB?: number;
  filesystem?: 'ext4';
}
export interface FakeHostSpec {
  /** Inventory node name. */
  name: string;
  /** The name the host gives itself (UTS namespace). Default: name. */
  hostname?: string;
  kvm?: boolean;
  swap?: boolean;
  disks?: FakeDisk[];
  rbd?: boolean;
  /** Which key sshd accepts: the test's (default) or an unrelated one (the "wrong key" fault). */
  acceptKey?: 'test' | 'other';
}

/** A rack's names and /24: namespaces <prefix>-<host>, bridge <prefix>br, address 198.18.<octet>.0/24;
 *  baseRoot: another debootstrap'd root under the hosts (benchmarks: one with python3 for Ansible). */
export interface RackNet {
  prefix: string;
  octet: number;
  baseRoot?: string;
}

interface HostState {
  spec: FakeHostSpec;
  index: number;
  dir: string;
  ns: string;
  veth: string;
  address: string;
  proc?: ChildProcess;
  pid1?: number;
  loops: string[];
}

export class FakeRack {
  readonly hosts = new Map<string, HostState>();
  readonly keyFile: string;
  readonly privateKey: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly bridge: string;
  readonly proxyPort = 3142;
  readonly repoDir: string;
  private proxy?: Server;
  /** Client addresses whose package requests the proxy holds unanswered (a mirror that stopped answering). */
  private stalled = new Map<string, Set<import('node:http').ServerResponse>>();
  /** Release files the proxy serves at /artifacts/<name> (what a node downloads with curl, e.g. containerd). */
  readonly artifacts = new Map<string, Buffer>();
  /** How many requests the proxy served from its cache vs. fetched. */
  readonly proxyStats = { hits: 0, fetched: 0, local: 0, refused: 0 };

  private constructor(
    readonly k: number,
    readonly dir: string,
    readonly net: RackNet,
  ) {
    this.subnet = `198.18.${net.octet}.0/24`;
    this.gateway = `198.18.${net.octet}.1`;
    this.bridge = `${net.prefix}br`;
    this.keyFile = join(dir, 'id_ed25519');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'labctl-test', '-f', this.keyFile]);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'someone-else', '-f', join(dir, 'other_ed25519')]);
    this.privateKey = readFileSync(this.keyFile, 'utf8');
    this.repoDir = join(dir, 'k8s-repo');
  }

  get aptProxy(): string {
    return `http://${this.gateway}:${this.proxyPort}`;
  }
  /** A signed flat apt repository without any Kubernetes package (like every package source reachable here). */
  get packageRepo(): string {
    return `http://${this.gateway}:${this.proxyPort}/kubernetes/`;
  }

  /** Rack k (1..60) uses 198.18.<64+k>.0/24 and names lrk<k>*; distinct test files use distinct k.
   *  `net` overrides both (benchmarks with their own name prefix and address range). */
  static async create(k: number, specs: FakeHostSpec[], net?: RackNet): Promise<FakeRack> {
    if (k < 1 || k > 60) throw new Error('rack index out of range');
    const n = net ?? { prefix: `lrk${k}`, octet: 64 + k };
    if (!Number.isInteger(n.octet) || n.octet < 0 || n.octet > 255 || specs.length > 240)
      throw new Error('rack network out of range');
    await ensureBase();
    cleanupStale(n.prefix);
    const rack = new FakeRack(k, mkdtempSync(join(tmpdir(), `${n.prefix}-`)), n);
    try {
      sh('ip', ['link', 'add', rack.bridge, 'type', 'bridge']);
      sh('ip', ['addr', 'add', `${rack.gateway}/24`, 'dev', rack.bridge]);
      sh('ip', ['link', 'set', rack.bridge, 'up']);
      rack.makeRepo();
      await rack.startProxy();
      specs.forEach((s, i) => rack.addHost(s, i));
      await Promise.all(specs.map((s) => rack.waitSsh(s.name)));
      return rack;
    } catch (e) {
      await rack.destroy();
      throw e;
    }
  }

  address(name: string): string {
    return this.host(name).address;
  }
  /** An address in the rack's subnet where nothing answers (the "unreachable host" fault). */
  get deadAddress(): string {
    return `198.18.${this.net.octet}.250`;
  }

  private host(name: string): HostState {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no fake host ${name}`);
    return h;
  }

  private addHost(spec: FakeHostSpec, i: number): void {
    const dir = join(this.dir, spec.name);
    const upper = join(dir, 'upper');
    const h: HostState = {
      spec,
      index: i,
      dir,
      ns: `${this.net.prefix}-${spec.name}`,
      veth: `${this.net.prefix}v${i}`,
      address: `198.18.${this.net.octet}.${10 + i}`,
      loops: [],
    };
    this.hosts.set(spec.name, h);
    for (const d of ['work', 'merged', 'upper/root/.ssh', 'upper/etc/labctl-fakerack', 'disks'])
      mkdirSync(join(dir, d), { recursive: true });
    const pub = readFileSync(
      spec.acceptKey === 'other' ? join(this.dir, 'other_ed25519.pub') : `${this.keyFile}.pub`,
      'utf8',
    );
    writeFileSync(join(upper, 'root/.ssh/authorized_keys'), pub, { mode: 0o600 });
    chmodSync(join(upper, 'root/.ssh'), 0o700);
    const hostname = spec.hostname ?? spec.name;
    writeFileSync(join(upper, 'etc/hostname'), `${hostname}\n`);
    writeFileSync(join(upper, 'etc/hosts'), `127.0.0.1 localhost\n${h.address} ${hostname}\n`);
    writeFileSync(join(upper, 'etc/resolv.conf'), '# no DNS in the fake rack: apt goes through the proxy by address\n');
    mkdirSync(join(upper, 'etc/apt/apt.conf.d'), { recursive: true });
    writeFileSync(
      join(upper, 'etc/apt/apt.conf.d/99labctl-fakerack-languages'),
      '// labctl fake rack: no translated descriptions (see test/cluster/fakerack.ts)\nAcquire::Languages "none";\n',
    );
    if (spec.swap)
      writeFileSync(
        join(upper, 'etc/labctl-fakerack/swaps'),
        'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sdb2                               partition\t8388604\t\t0\t\t-2\n',
      );
    if (spec.rbd) {
      const kver = sh('uname', ['-r']).trim();
      mkdirSync(join(upper, 'usr/lib/modules', kver), { recursive: true }); // /lib is a symlink to usr/lib
      writeFileSync(
        join(upper, 'usr/lib/modules', kver, 'modules.dep'),
        'kernel/drivers/block/rbd.ko.xz: kernel/net/ceph/libceph.ko.xz\nkernel/net/ceph/libceph.ko.xz:\n',
      );
    }
    const disks: { id: string; loop: string }[] = [];
    for (const [j, d] of (spec.disks ?? []).entries()) {
      const file = join(dir, 'disks', `disk${j}.img`);
      sh('truncate', ['-s', `${d.sizeMiB ?? 64}M`, file]);
      if (d.filesystem) sh('mkfs.ext4', ['-q', '-F', '-L', 'old-data', file]);
      const loop = sh('losetup', ['--find', '--show', file]).trim();
      h.loops.push(loop);
      disks.push({ id: d.id, loop });
    }
    sh('ip', ['netns', 'add', h.ns]);
    sh('ip', ['link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
    sh('ip', ['link', 'set', h.veth, 'master', this.bridge, 'up']);
    sh('ip', ['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', h.ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', h.ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', h.ns, 'route', 'add', 'default', 'via', this.gateway]);

    const R = join(dir, 'merged');
    const lines = [
      'set -e',
      'mount --make-rprivate /',
      `R=${R}`,
      `mount -t overlay overlay -o lowerdir=${this.net.baseRoot ?? BASE_ROOT},upperdir=${upper},workdir=${join(dir, 'work')} "$R"`,
      'mount -t proc proc "$R/proc"',
      'mount -t sysfs sysfs "$R/sys"',
      'mount -t cgroup2 -o ro cgroup2 "$R/sys/fs/cgroup"',
      'mount -t tmpfs -o mode=755 tmpfs "$R/dev"',
      'for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do IFS=: read -r n a b <<<"$d"; mknod -m 666 "$R/dev/$n" c "$a" "$b"; done',
      'mkdir "$R/dev/pts" "$R/dev/shm" "$R/dev/disk" "$R/dev/disk/by-id"',
      'mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts"',
      'ln -s pts/ptmx "$R/dev/ptmx"; ln -s /proc/self/fd "$R/dev/fd"',
      'ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
      'mount -t tmpfs tmpfs "$R/run"; mkdir -p "$R/run/sshd" "$R/run/lock"',
      ...disks.map((d) => {
        const n = d.loop.replace('/dev/loop', '');
        return `mknod -m 660 "$R/dev/loop${n}" b 7 ${n}; ln -s ../../loop${n} "$R/dev/disk/by-id/${d.id}"`;
      }),
      ...(spec.kvm ? ['mknod -m 660 "$R/dev/kvm" c 10 232'] : []),
      ...(spec.swap ? ['mount --bind "$R/etc/labctl-fakerack/swaps" "$R/proc/swaps"'] : []),
      `hostname ${hostname}`,
      // PID 1: starts sshd and reaps orphans (bash's SIGCHLD handler waits for any child).
      `exec chroot "$R" /bin/bash -c '/usr/sbin/sshd -D -e 2>>/var/log/sshd.log & while :; do sleep 5 & wait $!; done'`,
    ];
    writeFileSync(join(dir, 'init.sh'), lines.join('\n') + '\n');
    const log = join(dir, 'init.log');
    h.proc = spawn(
      'ip',
      [
        'netns',
        'exec',
        h.ns,
        'unshare',
        '--mount',
        '--uts',
        '--pid',
        '--fork',
        '--kill-child',
        'bash',
        join(dir, 'init.sh'),
      ],
      { stdio: ['ignore', 'ignore', openSync(log, 'w')], detached: false },
    );
    h.proc.on('error', () => undefined);
  }

  private async waitSsh(name: string): Promise<void> {
    const h = this.host(name);
    for (let i = 0; i < 100; i++) {
      const pid1 = this.pid1(name);
      if (pid1 && this.pidsIn(name).some((p) => comm(p) === 'sshd')) {
        h.pid1 = pid1;
        return;
      }
      if (h.proc?.exitCode !== null && h.proc?.exitCode !== undefined) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`fake host ${name} did not start: ${readFileSync(join(h.dir, 'init.log'), 'utf8')}`);
  }

  /** The host's PID 1, seen from the root namespace (the child of `unshare`). */
  private pid1(name: string): number | undefined {
    const h = this.host(name);
    if (h.pid1) return h.pid1;
    const ipPid = h.proc?.pid;
    if (!ipPid) return undefined;
    // ip netns exec execs unshare, so the spawned pid is unshare; its child is the namespace's PID 1.
    try {
      const kids = readFileSync(`/proc/${ipPid}/task/${ipPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      const p = kids[0] ? Number(kids[0]) : undefined;
      return p && readlinkSync(`/proc/${p}/ns/pid`) !== readlinkSync('/proc/self/ns/pid') ? p : undefined;
    } catch {
      return undefined;
    }
  }

  /** Root-namespace pids of every process of the host. */
  pidsIn(name: string): number[] {
    const pid1 = this.pid1(name);
    if (!pid1) return [];
    let ns: string;
    try {
      ns = readlinkSync(`/proc/${pid1}/ns/pid`);
    } catch {
      return [];
    }
    const out: number[] = [];
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if (readlinkSync(`/proc/${e}/ns/pid`) === ns) out.push(Number(e));
      } catch {
        /* exited */
      }
    }
    return out;
  }

  /** Kills every sshd process of the host: the listener and all sessions (the "sshd killed" fault). */
  killSshd(name: string): number {
    const pids = this.pidsIn(name).filter((p) => comm(p) === 'sshd');
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    return pids.length;
  }

  /** Starts sshd again inside the host's namespaces. */
  async startSshd(name: string): Promise<void> {
    this.run(name, ['/usr/sbin/sshd', '-E', '/var/log/sshd.log']);
    for (let i = 0; i < 50 && !this.pidsIn(name).some((p) => comm(p) === 'sshd'); i++)
      await new Promise((r) => setTimeout(r, 100));
  }

  /** Runs a command inside the host (all its namespaces and its root), as the test harness, not over SSH. */
  run(name: string, argv: string[], opts: { allowFail?: boolean } = {}): string {
    const pid1 = this.pid1(name);
    if (!pid1) throw new Error(`fake host ${name} is not running`);
    return sh('nsenter', ['-t', String(pid1), '-m', '-u', '-n', '-p', '-r', '-w', ...argv], opts);
  }

  /** A path of the host's filesystem as the test process can read it. */
  path(name: string, p: string): string {
    const pid1 = this.pid1(name);
    if (!pid1) throw new Error(`fake host ${name} is not running`);
    return `/proc/${pid1}/root${p}`;
  }

  readFile(name: string, p: string): string | undefined {
    try {
      return readFileSync(this.path(name, p), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The package mirror stops answering this host (requests hang) until unstall(). */
  stall(name: string): void {
    this.stalled.set(this.address(name), new Set());
  }
  /** Requests of the host the proxy is holding right now. */
  stalledRequests(name: string): number {
    return this.stalled.get(this.address(name))?.size ?? 0;
  }
  unstall(name: string): void {
    const held = this.stalled.get(this.address(name));
    this.stalled.delete(this.address(name));
    for (const res of held ?? []) res.destroy();
  }

  /** Unplugs / replugs the host's cable (its port on the rack bridge). */
  linkDown(name: string): void {
    sh('ip', ['link', 'set', this.host(name).veth, 'down']);
  }
  linkUp(name: string): void {
    sh('ip', ['link', 'set', this.host(name).veth, 'up']);
  }

  /** Changes which key the host's sshd accepts (fault on/off). */
  acceptKey(name: string, which: 'test' | 'other'): void {
    writeFileSync(
      this.path(name, '/root/.ssh/authorized_keys'),
      readFileSync(which === 'other' ? join(this.dir, 'other_ed25519.pub') : `${this.keyFile}.pub`, 'utf8'),
    );
  }

  async destroy(): Promise<void> {
    for (const h of this.hosts.values()) {
      if (h.proc?.pid) {
        try {
          process.kill(h.proc.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      const pid1 = h.pid1;
      if (pid1) {
        try {
          process.kill(pid1, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const h of this.hosts.values()) {
      sh('ip', ['netns', 'del', h.ns], { allowFail: true });
      for (const l of h.loops) sh('losetup', ['-d', l], { allowFail: true });
    }
    sh('ip', ['link', 'del', this.bridge], { allowFail: true });
    for (const name of this.hosts.keys()) if (this.stalled.has(this.host(name).address)) this.unstall(name);
    this.proxy?.closeAllConnections();
    await new Promise<void>((r) => (this.proxy ? this.proxy.close(() => r()) : r()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private makeRepo(): void {
    // A real signed flat repository (like pkgs.k8s.io's layout), holding no packages at all.
    const gnupg = join(this.dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    mkdirSync(this.repoDir);
    const env = ['env', `GNUPGHOME=${gnupg}`];
    sh(env[0]!, [
      ...env.slice(1),
      'gpg',
      '--batch',
      '--quiet',
      '--passphrase',
      '',
      '--quick-gen-key',
      'labctl test repo <test@labctl.invalid>',
      'ed25519',
      'sign',
      '1d',
    ]);
    writeFileSync(join(this.repoDir, 'Packages'), '');
    const sha = createHash('sha256').update('').digest('hex');
    const release = [
      'Origin: labctl-test',
      'Label: labctl-test',
      'Suite: test',
      'Codename: test',
      `Date: ${new Date().toUTCString()}`,
      'Architectures: amd64',
      'SHA256:',
      ` ${sha} 0 Packages`,
      '',
    ].join('\n');
    writeFileSync(join(this.repoDir, 'Release'), release);
    sh(env[0]!, [
      ...env.slice(1),
      'gpg',
      '--batch',
      '--quiet',
      '--yes',
      '--clearsign',
      '-o',
      join(this.repoDir, 'InRelease'),
      join(this.repoDir, 'Release'),
    ]);
    writeFileSync(
      join(this.repoDir, 'Release.key'),
      sh(env[0]!, [...env.slice(1), 'gpg', '--batch', '--armor', '--export']),
    );
  }

  private startProxy(): Promise<void> {
    const cacheDir = join(CACHE, 'http');
    mkdirSync(cacheDir, { recursive: true });
    const server = createServer((req, res) => {
      const held = this.stalled.get(req.socket.remoteAddress ?? '');
      if (held) {
        held.add(res);
        return;
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '', 'http://invalid');
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (url.pathname.startsWith('/artifacts/')) {
        const body = this.artifacts.get(url.pathname.slice('/artifacts/'.length));
        this.proxyStats.local++;
        if (!body) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-length': body.length }).end(body);
        return;
      }
      if (url.hostname === this.gateway && url.pathname.startsWith('/kubernetes/')) {
        const f = join(this.repoDir, url.pathname.slice('/kubernetes/'.length));
        this.proxyStats.local++;
        if (!f.startsWith(this.repoDir) || !existsSync(f) || !statSync(f).isFile()) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-length': statSync(f).size });
        createReadStream(f).pipe(res);
        return;
      }
      if (url.hostname !== 'deb.debian.org' || req.method !== 'GET') {
        this.proxyStats.refused++;
        res.writeHead(403).end('only deb.debian.org\n');
        return;
      }
      // Content-addressed files and .debs never change; index files are kept for 6 hours.
      const stable = /\/by-hash\/|\.deb$|\.udeb$/.test(url.pathname);
      const file = join(cacheDir, createHash('sha256').update(url.href).digest('hex'));
      if (existsSync(file) && (stable || Date.now() - statSync(file).mtimeMs < 6 * 3600_000)) {
        this.proxyStats.hits++;
        res.writeHead(200, { 'content-length': statSync(file).size });
        createReadStream(file).pipe(res);
        return;
      }
      this.proxyStats.fetched++;
      const up = httpRequest(
        url,
        { method: 'GET', headers: { 'user-agent': 'labctl-fakerack-proxy' }, timeout: 60_000 },
        (ur) => {
          const status = ur.statusCode ?? 502;
          const headers: Record<string, string | string[]> = {};
          for (const h of ['content-type', 'content-length', 'last-modified'])
            if (ur.headers[h]) headers[h] = ur.headers[h]!;
          res.writeHead(status, headers);
          if (status !== 200) {
            ur.pipe(res);
            return;
          }
          const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
          const out = createWriteStream(tmp);
          ur.pipe(out);
          ur.pipe(res);
          out.on('finish', () => {
            try {
              renameSync(tmp, file);
            } catch {
              /* another writer won */
            }
          });
          ur.on('error', () => {
            rmSync(tmp, { force: true });
            res.destroy();
          });
        },
      );
      up.on('timeout', () => up.destroy(new Error('upstream timeout')));
      up.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502).end(String(e));
        else res.destroy();
      });
      up.end();
    });
    this.proxy = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.proxyPort, this.gateway, () => resolve());
    });
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Leftovers of a crashed earlier run with the same rack names. */
function cleanupStale(prefix: string): void {
  for (const ns of sh('ip', ['netns', 'list'], { allowFail: true })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')) {
    if (ns.startsWith(`${prefix}-`)) {
      for (const pid of sh('ip', ['netns', 'pids', ns], { allowFail: true }).split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      sh('ip', ['netns', 'del', ns], { allowFail: true });
    }
  }
  sh('ip', ['link', 'del', `${prefix}br`], { allowFail: true });
}
