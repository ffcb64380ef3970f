// A site with a backup section whose S3 keys are not in the secret store yet: `labctl plan` says so, and
// `labctl up` stops on it before any host is touched (no sshd here: the nodes are unrouted 198.18.x
// addresses, so reaching SSH would fail differently and later). `--without-backup-credentials` goes on
// without step 0037-etcd-snapshot. Real CLI, real site key and secret store (`labctl secrets init/generate`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, formatPlan } from '../../installer/cluster/plan.ts';
import { withoutEtcdSnapshot } from '../../installer/cluster/etcd-snapshot.ts';

let dir: string;
let repo: string;
let inv: string;
let key: string;
let env: NodeJS.ProcessEnv;
const stepIds = (p: ReturnType<typeof buildPlan>) =>
  p.phases.flatMap((ph) => ph.hosts.flatMap((h) => h.steps.map((s) => s.id)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-upbackup-'));
  repo = join(dir, 'site');
  mkdirSync(repo);
  inv = join(repo, 'inventory.yaml');
  key = join(dir, 'site.agekey');
  env = { HOME: dir, LABCTL_AGE_KEY_FILE: key, LABCTL_STATE_DIR: join(dir, 'state'), XDG_STATE_HOME: dir };
  const init = await labctl(
    [
      'init',
      inv,
      '--yes',
      '--site',
      'bk',
      '--subnet',
      '198.18.77.0/24',
      '--racks',
      'r1,r2',
      '--nodes',
      'node1=198.18.77.11,node2=198.18.77.12@r2,node3=198.18.77.13',
    ],
    { env },
  );
  expect(init.code, init.stderr).toBe(0);
  appendFileSync(
    inv,
    '\nbackup:\n  target:\n    endpoint: https://s3.campus.example.edu\n    bucket: labcloud-backups\n',
  );
  for (const args of [
    ['secrets', 'init', '-r', repo, '-k', key],
    ['secrets', 'generate', '-i', inv, '-r', repo, '-k', key],
  ]) {
    const r = await labctl(args, { env });
    expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  }
  // generate made the restic password; only campus IT's S3 keys are missing.
  expect(existsSync(join(repo, 'secrets/entries/backup-etcd-password.age'))).toBe(true);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMED = [
  'backup-s3-access-key, backup-s3-secret-key',
  'labctl secrets set backup-s3-access-key -i',
  'labctl secrets set backup-s3-secret-key -i',
  '--without-backup-credentials',
];

describe('backup credentials missing from the secret store', () => {
  it('labctl plan warns, naming both entries and the commands that set them', async () => {
    const r = await labctl(['plan', '-i', inv], { env });
    expect(r.code, r.stderr).toBe(0);
    const warning = r.stdout.split('\n').find((l) => l.startsWith('warning: etcd snapshots'));
    expect(warning, r.stdout).toBeDefined();
    for (const s of NAMED) expect(warning).toContain(s);
    expect(warning).not.toContain('backup-etcd-password');
  });

  it('labctl up exits 1 on the credentials before any SSH connection (no preflight line, no pinned host key, no step log)', async () => {
    const r = await labctl(['up', '-i', inv, '-k', key, '--no-hand-over', '--connect-timeout', '1'], { env });
    expect(r.code).toBe(1);
    for (const s of NAMED) expect(r.stderr).toContain(s);
    expect(r.stderr).toContain('No server was touched.');
    expect(r.stdout).not.toMatch(/preflight:|step output is kept/);
    const state = join(dir, 'state');
    expect(existsSync(state) ? readdirSync(state).filter((f) => f !== 'lock' && !f.endsWith('.lock')) : []).toEqual([]);
  });

  it('--without-backup-credentials goes past the check to the hosts (unreachable here) and says what it leaves out', async () => {
    const r = await labctl(
      ['up', '-i', inv, '-k', key, '--no-hand-over', '--connect-timeout', '1', '--without-backup-credentials'],
      { env },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'etcd snapshots: not installed this run (--without-backup-credentials); missing backup-s3-access-key, backup-s3-secret-key',
    );
    expect(r.stdout).toContain('preflight:');
    expect(r.stderr).not.toContain('No server was touched.');
  });

  it('the plan without the snapshot step keeps every other step and notes the skip', () => {
    const site = requireSite(inv);
    if (!('site' in site)) throw new Error(JSON.stringify(site.errors));
    const full = buildPlan(site.site);
    expect(stepIds(full)).toContain('0037-etcd-snapshot');
    const cut = withoutEtcdSnapshot(full, 'why');
    expect(stepIds(cut)).toEqual(stepIds(full).filter((id) => id !== '0037-etcd-snapshot'));
    expect(formatPlan(cut)).toContain('0037-etcd-snapshot skipped: why');
  });
});
