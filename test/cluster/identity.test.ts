// The journal belongs to a host's identity, every step's output is kept in a local log, and reset asks
// for a specific yes before it destroys the cluster: on real sshd hosts of the fake rack (fakerack.ts).
// - a host whose own step markers (/var/lib/labctl/steps.log) are gone has its steps run again;
// - a reinstalled host (new SSH host key, re-trusted) has all its steps run again;
// - the log names each step's full output; a failure message names the log; a step's secret never lands in it;
// - reset forgets all of a host's steps; reset of the last control plane needs --yes-destroy-cluster SITE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { labctlAsync as labctl } from './cli.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, type Plan } from '../../installer/cluster/plan.ts';
import { runPlan, type RunResult, type UpEvent } from '../../installer/cluster/apply.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import { PIN_FILE } from '../../installer/ssh/host-keys.ts';
import type { Site } from '../../installer/inventory/types.ts';

let rack: FakeRack;
let dir: string;
let stateDir: string;
let file: string;
let site: Site;
const journalFile = () => join(stateDir, 'journal.json');
const logDir = () => join(stateDir, 'logs');

/** The plan reduced to the OS step on every host (its script changed by `edit`). */
function osPlan(edit: (s: string) => string = (s) => s): Plan {
  const plan = buildPlan(site);
  const phase = plan.phases.find((p) => p.phase === 'prepare')!;
  return {
    ...plan,
    phases: [
      {
        ...phase,
        hosts: phase.hosts.map((h) => ({
          node: h.node,
          steps: h.steps.filter((s) => s.id === '0010-os-prep').map((s) => ({ ...s, script: edit(s.script) })),
        })),
      },
    ],
  };
}

async function run(plan: Plan, events: UpEvent[] = []): Promise<RunResult> {
  return runPlan(site, plan, Journal.open(journalFile(), site.site.name), {
    privateKey: rack.privateKey,
    connectTimeoutMs: 5000,
    knownHosts: join(stateDir, PIN_FILE),
    logDir: logDir(),
    onEvent: (e) => events.push(e),
  });
}
const outcome = (r: RunResult, h: string) => r.hosts.find((x) => x.node === h)!;
const journal = () =>
  JSON.parse(readFileSync(journalFile(), 'utf8')) as {
    hosts: Record<string, Record<string, unknown>>;
    hostKeys?: Record<string, string>;
  };
const fingerprint = (node: string) =>
  execFileSync('ssh-keygen', ['-lf', rack.path(node, '/etc/ssh/ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(
    ' ',
  )[1]!;

/** A reinstalled server: another host key at the same address. */
async function reinstall(node: string): Promise<void> {
  const k = join(dir, `new-${node}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]);
  rack.killSshd(node);
  copyFileSync(k, rack.path(node, '/etc/ssh/ssh_host_ed25519_key'));
  chmodSync(rack.path(node, '/etc/ssh/ssh_host_ed25519_key'), 0o600);
  copyFileSync(`${k}.pub`, rack.path(node, '/etc/ssh/ssh_host_ed25519_key.pub'));
  await rack.startSshd(node);
}

beforeAll(async () => {
  rack = await FakeRack.create(38, [{ name: 'a' }, { name: 'b' }]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-identity-'));
  stateDir = join(dir, 'state');
  file = writeInventory(
    dir,
    rackInventory(
      rack,
      [
        { name: 'a', roles: ['control-plane'] },
        { name: 'b', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_ID_OSD_1'] },
      ],
      { network: { aptProxy: rack.aptProxy } },
    ),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  process.env.LABCTL_STATE_DIR = stateDir;
}, 600_000);

afterAll(async () => {
  delete process.env.LABCTL_STATE_DIR;
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('journal identity, step logs, reset (real sshd hosts)', () => {
  it('run 1: the step runs, the journal records each host key, the full output is in <state>/logs/<host>/<step>.log', async () => {
    const events: UpEvent[] = [];
    const r = await run(osPlan(), events);
    for (const h of ['a', 'b']) expect(outcome(r, h)).toMatchObject({ status: 'done', ran: ['0010-os-prep'] });
    expect(journal().hostKeys).toEqual({ a: fingerprint('a'), b: fingerprint('b') });
    const log = readFileSync(join(logDir(), 'a', '0010-os-prep.log'), 'utf8');
    expect(statSync(join(logDir(), 'a', '0010-os-prep.log')).mode & 0o777).toBe(0o600);
    expect(statSync(join(logDir(), 'a')).mode & 0o777).toBe(0o700);
    expect(log).toMatch(/^# labctl 0010-os-prep on a, started /);
    expect(log).toMatch(/# exit 0, /);
    // every line the step printed (put_file's "changed" per file written) is in the log, and each reached
    // the progress display as the host's last line while the step ran
    const lines = log.split('\n').filter((l) => l && !l.startsWith('# '));
    expect(lines.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'output' && e.node === 'a').map((e) => e.message)).toEqual(lines);
  }, 600_000);

  it('run 2: nothing changed, nothing runs', async () => {
    const r = await run(osPlan());
    for (const h of ['a', 'b'])
      expect(outcome(r, h)).toMatchObject({ status: 'done', ran: [], skipped: ['0010-os-prep'] });
  }, 120_000);

  it('run 3: a lost its step markers, b was reinstalled (new host key, re-trusted): both run their steps again', async () => {
    rack.run('a', ['rm', '-f', '/var/lib/labctl/steps.log']);
    const old = fingerprint('b');
    await reinstall('b');
    rmSync(join(stateDir, PIN_FILE)); // re-trusted (labctl hosts trust), as after a reinstall
    const events: UpEvent[] = [];
    const r = await run(osPlan(), events);
    expect(events.find((e) => e.node === 'a' && e.step === 'identity')?.message).toBe(
      'no step markers in /var/lib/labctl/steps.log (missing: 0010-os-prep): running it again',
    );
    expect(events.find((e) => e.node === 'b' && e.step === 'identity')?.message).toBe(
      `host key changed since its steps ran (${old} -> ${fingerprint('b')}): a reinstalled server; running all its steps again`,
    );
    for (const h of ['a', 'b'])
      expect(outcome(r, h)).toMatchObject({ status: 'done', ran: ['0010-os-prep'], skipped: [] });
    expect(journal().hostKeys!.b).toBe(fingerprint('b'));
  }, 600_000);

  it('a failed step names its log; a value the step marks secret is not in the log', async () => {
    const secret = 'Zq9-not-a-token-shape-XY'; // not caught by redact's patterns: only its registration hides it
    const failing = osPlan((s) =>
      s.replace(
        /\nstep_done\n?$/,
        `\necho "LABCTL_SECRET joinToken=${secret}"\necho "token ${secret} again"\nfail "deliberate failure"\n`,
      ),
    );
    for (const p of failing.phases) for (const h of p.hosts) for (const s of h.steps) s.inputs = 'changed';
    const r = await run(failing);
    const f = join(logDir(), 'a', '0010-os-prep.log');
    expect(outcome(r, 'a').error).toBe(`a [0010-os-prep]: deliberate failure (full output: ${f})`);
    const log = readFileSync(f, 'utf8');
    expect(log).toContain('! LABCTL_ERROR: deliberate failure');
    expect(log).toContain('token *** again');
    expect(log).not.toContain(secret);
    expect(log).toMatch(/# exit 1, /);
  }, 300_000);

  it('reset of the last control plane warns what it destroys and needs --yes-destroy-cluster SITE', async () => {
    const before = readFileSync(journalFile(), 'utf8');
    const none = await labctl(['reset', 'a', '-i', file]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('a is the last control plane of site');
    expect(none.stderr).toContain('DESTROYS THE CLUSTER: its etcd data (every Kubernetes object');
    expect(none.stderr).toContain(
      `reset of the last control plane needs: --yes-destroy-cluster ${site.site.name}; nothing was changed`,
    );
    const nodeName = await labctl(['reset', 'a', '-i', file, '--yes-reset', 'a']);
    expect(nodeName.code).toBe(2);
    const wrong = await labctl(['reset', 'a', '-i', file, '--yes-destroy-cluster', 'a']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`does not match the site name ${site.site.name}; nothing was changed`);
    expect(readFileSync(journalFile(), 'utf8')).toBe(before);
    const yes = await labctl(['reset', 'a', '-i', file, '--yes-destroy-cluster', site.site.name]);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toBe('a: reset\n');
    expect(journal().hosts.a).toEqual({});
    expect(journal().hostKeys?.a).toBeUndefined();
  }, 300_000);

  it('reset of a worker needs only its name and forgets all of its steps', async () => {
    expect(Object.keys(journal().hosts.b ?? {}).length).toBeGreaterThan(0);
    const r = await labctl(['reset', 'b', '-i', file, '--yes-reset', 'b']);
    expect(r.code, r.stderr).toBe(0);
    expect(journal().hosts.b).toEqual({});
    expect(existsSync(journalFile())).toBe(true);
  }, 300_000);
});
