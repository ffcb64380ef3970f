// The README's journey ("The journey: from an empty folder to a synced platform"), run command by command
// as written, in a fresh site repository, against the fake rack (test/cluster/fakerack.ts: three real sshd
// servers in network namespaces, built from the README's own `labctl init --nodes/--disk` flags).
//
// What the test changes in the commands, and nothing else (the substitution table):
//   `10.20.0.0/24` and each `--nodes` address  -> the fake rack's subnet and the matching server's address
//   `https://git.lab.example.edu/platform/cs-lab-site.git` -> a local bare repository (the campus Git server)
// The environment the commands run in:
//   `labctl` on PATH comes from `npm link` run in this checkout, as the README says (into a temporary npm
//   prefix, NPM_CONFIG_PREFIX, instead of the machine's global one); helm and kubectl from .tools/bin;
//   HOME is a fresh folder whose ~/.ssh/id_ed25519 is the key the fake servers accept (the inventory's
//   default key); git's author comes from GIT_AUTHOR_* / GIT_COMMITTER_*; no LABCTL_* variable is set;
//   a value `secrets set` would read at the terminal is given on standard input; `cd DIR` moves the test's
//   working directory.
// Where it stops on this machine, and why (also in the README): preflight's `cpu` check fails when this
// machine has fewer CPUs than the roles need (the fake servers share its CPUs), and that must be its only
// failure; `labctl plan` / `labctl up` and the hand-over are not run: no kubeadm package is reachable from
// the fake rack and no kubelet can run in it (test/cluster/up.test.ts drives `up` up to the kubeadm packages).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, chmodSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers.ts';
import { FakeRack } from '../cluster/fakerack.ts';
import { journeyBlocks, readmeJourney, type JourneyBlock } from './readme.ts';

/** The journey's blocks, in the README's order. */
const EXPECTED = ['init', 'validate', 'secrets', 'render', 'preflight', 'up', 'handover'];
/** The last block this machine runs (see the header). */
const LAST_RUN = 'preflight';
const README_GIT_URL = 'https://git.lab.example.edu/platform/cs-lab-site.git';
const TYPED_TOKEN = 'journey-deploy-token-7c1e0b9a55d34f2e';
const RACK = 23;

interface Ran {
  cmd: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

const tmp = mkdtempSync(join(tmpdir(), 'labctl-journey-'));
const home = join(tmp, 'home');
const npmPrefix = join(tmp, 'npm-global');
const bin = join(npmPrefix, 'bin');
const remote = join(tmp, 'git', 'cs-lab-site.git');
let cwd = join(tmp, 'work');
let rack: FakeRack | undefined;
let blocks: JourneyBlock[];
let subs: [string, string][] = [];
const ran = new Map<string, Ran[]>();

const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('LABCTL_') && k !== 'KUBECONFIG' && k !== 'SSH_AUTH_SOCK' && k !== 'XDG_STATE_HOME') e[k] = v;
  return {
    ...e,
    HOME: home,
    PATH: `${bin}:${join(ROOT, '.tools/bin')}:${process.env.PATH}`,
    GIT_AUTHOR_NAME: 'Campus IT',
    GIT_AUTHOR_EMAIL: 'it@lab.example.edu',
    GIT_COMMITTER_NAME: 'Campus IT',
    GIT_COMMITTER_EMAIL: 'it@lab.example.edu',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
  };
};

const substitute = (s: string) => subs.reduce((acc, [from, to]) => acc.replaceAll(from, to), s);

/** One command through real bash, asynchronously (the fake rack's package proxy lives in this process). */
function sh(cmd: string, input?: string, timeoutMs = 600_000): Promise<Ran> {
  return new Promise((done) => {
    const p = spawn('bash', ['-euo', 'pipefail', '-c', cmd], {
      cwd,
      env: env(),
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout!.on('data', (b) => {
      stdout += b;
    });
    p.stderr!.on('data', (b) => {
      stderr += b;
    });
    if (input !== undefined) p.stdin!.end(input);
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      done({ cmd, code, stdout, stderr });
    });
  });
}

/** Runs a README block command by command, exactly as written after the substitutions. */
async function runBlock(id: string): Promise<Ran[]> {
  const b = blocks.find((x) => x.id === id)!;
  const out: Ran[] = [];
  for (const raw of b.commands) {
    const cmd = substitute(raw.trim());
    const cd = /^cd (\S+)$/.exec(cmd);
    if (cd) {
      cwd = resolve(cwd, cd[1]!);
      out.push({ cmd, code: existsSync(cwd) ? 0 : 1, stdout: '', stderr: '' });
      continue;
    }
    const r = await sh(cmd, /^labctl secrets set /.test(cmd) ? `${TYPED_TOKEN}\n` : undefined);
    out.push(r);
    if (r.code !== 0) break;
  }
  ran.set(id, out);
  return out;
}

const expectAllOk = (rs: Ran[]) => {
  for (const r of rs) expect(r.code, `${r.cmd}\n${r.stdout}${r.stderr}`).toBe(0);
};
const initCommand = () => blocks.find((b) => b.id === 'init')!.commands.find((c) => c.startsWith('labctl init '))!;
const flagValues = (cmd: string, flag: string) =>
  [...cmd.matchAll(new RegExp(`--${flag} (\\S+)`, 'g'))].map((m) => m[1]!);
const stateDir = () => join(home, '.local/state/labctl/cs-lab');

beforeAll(async () => {
  blocks = readmeJourney();
  mkdirSync(join(home, '.ssh'), { recursive: true });
  mkdirSync(cwd);
  // The README: "run `npm link` once after `npm ci`" puts labctl on the PATH.
  const link = await new Promise<Ran>((done) => {
    const p = spawn('npm', ['link', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      env: { ...process.env, NPM_CONFIG_PREFIX: npmPrefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (b) => {
      out += b;
    });
    p.stderr!.on('data', (b) => {
      out += b;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.on('close', (code) => {
      clearTimeout(t);
      done({ cmd: 'npm link', code, stdout: out, stderr: '' });
    });
  });
  if (link.code !== 0 || !existsSync(join(bin, 'labctl'))) throw new Error(`npm link failed: ${link.stdout}`);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  // The rack the README describes: its servers, each with the Ceph disk --disk names (all three are storage
  // and VM hosts in a three-node init site: rbd module and /dev/kvm).
  const init = initCommand();
  const nodes = flagValues(init, 'nodes')[0]!
    .split(',')
    .map((s) => /^([^=]+)=([^@]+)/.exec(s)!)
    .map((m) => ({ name: m[1]!, address: m[2]! }));
  const disks = new Map(
    flagValues(init, 'disk').map((d) => [d.split('=')[0]!, d.split('=')[1]!.replace('/dev/disk/by-id/', '')]),
  );
  rack = await FakeRack.create(
    RACK,
    nodes.map((n) => ({
      name: n.name,
      kvm: true,
      rbd: true,
      disks: disks.has(n.name) ? [{ id: disks.get(n.name)! }] : [],
    })),
  );
  copyFileSync(rack.keyFile, join(home, '.ssh/id_ed25519'));
  chmodSync(join(home, '.ssh/id_ed25519'), 0o600);
  subs = [
    [flagValues(init, 'subnet')[0]!, rack.subnet],
    ...nodes.map((n) => [n.address, rack!.address(n.name)] as [string, string]),
    [README_GIT_URL, remote],
  ];
}, 600_000);

afterAll(async () => {
  await rack?.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the README journey, as written, on the fake rack (stops at preflight: this machine has no kubeadm cluster to bootstrap)', () => {
  it("the README marks the journey's blocks, in order, none missing", () => {
    expect(blocks.map((b) => b.id)).toEqual(EXPECTED);
    expect(blocks.find((b) => b.id === 'validate')!.output).toBeDefined();
    expect(() => journeyBlocks('<!-- journey:init -->\nno block here\n')).toThrow('is not followed by its code block');
    expect(initCommand()).toMatch(/^labctl init inventory\.yaml --yes .*--disk /);
  });

  it('1. makes the site repository and writes the inventory with labctl init', async () => {
    expectAllOk(await runBlock('init'));
    expect(cwd).toBe(join(tmp, 'work', 'cs-lab-site'));
    const inv = parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8'));
    expect(inv.nodes.map((n: { address: string }) => n.address)).toEqual(
      ['node1', 'node2', 'node3'].map((n) => rack!.address(n)),
    );
    expect(inv.tls.mode).toBe('internal-ca');
  });

  it('2. validate prints exactly what the README shows', async () => {
    const rs = await runBlock('validate');
    expectAllOk(rs);
    // What the terminal shows: the warnings (standard error) come before the summary (standard output).
    expect(rs.at(-1)!.stderr + rs.at(-1)!.stdout).toBe(substitute(blocks.find((b) => b.id === 'validate')!.output!));
  });

  it('3. secrets: site key outside the repository, the site CA and every generatable entry made, the deploy token stored', async () => {
    expectAllOk(await runBlock('secrets'));
    expect(existsSync(join(home, '.config/labctl/site.agekey'))).toBe(true);
    for (const e of ['tls/internal-ca-crt', 'tls/internal-ca-key', 'argocd/site-repo-password'])
      expect(existsSync(join(cwd, 'secrets/entries', `${e}.age`)), e).toBe(true);
    // What the README says `secrets list` shows next (it exits 1 while entries are missing, as it says).
    const list = await sh('labctl secrets list -r .');
    expect(list.code).toBe(1);
    expect(
      list.stdout
        .split('\n')
        .filter((l) => l.startsWith('MISSING'))
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['harbor/labs-pull-token', 'harbor/labs-pull-username']);
  });

  it("4. render next to the inventory, the site CI's checks pass, commit and push: the pushed tree has the decided layout and no key, state or plaintext", async () => {
    expectAllOk(await runBlock('render'));
    for (const p of [
      'inventory.yaml',
      'apps',
      'components',
      'runbooks',
      'README.md',
      '.gitlab-ci.yml',
      'secrets/recipients.txt',
    ])
      expect(existsSync(join(cwd, p)), p).toBe(true);
    expect(existsSync(join(cwd, 'site'))).toBe(false);
    const pushed = execFileSync('git', ['--git-dir', remote, 'ls-tree', '-r', '--name-only', 'main'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(pushed).toContain('inventory.yaml');
    expect(pushed).toContain('secrets/entries/tls/internal-ca-key.age');
    expect(pushed.filter((f) => /\.agekey$|journal\.json$|admin\.conf$|known_hosts$|\.log$/.test(f))).toEqual([]);
    expect(pushed.filter((f) => f.startsWith('.labctl/'))).toEqual(['.labctl/rendered.json']);
    const grep = await sh(`git --git-dir ${remote} grep -l -e ${TYPED_TOKEN} -e "PRIVATE KEY" main || true`);
    expect(grep.stdout).toBe('');
    // The rendered CI, run as its job would run it (image aside): the inventory where it looks, every step passes.
    const ci = parse(readFileSync(join(cwd, '.gitlab-ci.yml'), 'utf8')).labs;
    expect(existsSync(join(cwd, ci.variables.LABCTL_INVENTORY))).toBe(true);
    // ... in the image the README's Install section pushes ($HARBOR/platform/labctl:<version>).
    const push = /skopeo copy oci:labctl-(\S+)-oci:\S+ "docker:\/\/\$HARBOR\/([a-z]+)\/labctl:/.exec(
      readFileSync(join(ROOT, 'README.md'), 'utf8'),
    )!;
    expect(ci.image.name).toBe(
      `harbor.lab.example.edu/${push[2]}/labctl:${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`,
    );
    for (const step of ci.script as string[]) {
      const r = await sh(`LABCTL_INVENTORY=${ci.variables.LABCTL_INVENTORY}; ${step}`);
      expect(r.code, `${step}\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it(`5. preflight reaches all three real sshd servers; its only failures are this machine's ${availableParallelism()} CPU(s) against the roles' needs`, async () => {
    const [r] = await runBlock('preflight');
    const fails = r!.stdout.split('\n').filter((l) => /: FAIL: /.test(l));
    for (const f of fails) {
      const m = /^(node\d): cpu: FAIL: (\d+) CPU\(s\), roles \S+ need at least (\d+) /.exec(f);
      expect(m, f).not.toBeNull();
      expect(Number(m![2])).toBe(availableParallelism());
      expect(Number(m![3])).toBeGreaterThan(Number(m![2]));
    }
    if (fails.length) {
      expect(r!.code).toBe(1);
      expect(r!.stderr).toContain(`preflight failed on ${fails.length} of 3 node(s)`);
    } else {
      expect(r!.code, r!.stdout + r!.stderr).toBe(0);
    }
    for (const n of ['node1', 'node2', 'node3']) expect(r!.stdout).toMatch(new RegExp(`^${n}\\s+ok\\s+ok\\s`, 'm')); // ssh, root
    // Host keys pinned in the state directory, nothing written into the work tree.
    const pins = readFileSync(join(stateDir(), 'known_hosts'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(pins.map((l) => l.split(' ')[0]).sort()).toEqual(
      ['node1', 'node2', 'node3'].map((n) => rack!.address(n)).sort(),
    );
    expect(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd, encoding: 'utf8' })).toBe('');
  });

  it(`the blocks after ${LAST_RUN} (plan, up, the hand-over) are NOT run here: no kubeadm package reaches the fake rack and no kubelet runs in it`, () => {
    const after = blocks.slice(blocks.findIndex((b) => b.id === LAST_RUN) + 1);
    expect(after.map((b) => b.id)).toEqual(['up', 'handover']);
    expect([...ran.keys()]).toEqual(EXPECTED.slice(0, EXPECTED.indexOf(LAST_RUN) + 1));
    // They use only commands and flags labctl has (checked offline with --help).
    for (const b of after)
      for (const c of b.commands.filter((x) => x.startsWith('labctl '))) {
        const words = c
          .split(/\s+/)
          .slice(1)
          .filter((w) => !w.startsWith('-') && !w.includes('/') && w !== '.');
        expect(
          execFileSync(join(bin, 'labctl'), [...words.slice(0, 2), '--help'], { env: env(), encoding: 'utf8' }),
          c,
        ).toContain('Usage: labctl');
      }
  });
});
