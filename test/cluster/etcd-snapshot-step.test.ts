// Step 0037-etcd-snapshot on the fake rack (real sshd in a network namespace, real bash), run by the real
// runPlan with its step logs and journal: the credentials file gets mode 0600 and exactly the values from
// the "secret store" (run-time inputs, as `labctl up` reads them), and no value appears in the step log,
// the journal or the progress events. restic is a STAND-IN on the host (the rack's mirror has no restic
// package); systemd does not run in the fake hosts, so the timer is installed but not enabled here
// (test/cluster/etcd-snapshot-schedule.test.ts runs systemd-analyze verify on the units).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { buildPlan, type Plan } from '../../installer/cluster/plan.ts';
import { runPlan, type RunResult, type UpEvent } from '../../installer/cluster/apply.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import { registerSecret } from '../../installer/ssh/redact.ts';
import { coverCredentials } from '../../installer/cluster/credential-digest.ts';

const INPUTS = {
  backupS3AccessKey: 'AKSTEPTEST0123456789',
  backupS3SecretKey: "sk/with'quote+and$dollar`tick",
  backupEtcdPassword: 'generated-restic-password-0123456789abcdef',
};

let rack: FakeRack;
let dir: string;
let site: Site;
let plan: Plan;
let run1: RunResult;
let run2: RunResult;
let run3: RunResult;
const ROTATED = 'AKROTATED9876543210';
/** The values bash reads back from the env file after run 1. */
let readBack: string;
const events: UpEvent[] = [];

/** Only the snapshot step of cp1 (the other steps are tested elsewhere). */
function snapshotPlan(): Plan {
  const full = buildPlan(site);
  return {
    ...full,
    phases: full.phases
      .map((p) => ({
        ...p,
        hosts: p.hosts
          .map((h) => ({ ...h, steps: h.steps.filter((s) => s.id === '0037-etcd-snapshot') }))
          .filter((h) => h.steps.length),
      }))
      .filter((p) => p.hosts.length),
  };
}

beforeAll(async () => {
  rack = await FakeRack.create(52, [{ name: 'cp1' }]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-snapstep-'));
  const file = writeInventory(
    dir,
    rackInventory(
      rack,
      [
        // storage too, so the inventory is valid (Rook needs a storage node); only the snapshot step runs here.
        { name: 'cp1', roles: ['control-plane', 'storage'], disks: ['/dev/disk/by-id/nvme-FAKE_SNAP_1'] },
      ],
      { backup: true },
    ),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  // The restic STAND-IN: present, so the step does not go to the mirror.
  rack.run('cp1', [
    'sh',
    '-c',
    'printf "#!/bin/sh\\nexit 0\\n" > /usr/local/bin/restic && chmod 755 /usr/local/bin/restic',
  ]);
  plan = snapshotPlan();
  const journal = join(dir, 'journal.json');
  // As `labctl up` does with the values it read from the store (cli/commands/up.ts).
  for (const v of Object.values(INPUTS)) registerSecret(v);
  const opts = {
    privateKey: rack.privateKey,
    connectTimeoutMs: 3000,
    inputs: INPUTS,
    logDir: join(dir, 'logs'),
    onEvent: (e: UpEvent) => events.push(e),
  };
  coverCredentials(plan, INPUTS); // as up.ts does
  run1 = await runPlan(site, plan, Journal.open(journal, site.site.name), opts);
  readBack = rack.run('cp1', [
    'bash',
    '-c',
    'set -a; . /etc/labctl/etcd-backup.env; printf "%s\\n" "$RESTIC_REPOSITORY" "$RESTIC_PASSWORD" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_DEFAULT_REGION"',
  ]);
  run2 = await runPlan(site, plan, Journal.open(journal, site.site.name), opts);
  // campus IT rotated the access key: `labctl secrets set ... --replace`, then `labctl up` again.
  const rotated = { ...INPUTS, backupS3AccessKey: ROTATED };
  registerSecret(ROTATED);
  const plan3 = snapshotPlan();
  coverCredentials(plan3, rotated);
  run3 = await runPlan(site, plan3, Journal.open(journal, site.site.name), { ...opts, inputs: rotated });
}, 300_000);

afterAll(async () => {
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('step 0037-etcd-snapshot on the fake rack (real sshd and bash; restic a stand-in, no systemd)', () => {
  it('the plan has the step on the control plane and it finishes', () => {
    expect(plan.phases.flatMap((p) => p.hosts.map((h) => `${h.node} ${h.steps.map((s) => s.id)}`))).toEqual([
      'cp1 0037-etcd-snapshot',
    ]);
    expect(run1.hosts.map((h) => [h.node, h.status, h.error])).toEqual([['cp1', 'done', undefined]]);
  });

  it('the credentials file: mode 0600, owner root, and bash reads back exactly the stored values', () => {
    const path = rack.path('cp1', '/etc/labctl/etcd-backup.env');
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(0);
    expect(statSync(rack.path('cp1', '/etc/labctl')).mode & 0o777).toBe(0o700);
    expect(readBack.split('\n').slice(0, 5)).toEqual([
      's3:https://s3.campus.example.edu/labcloud-backups/etcd/cs-lab',
      INPUTS.backupEtcdPassword,
      INPUTS.backupS3AccessKey,
      INPUTS.backupS3SecretKey,
      'us-east-1',
    ]);
  });

  it('the script and both units are installed', () => {
    expect(statSync(rack.path('cp1', '/usr/local/sbin/labctl-etcd-snapshot')).mode & 0o777).toBe(0o755);
    expect(rack.readFile('cp1', '/usr/local/sbin/labctl-etcd-snapshot')).toContain("default_node='cp1'");
    expect(rack.readFile('cp1', '/etc/systemd/system/labctl-etcd-snapshot.timer')).toContain(
      'OnCalendar=*-*-* 00/6:00:00\n',
    );
    expect(rack.readFile('cp1', '/etc/systemd/system/labctl-etcd-snapshot.service')).toContain(
      'ExecStart=/usr/local/sbin/labctl-etcd-snapshot\n',
    );
  });

  it('no value is in the step log, the journal, the progress events or the planned script', () => {
    const logs = readdirSync(join(dir, 'logs', 'cp1')).map((f) => readFileSync(join(dir, 'logs', 'cp1', f), 'utf8'));
    expect(logs.length).toBeGreaterThan(0);
    const texts = [
      ...logs,
      readFileSync(join(dir, 'journal.json'), 'utf8'),
      JSON.stringify(events),
      JSON.stringify(plan),
    ];
    for (const v of Object.values(INPUTS)) for (const t of texts) expect(t.includes(v)).toBe(false);
    // The check can fail: the values are on the host, in the file the step wrote.
    expect(rack.readFile('cp1', '/etc/labctl/etcd-backup.env')).toContain(INPUTS.backupEtcdPassword);
  });

  it('a second run skips the finished step (journaled); a rotated key runs it again and reaches the file', () => {
    expect(run2.hosts.map((h) => [h.node, h.status, h.ran, h.skipped])).toEqual([
      ['cp1', 'done', [], ['0037-etcd-snapshot']],
    ]);
    expect(run3.hosts.map((h) => [h.node, h.status, h.ran, h.skipped])).toEqual([
      ['cp1', 'done', ['0037-etcd-snapshot'], []],
    ]);
    expect(rack.readFile('cp1', '/etc/labctl/etcd-backup.env')).toContain(`AWS_ACCESS_KEY_ID='${ROTATED}'`);
    expect(readFileSync(join(dir, 'journal.json'), 'utf8').includes(ROTATED)).toBe(false);
  });
});
