// SSH fan-out benchmark (issue 9): labctl preflight against Ansible's fact gathering and a plain `ssh` per
// host, over 8, 16 and 32 real sshd hosts of a fake rack (test/cluster/fakerack.ts: namespaces lbn-*,
// addresses 198.18.128.0/24). Run as root: node --import tsx bench/ssh-fanout.ts [--runs N] [sizes...]
//
// Every contender does its work once per round, in an order that rotates each round, so a noisy neighbour
// (CI, another benchmark) slows all of them alike; the table shows medians and the ratios. Contenders:
// - labctl preflight, in-process (runPreflight: connect, one facts round trip, the checks) and as the CLI
//   (`labctl preflight`: adds Node + tsx start-up, about a second);
// - `ansible all -m setup -f <hosts>` when ansible is installed, with its default SSH settings
//   (ControlMaster/ControlPersist, no pipelining) but a fresh control-socket dir per run, so no run
//   reuses an earlier run's connections;
// - OpenSSH `ssh host true` per host in parallel, with curve25519 key exchange and with the client's
//   default (sntrup761x25519 on OpenSSH 9), the floor; and `ssh host bash -s < facts.sh`, the same
//   remote work as preflight.
// Hosts get python3 (for Ansible) from a second debootstrap'd base, built once and cached like the first.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, FakeRack, INCLUDE, MIRROR, SUITE } from '../test/cluster/fakerack.ts';
import { rackInventory, writeInventory } from '../test/cluster/inventory.ts';
import { requireSite } from '../installer/inventory/validate.ts';
import { runPreflight } from '../installer/cluster/run-preflight.ts';
import { factsScript } from '../installer/cluster/facts.ts';

export interface FanoutOptions {
  /** Host counts; the rack is built once with the largest. Default 8, 16, 32. */
  sizes?: number[];
  /** Timed rounds per size (after one untimed warm-up round). Default 5. */
  runs?: number;
  /** Include Ansible when installed. Default true. */
  ansible?: boolean;
  /** Include the labctl CLI row. Default true. */
  cli?: boolean;
  log?: (line: string) => void;
}

export interface Row {
  hosts: number;
  tool: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /** Every run reached every host. */
  ok: boolean;
}

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const NET = { prefix: 'lbn', octet: 128 } as const; // 198.18.128.0/24, inside this benchmark's 198.18.128.0/18
const CHILD_TIMEOUT_MS = 180_000;
const PY_INCLUDE = [...INCLUDE, 'python3'];
const PY_KEY = createHash('sha256')
  .update(['v1', SUITE, 'minbase', MIRROR, ...PY_INCLUDE].join('|'))
  .digest('hex')
  .slice(0, 12);
const PY_DIR = join(CACHE, `bench-python-${PY_KEY}`);

/** The fake-rack base plus python3 (Ansible's modules need it), debootstrap'd once per machine. */
export function ensurePythonBase(): string {
  const root = join(PY_DIR, 'root');
  if (existsSync(join(root, 'usr/bin/python3'))) return root;
  mkdirSync(CACHE, { recursive: true });
  const script = `set -e
if [ ! -x "${root}/usr/bin/python3" ]; then
  rm -rf "${PY_DIR}.tmp" && mkdir -p "${PY_DIR}.tmp"
  timeout 1200 debootstrap --variant=minbase --include=${PY_INCLUDE.join(',')} ${SUITE} "${PY_DIR}.tmp/root" ${MIRROR} > "${PY_DIR}.tmp/debootstrap.log" 2>&1
  rm -f "${PY_DIR}.tmp/root/var/cache/apt/archives/"*.deb
  mkdir -p "${PY_DIR}" && rm -rf "${root}" && mv "${PY_DIR}.tmp/root" "${root}" && rm -rf "${PY_DIR}.tmp"
fi`;
  execFileSync('flock', [`${PY_DIR}.lock`, 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  return root;
}

const children = new Set<ChildProcess>();

/** Runs a program to its end (bounded); resolves with its exit code and output, never rejects. */
function run(
  cmd: string,
  args: string[],
  o: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: o.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(p);
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b) => {
      stdout += b;
    });
    p.stderr.on('data', (b) => {
      stderr += b;
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(o.input ?? '');
    const t = setTimeout(() => p.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    p.on('error', (e) => {
      stderr += String(e);
    });
    p.on('close', (code) => {
      clearTimeout(t);
      children.delete(p);
      res({ code, stdout, stderr });
    });
  });
}

const hasCommand = (c: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

type Contender = { tool: string; run: (n: number) => Promise<boolean> };

export async function sshFanout(opts: FanoutOptions = {}): Promise<Row[]> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const sizes = [...new Set(opts.sizes ?? [8, 16, 32])].filter((n) => n > 0).sort((a, b) => a - b);
  const runs = Math.max(1, Math.min(opts.runs ?? 5, 50));
  const max = sizes.at(-1);
  if (!max) return [];
  if (max < 2) throw new Error('ssh-fanout: at least 2 hosts (a control plane and a storage node)');
  if (max > 200) throw new Error('ssh-fanout: at most 200 hosts');
  if (process.getuid?.() !== 0) throw new Error('ssh-fanout: run as root (it creates network namespaces)');
  const ansible = (opts.ansible ?? true) && hasCommand('ansible');
  if ((opts.ansible ?? true) && !ansible)
    log('ansible is not installed: its rows are left out (apt-get install -y ansible)');
  const baseRoot = ansible ? ensurePythonBase() : undefined;

  const names = Array.from({ length: max }, (_, i) => (i === 0 ? 'cp1' : `w${i}`));
  const dir = mkdtempSync(join(tmpdir(), 'lbn-fanout-'));
  let rack: FakeRack | undefined;
  const onSignal = () => {
    void cleanup().then(() => process.exit(130));
  };
  const cleanup = async () => {
    for (const c of children) c.kill('SIGKILL');
    await rack?.destroy();
    rack = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const t0 = Date.now();
    // w1 (in every size) is also the storage node an inventory needs, with one empty Ceph disk.
    const OSD = 'nvme-BENCH_OSD';
    rack = await FakeRack.create(
      1,
      names.map((name) => (name === 'w1' ? { name, rbd: true, disks: [{ id: OSD }] } : { name })),
      { ...NET, ...(baseRoot ? { baseRoot } : {}) },
    );
    const r = rack;
    log(`fake rack of ${max} hosts up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const invFile = writeInventory(
      dir,
      rackInventory(
        r,
        names.map((name, i) => ({
          name,
          roles: [i === 0 ? 'control-plane' : 'worker', ...(name === 'w1' ? ['storage'] : [])],
          ...(name === 'w1' ? { disks: [`/dev/disk/by-id/${OSD}`] } : {}),
        })),
      ),
    );
    const v = requireSite(invFile);
    if (!('site' in v)) throw new Error(`generated inventory is invalid: ${JSON.stringify(v.errors)}`);
    const site = v.site;
    const addrs = names.map((n) => r.address(n));
    const sshBase = [
      '-i',
      r.keyFile,
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'ConnectTimeout=20',
    ];
    const facts = factsScript();
    const parallelSsh = async (n: number, extra: string[], cmd: string[], input?: string) => {
      const res = await Promise.all(
        addrs.slice(0, n).map((a) => run('ssh', [...sshBase, ...extra, `root@${a}`, ...cmd], { input })),
      );
      return res.every((x) => x.code === 0);
    };
    const contenders: Contender[] = [
      {
        tool: 'labctl preflight (in-process)',
        run: async (n) =>
          (await runPreflight(site, { privateKey: r.privateKey }, names.slice(0, n))).hosts.every((h) => h.reachable),
      },
      ...((opts.cli ?? true)
        ? [
            {
              tool: 'labctl preflight (CLI)',
              run: async (n: number) => {
                const x = await run(process.execPath, [
                  join(ROOT, 'bin/labctl.js'),
                  'preflight',
                  '--inventory',
                  invFile,
                  '--nodes',
                  names.slice(0, n).join(','),
                  '--output',
                  'json',
                ]);
                return (x.code === 0 || x.code === 1) && !/cannot reach sshd|SSH login refused/.test(x.stdout);
              },
            },
          ]
        : []),
      {
        tool: 'ssh true (curve25519)',
        run: (n) => parallelSsh(n, ['-o', 'KexAlgorithms=curve25519-sha256'], ['true']),
      },
      { tool: 'ssh true (default kex)', run: (n) => parallelSsh(n, [], ['true']) },
      {
        tool: 'ssh facts.sh (curve25519)',
        run: (n) => parallelSsh(n, ['-o', 'KexAlgorithms=curve25519-sha256'], ['bash', '-s'], facts),
      },
    ];
    if (ansible) {
      const inv = join(dir, 'hosts.ini');
      writeFileSync(
        inv,
        `[rack]\n${addrs.map((a) => `${a}\n`).join('')}\n[rack:vars]\nansible_user=root\nansible_ssh_private_key_file=${r.keyFile}\nansible_python_interpreter=/usr/bin/python3\n`,
      );
      const cfg = join(dir, 'ansible.cfg');
      writeFileSync(cfg, '[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n');
      let k = 0;
      contenders.push({
        tool: 'ansible -m setup',
        run: async (n) => {
          const cp = join(dir, `cp${k++}`);
          mkdirSync(cp);
          const env = {
            ...process.env,
            ANSIBLE_CONFIG: cfg,
            ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
            ANSIBLE_LOCAL_TEMP: join(dir, 'atmp'),
            ANSIBLE_NOCOLOR: '1',
          };
          try {
            const x = await run(
              'ansible',
              ['all', '-i', inv, '-m', 'setup', '-f', String(n), '-l', addrs.slice(0, n).join(',')],
              { env },
            );
            const okHosts = (x.stdout.match(/ \| SUCCESS/g) ?? []).length;
            if (x.code !== 0 || okHosts !== n)
              log(`ansible: exit ${x.code}, ${okHosts}/${n} hosts: ${x.stderr.slice(0, 300)}`);
            return x.code === 0 && okHosts === n;
          } finally {
            // The ControlPersist masters outlive the run by 60 s: end them (untimed) so they neither reuse
            // connections in the next run nor linger after the benchmark.
            await Promise.all(
              readdirSync(cp).map((s) => run('ssh', ['-o', `ControlPath=${join(cp, s)}`, '-O', 'exit', 'x'])),
            );
          }
        },
      });
    }

    const rows: Row[] = [];
    for (const n of sizes) {
      const times = new Map<string, number[]>(contenders.map((c) => [c.tool, []]));
      const ok = new Map<string, boolean>(contenders.map((c) => [c.tool, true]));
      for (let round = 0; round <= runs; round++) {
        for (let j = 0; j < contenders.length; j++) {
          const c = contenders[(round + j) % contenders.length]!;
          const s = performance.now();
          const good = await c.run(n);
          const ms = performance.now() - s;
          if (round === 0) continue; // warm-up: page cache, tsx compile cache, sshd binaries
          times.get(c.tool)!.push(ms);
          if (!good) ok.set(c.tool, false);
        }
      }
      for (const c of contenders) {
        const t = [...times.get(c.tool)!].sort((a, b) => a - b);
        rows.push({
          hosts: n,
          tool: c.tool,
          medianMs: median(t),
          minMs: t[0]!,
          maxMs: t.at(-1)!,
          runs: t.length,
          ok: ok.get(c.tool)!,
        });
      }
      log(`ssh-fanout: ${n} hosts measured (${runs} rounds)`);
    }
    return rows;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

const s = (ms: number) => (ms / 1000).toFixed(2);

/** The table: one line per size and tool, then per size the ratios the issue sets targets for. */
export function formatFanout(rows: Row[]): string {
  const out = [
    `${'hosts'.padStart(5)}  ${'tool'.padEnd(30)} ${'median s'.padStart(9)} ${'min s'.padStart(7)} ${'max s'.padStart(7)}  runs  all hosts ok`,
  ];
  for (const r of rows)
    out.push(
      `${String(r.hosts).padStart(5)}  ${r.tool.padEnd(30)} ${s(r.medianMs).padStart(9)} ${s(r.minMs).padStart(7)} ${s(r.maxMs).padStart(7)}  ${String(r.runs).padStart(4)}  ${r.ok ? 'yes' : 'NO'}`,
    );
  for (const n of [...new Set(rows.map((r) => r.hosts))]) {
    const get = (tool: string) => rows.find((r) => r.hosts === n && r.tool === tool)?.medianMs;
    const lab = get('labctl preflight (in-process)');
    if (!lab) continue;
    const parts: string[] = [];
    const ans = get('ansible -m setup');
    if (ans) parts.push(`ansible/labctl ${(ans / lab).toFixed(1)}x (target >= 10x)`);
    const floor = get('ssh true (curve25519)');
    if (floor) parts.push(`labctl/ssh-floor(curve25519) ${(lab / floor).toFixed(2)}x (target <= 1.5x)`);
    const dflt = get('ssh true (default kex)');
    if (dflt) parts.push(`labctl/ssh(default kex) ${(lab / dflt).toFixed(2)}x`);
    const same = get('ssh facts.sh (curve25519)');
    if (same) parts.push(`labctl/ssh-with-facts ${(lab / same).toFixed(2)}x`);
    const cli = get('labctl preflight (CLI)');
    if (cli && ans) parts.push(`ansible/labctl-CLI ${(ans / cli).toFixed(1)}x (target >= 10x)`);
    if (cli && floor) parts.push(`labctl-CLI/ssh-floor(curve25519) ${(cli / floor).toFixed(2)}x (target <= 1.5x)`);
    out.push(`${String(n).padStart(5)}  ratios: ${parts.join('; ')}`);
  }
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const ri = args.indexOf('--runs');
  const runs = ri >= 0 ? Number(args[ri + 1]) : undefined;
  const sizes = args.filter((a, i) => /^\d+$/.test(a) && !(ri >= 0 && i === ri + 1)).map(Number);
  if (args.includes('--prepare')) {
    ensurePythonBase();
  } else {
    const rows = await sshFanout({
      sizes: sizes.length ? sizes : undefined,
      runs,
      ansible: !args.includes('--no-ansible'),
      cli: !args.includes('--no-cli'),
    });
    console.log(formatFanout(rows));
  }
}
