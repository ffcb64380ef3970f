// Boundary 3, "hosts prove who they are", against real sshd hosts of the fake rack (test/cluster/fakerack.ts)
// through the real CLI: first contact pins each host's key in the state directory; an impostor (a host
// whose key was replaced) is refused with both fingerprints while the other hosts go on; nothing is sent
// to the impostor (its sshd logs no login); `labctl hosts trust` accepts a checked new key. The same
// impostor is accepted by a copy with the verification left out (labctl before this boundary), so the
// test can fail. Run under `flock /tmp/labctl-daemons.lock`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSSH } from 'node-ssh';
import { FakeRack } from '../cluster/fakerack.ts';
import { rackInventory, writeInventory } from '../cluster/inventory.ts';
import { ROOT } from '../helpers.ts';
import { TRUST_EXAMPLE } from '../../installer/cli/commands/hosts-register.ts';
import type { HostReport } from '../../installer/cluster/preflight.ts';

let rack: FakeRack;
let dir: string;
let file: string;
let stateDir: string;
const NODES = ['cp1', 'w1', 'w2'];
// w2 is declared a storage node (the inventory needs one); no disk is ever touched here.
const TEST_NODES = [
  { name: 'cp1', roles: ['control-plane'] },
  { name: 'w1', roles: ['worker'] },
  { name: 'w2', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_HOSTS_1'] },
];
const noAgent = { SSH_AUTH_SOCK: '', LABCTL_SSH_KEY_PASSPHRASE: undefined as unknown as string };

/** The fingerprint `ssh-keygen -lf` prints for the host's ed25519 key, as an admin reads it on the console. */
const consoleFingerprint = (node: string) =>
  execFileSync('ssh-keygen', ['-lf', rack.path(node, '/etc/ssh/ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(
    ' ',
  )[1]!;

/** The real CLI, without blocking this process (a blocking spawn would stall the test runner's heartbeat). */
function labctl(
  args: string[],
  opts: { env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [resolve(ROOT, 'bin/labctl.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b) => {
      stdout += b;
    });
    p.stderr.on('data', (b) => {
      stderr += b;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}

async function preflight(inventory = file, env: Record<string, string> = noAgent) {
  const r = await labctl(
    ['preflight', '-i', inventory, '--state-dir', stateDir, '--output', 'json', '--connect-timeout', '5'],
    { env },
  );
  let j: { hosts: HostReport[] };
  try {
    j = JSON.parse(r.stdout);
  } catch {
    throw new Error(`preflight printed no JSON (exit ${r.code}): ${r.stderr}`);
  }
  return { ...r, host: (n: string) => j.hosts.find((h) => h.node === n)! };
}
const sshReason = (h: HostReport) => h.checks.find((c) => c.id === 'ssh')?.reason ?? '';
const logins = (node: string) =>
  (rack.readFile(node, '/var/log/sshd.log') ?? '').split('\n').filter((l) => l.includes('Accepted publickey')).length;

/** The impostor: the host at w1's address now has another host key (a different machine answering there). */
async function replaceHostKey(node: string): Promise<void> {
  const k = join(dir, `impostor-${node}`);
  rmSync(k, { force: true });
  rmSync(`${k}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]);
  rack.killSshd(node);
  copyFileSync(k, rack.path(node, '/etc/ssh/ssh_host_ed25519_key'));
  chmodSync(rack.path(node, '/etc/ssh/ssh_host_ed25519_key'), 0o600);
  copyFileSync(`${k}.pub`, rack.path(node, '/etc/ssh/ssh_host_ed25519_key.pub'));
  await rack.startSshd(node);
}

beforeAll(async () => {
  rack = await FakeRack.create(
    12,
    NODES.map((name) => ({ name })),
  );
  dir = mkdtempSync(join(tmpdir(), 'labctl-hosts-'));
  stateDir = join(dir, 'state');
  file = writeInventory(dir, rackInventory(rack, TEST_NODES));
});

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('trust on first use, pinned in the state directory', () => {
  let firstPrints: Record<string, string>;

  it("first contact pins every host's key (OpenSSH known_hosts format) and connects", async () => {
    const r = await preflight();
    for (const n of NODES)
      expect({ n, reachable: r.host(n).reachable, reason: sshReason(r.host(n)) }).toEqual({
        n,
        reachable: true,
        reason: '',
      });
    const pins = readFileSync(join(stateDir, 'known_hosts'), 'utf8');
    firstPrints = Object.fromEntries(NODES.map((n) => [n, consoleFingerprint(n)]));
    for (const n of NODES) expect(pins).toContain(`${rack.address(n)} ssh-ed25519 `);
    // OpenSSH reads the same file and agrees on every fingerprint.
    for (const n of NODES) {
      const line = execFileSync('ssh-keygen', ['-F', rack.address(n), '-l', '-f', join(stateDir, 'known_hosts')], {
        encoding: 'utf8',
      });
      expect(line).toContain(firstPrints[n]);
    }
    const list = await labctl(['hosts', 'list', '-i', file, '--state-dir', stateDir, '--output', 'json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).hosts.find((h: { node: string }) => h.node === 'w1').fingerprints).toEqual([
      firstPrints.w1,
    ]);
  });

  it("an impostor at w1's address is refused with both fingerprints; nothing is sent to it; cp1 and w2 go on", async () => {
    await replaceHostKey('w1');
    const impostor = consoleFingerprint('w1');
    expect(impostor).not.toBe(firstPrints.w1);
    const before = logins('w1');
    const r = await preflight();
    expect(r.host('w1').reachable).toBe(false);
    const why = sshReason(r.host('w1'));
    expect(why).toContain('HOST KEY CHANGED');
    expect(why).toContain(firstPrints.w1);
    expect(why).toContain(impostor);
    expect(why).toContain(`labctl hosts trust w1 --fingerprint ${impostor}`);
    expect(why).not.toMatch(/cannot reach/);
    expect(logins('w1')).toBe(before);
    for (const n of ['cp1', 'w2']) expect(r.host(n).reachable).toBe(true);
    // The pin file is unchanged: a refused key is never written.
    expect(readFileSync(join(stateDir, 'known_hosts'), 'utf8')).not.toContain(
      readFileSync(rack.path('w1', '/etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').split(' ')[1],
    );
  });

  it('weakened copy: without host key verification (labctl before this boundary) the impostor gets the login', async () => {
    const before = logins('w1');
    const ssh = new NodeSSH();
    await ssh.connect({ host: rack.address('w1'), username: 'root', privateKey: rack.privateKey, readyTimeout: 5000 });
    expect((await ssh.execCommand('hostname')).stdout).toBe('w1');
    ssh.dispose();
    expect(logins('w1')).toBe(before + 1);
  });

  it('hosts trust refuses a fingerprint the host does not show, and changes nothing', async () => {
    const pins = readFileSync(join(stateDir, 'known_hosts'), 'utf8');
    const r = await labctl(
      ['hosts', 'trust', 'w1', '-i', file, '--state-dir', stateDir, '--fingerprint', firstPrints.w2!],
      { env: noAgent },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`shows ${consoleFingerprint('w1')}`);
    expect(r.stderr).toContain('nothing was changed');
    expect(readFileSync(join(stateDir, 'known_hosts'), 'utf8')).toBe(pins);
    const bad = await labctl([
      'hosts',
      'trust',
      'w1',
      '-i',
      file,
      '--state-dir',
      stateDir,
      '--fingerprint',
      'SHA256:short',
    ]);
    expect(bad.code).toBe(2);
  });

  it("the --help example, run as written (with this rack's node, inventory and fingerprint), accepts the new key", async () => {
    const help = await labctl(['hosts', 'trust', '--help']);
    expect(help.stdout).toContain(TRUST_EXAMPLE);
    const fp = consoleFingerprint('w1');
    const args = TRUST_EXAMPLE.split(' ')
      .slice(1)
      .map((a) => (a === 'cp1' ? 'w1' : a === 'inventory.yaml' ? file : a.startsWith('SHA256:') ? fp : a));
    const r = await labctl([...args, '--state-dir', stateDir], { env: noAgent });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `w1 (${rack.address('w1')}:22) is now trusted with ${fp} (ssh-ed25519); replaced ${firstPrints.w1}`,
    );
    const again = await preflight();
    for (const n of NODES) expect({ n, reachable: again.host(n).reachable }).toEqual({ n, reachable: true });
  });
});

describe('host keys named in the inventory', () => {
  const withSsh = (
    name: string,
    extra: Record<string, Record<string, unknown>>,
    global: Record<string, unknown> = {},
  ) => {
    const inv = rackInventory(rack, TEST_NODES) as Record<string, any>;
    inv.nodes = inv.nodes.map((n: { name: string }) => (extra[n.name] ? { ...n, ssh: extra[n.name] } : n));
    inv.ssh = { ...inv.ssh, ...global };
    return writeInventory(dir, inv, name);
  };

  it('ssh.hostKeys: the right fingerprint connects, another is refused naming both (and hosts trust points to the inventory)', async () => {
    const right = withSsh('fp-right.yaml', { w2: { hostKeys: [consoleFingerprint('w2')] } });
    expect((await preflight(right)).host('w2').reachable).toBe(true);
    const wrong = withSsh('fp-wrong.yaml', { w2: { hostKeys: [consoleFingerprint('w1')] } });
    const r = await preflight(wrong);
    expect(r.host('w2').reachable).toBe(false);
    expect(sshReason(r.host('w2'))).toContain(
      `ssh.hostKeys for w2 is ${consoleFingerprint('w1')}, but the host at ${rack.address('w2')}:22 shows ${consoleFingerprint('w2')}`,
    );
    expect(r.host('cp1').reachable).toBe(true);
    const t = await labctl([
      'hosts',
      'trust',
      'w2',
      '-i',
      wrong,
      '--state-dir',
      stateDir,
      '--fingerprint',
      consoleFingerprint('w2'),
    ]);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain("set by the inventory's ssh.hostKeys");
  });

  it('ssh.knownHostsFile (hashed, as ssh-keygen -H writes it): listed hosts connect, a host it lacks is refused', async () => {
    const kh = join(dir, 'campus_known_hosts');
    const pub = (n: string) =>
      readFileSync(rack.path(n, '/etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(kh, `${rack.address('cp1')} ${pub('cp1')}\n${rack.address('w1')} ${pub('w1')}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
    expect(readFileSync(kh, 'utf8')).toMatch(/^\|1\|/);
    const inv = withSsh('kh.yaml', {}, { knownHostsFile: kh });
    const r = await preflight(inv);
    expect(r.host('cp1').reachable).toBe(true);
    expect(r.host('w1').reachable).toBe(true);
    expect(r.host('w2').reachable).toBe(false);
    expect(sshReason(r.host('w2'))).toContain(`${kh} (ssh.knownHostsFile) has no key for ${rack.address('w2')} or w2`);
  });
});

describe('ssh-agent and passphrase-protected keys', () => {
  let locked: string;
  beforeAll(() => {
    locked = join(dir, 'id_locked');
    copyFileSync(rack.keyFile, locked);
    chmodSync(locked, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse battery', '-f', locked]);
  });
  const lockedInventory = () => {
    const inv = rackInventory(rack, TEST_NODES) as Record<string, any>;
    inv.ssh.privateKeyFile = locked;
    return writeInventory(dir, inv, 'locked.yaml');
  };

  it('a passphrase-protected key works with LABCTL_SSH_KEY_PASSPHRASE', async () => {
    const r = await preflight(lockedInventory(), {
      SSH_AUTH_SOCK: '',
      LABCTL_SSH_KEY_PASSPHRASE: 'correct horse battery',
    });
    expect(r.host('cp1').reachable, sshReason(r.host('cp1'))).toBe(true);
  });

  it('a wrong passphrase is reported as a wrong passphrase, not as "cannot reach"', async () => {
    const r = await preflight(lockedInventory(), { SSH_AUTH_SOCK: '', LABCTL_SSH_KEY_PASSPHRASE: 'wrong' });
    const why = sshReason(r.host('cp1'));
    expect(why).toContain(`cannot unlock the private key: wrong passphrase for ${locked} (LABCTL_SSH_KEY_PASSPHRASE)`);
    expect(why).not.toMatch(/cannot reach/);
  });

  it('at a terminal (a real pty, util-linux script): asks once for all hosts, without echo, and connects', async () => {
    const cmd = [
      process.execPath,
      resolve(ROOT, 'bin/labctl.js'),
      'preflight',
      '-i',
      lockedInventory(),
      '--state-dir',
      stateDir,
      '--connect-timeout',
      '10',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const r = await new Promise<{ transcript: string }>((res) => {
      const p = spawn('script', ['-qfec', cmd, '/dev/null'], {
        cwd: ROOT,
        env: { ...process.env, SSH_AUTH_SOCK: '', LABCTL_SSH_KEY_PASSPHRASE: '', TERM: 'dumb' } as NodeJS.ProcessEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let answered = false;
      p.stdout.on('data', (b) => {
        out += b;
        if (!answered && out.includes(`passphrase for ${locked}: `)) {
          answered = true;
          p.stdin.write('correct horse battery\r');
        }
      });
      const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
      p.on('close', () => {
        clearTimeout(t);
        p.stdin.destroy();
        res({ transcript: out });
      });
    });
    expect(r.transcript.split(`passphrase for ${locked}: `).length - 1).toBe(1);
    expect(r.transcript).not.toContain('correct horse battery');
    expect(r.transcript).toMatch(/\ncp1\s+ok\s/);
    expect(r.transcript).not.toMatch(/cannot unlock|cannot reach/);
  });

  it('without passphrase, agent or terminal: says how to provide one', async () => {
    const r = await preflight(lockedInventory());
    expect(sshReason(r.host('cp1'))).toContain(
      `${locked} is passphrase-protected: load it into ssh-agent (ssh-add ${locked}), or set LABCTL_SSH_KEY_PASSPHRASE`,
    );
  });

  it('ssh-agent (SSH_AUTH_SOCK): the key loaded into a real agent logs in, even when no key file exists', async () => {
    const sock = join(dir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    try {
      // ssh-add reads the passphrase through SSH_ASKPASS when forced to.
      writeFileSync(join(dir, 'askpass'), '#!/bin/sh\necho "correct horse battery"\n', { mode: 0o700 });
      const add = spawnSync('ssh-add', [locked], {
        env: {
          ...process.env,
          SSH_AUTH_SOCK: sock,
          SSH_ASKPASS: join(dir, 'askpass'),
          SSH_ASKPASS_REQUIRE: 'force',
          DISPLAY: 'x',
        },
        encoding: 'utf8',
        input: '',
        cwd: ROOT,
      });
      if (add.status !== 0) throw new Error(add.stderr);
      const inv = rackInventory(rack, TEST_NODES) as Record<string, any>;
      inv.ssh.privateKeyFile = join(dir, 'no-such-key');
      const file2 = writeInventory(dir, inv, 'agent.yaml');
      const r = await preflight(file2, { SSH_AUTH_SOCK: sock });
      expect(r.host('cp1').reachable, sshReason(r.host('cp1'))).toBe(true);
      // The same inventory without the agent: the missing key file is named.
      const none = await preflight(file2);
      expect(sshReason(none.host('cp1'))).toContain(
        `cannot read the private key: ${join(dir, 'no-such-key')}: no such file, and no ssh-agent (SSH_AUTH_SOCK is not set); set ssh.privateKeyFile in the inventory`,
      );
    } finally {
      process.kill(pid, 'SIGTERM');
    }
  });
});

describe('a jump host proves who it is too', () => {
  it('w1 through w2 as jump host connects; once w2 shows another key, w1 is refused naming the jump host and both fingerprints', async () => {
    const inv = rackInventory(rack, TEST_NODES) as Record<string, any>;
    inv.nodes = inv.nodes.map((n: { name: string }) =>
      n.name === 'w1' ? { ...n, ssh: { jumpHost: `root@${rack.address('w2')}` } } : n,
    );
    const viaJump = writeInventory(dir, inv, 'jump.yaml');
    const ok = await preflight(viaJump);
    expect(ok.host('w1').reachable, sshReason(ok.host('w1'))).toBe(true);
    const pinned = consoleFingerprint('w2');
    await replaceHostKey('w2');
    const r = await preflight(viaJump);
    const why = sshReason(r.host('w1'));
    expect(r.host('w1').reachable).toBe(false);
    expect(why).toContain(
      `host key not accepted: root@${rack.address('w2')}: HOST KEY CHANGED: labctl knows jump host ${rack.address('w2')}`,
    );
    expect(why).toContain(pinned);
    expect(why).toContain(consoleFingerprint('w2'));
    expect(r.host('cp1').reachable).toBe(true);
  });
});
