// The SSH half of `labctl backup list|now` on the fake rack (real sshd, real bash, root through the
// StepRunner the upgrade commands use), with a STAND-IN `restic` that prints the recorded `restic snapshots
// --json` output (fixtures/restic-snapshots.json) only when the env file gave it a repository and password,
// and a STAND-IN `systemctl` (the fake rack has no systemd) that records the unit it was asked to start.
// Not real here: restic itself, the snapshot service (the etcd-backup branch's script) and an S3 target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from '../cluster/fakerack.ts';
import { rackInventory, writeInventory } from '../cluster/inventory.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { StepRunner } from '../../installer/cluster/upgrade/run.ts';
import { listEtcdSnapshots, takeEtcdSnapshot } from '../../installer/backup/run.ts';
import { formatListing } from '../../installer/backup/format.ts';

const RESTIC = `#!/bin/bash
# STAND-IN for restic (labctl backup tests): prints the recorded snapshot list; refuses without credentials.
set -u
echo "restic $* repo=\${RESTIC_REPOSITORY:-}" >> /var/lib/standin/restic.log
if [ -z "\${RESTIC_REPOSITORY:-}" ] || [ -z "\${RESTIC_PASSWORD:-}" ]; then
  echo "Fatal: Please specify repository location (-r or --repository-file)" >&2; exit 1
fi
[ "$1 $2" = "snapshots --json" ] || { echo "stand-in restic: unexpected $*" >&2; exit 2; }
cat /var/lib/standin/restic-snapshots.json
`;
const SYSTEMCTL = `#!/bin/bash
# STAND-IN for systemctl (the fake rack has no systemd): records the call; fails when told to.
echo "systemctl $*" >> /var/lib/standin/systemctl.log
if [ -e /var/lib/standin/snapshot-fails ]; then echo "Job for labctl-etcd-snapshot.service failed because the control process exited with error code." >&2; exit 1; fi
`;

let rack: FakeRack;
let dir: string;
let site: Site;
let runner: StepRunner;
const put = (host: string, p: string, text: string, mode = 0o644) => {
  mkdirSync(join(rack.path(host, p), '..'), { recursive: true });
  writeFileSync(rack.path(host, p), text, { mode });
};

beforeAll(async () => {
  rack = await FakeRack.create(53, [{ name: 'cp1' }, { name: 'w1' }]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-backup-ssh-'));
  const file = writeInventory(
    dir,
    rackInventory(rack, [
      { name: 'cp1', roles: ['control-plane'] },
      { name: 'w1', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_BK_1'] },
    ]),
  );
  const r = requireSite(file);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  site = { ...r.site, backup: { target: { endpoint: 'https://s3.example.edu', bucket: 'b' } } } as Site;
  runner = new StepRunner(site, { connectTimeoutMs: 10_000, knownHosts: join(dir, 'known_hosts') });
  put('cp1', '/usr/local/bin/restic', RESTIC, 0o755);
  put('cp1', '/usr/local/sbin/systemctl', SYSTEMCTL, 0o755);
  put(
    'cp1',
    '/var/lib/standin/restic-snapshots.json',
    readFileSync(join(import.meta.dirname, 'fixtures/restic-snapshots.json'), 'utf8'),
  );
}, 300_000);

afterAll(async () => {
  runner?.close();
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('etcd snapshots over real SSH on the fake rack (STAND-IN restic printing recorded JSON, STAND-IN systemctl)', () => {
  it('without the env file: says the timer is not set up, naming the host; restic is not run', async () => {
    const l = await listEtcdSnapshots(site, runner);
    expect(l).toMatchObject({ node: 'cp1' });
    expect('error' in l && l.error).toContain(
      'no /etc/labctl/etcd-backup.env on cp1: the etcd snapshot timer is not set up (labctl up with a backup: section)',
    );
    expect(rack.readFile('cp1', '/var/lib/standin/restic.log')).toBeUndefined();
  });

  it('with the env file (root, 0600): restic gets its repository and password from it, and the listing parses', async () => {
    put(
      'cp1',
      '/etc/labctl/etcd-backup.env',
      'RESTIC_REPOSITORY=s3:https://s3.example.edu/b/etcd/cs-lab\nRESTIC_PASSWORD=not-a-real-password\nAWS_ACCESS_KEY_ID=AK\nAWS_SECRET_ACCESS_KEY=SK\n',
      0o600,
    );
    const l = await listEtcdSnapshots(site, runner);
    if ('error' in l) throw new Error(l.error);
    expect(l.snapshots.map((s) => [s.id, s.host])).toEqual([
      ['a1a1a1a1', 'cp1'],
      ['a2a2a2a2', 'cp1'],
      ['a3a3a3a3', 'cp2'],
    ]);
    expect(rack.readFile('cp1', '/var/lib/standin/restic.log')).toBe(
      'restic snapshots --json --no-lock repo=s3:https://s3.example.edu/b/etcd/cs-lab\n',
    );
    expect(formatListing({ velero: [], etcd: l })).toContain('etcd snapshots (restic on cp1), newest first: 3');
  });

  it('backup now: starts labctl-etcd-snapshot.service with --wait on the first control plane only; a failed unit is reported with its message', async () => {
    expect(await takeEtcdSnapshot(runner, 'cp1')).toEqual({ ok: true });
    expect(rack.readFile('cp1', '/var/lib/standin/systemctl.log')).toBe(
      'systemctl start --wait labctl-etcd-snapshot.service\n',
    );
    expect(rack.readFile('w1', '/var/lib/standin/systemctl.log')).toBeUndefined();
    put('cp1', '/var/lib/standin/snapshot-fails', '');
    const r = await takeEtcdSnapshot(runner, 'cp1');
    expect(r.ok).toBe(false);
    expect(r.error).toContain('Job for labctl-etcd-snapshot.service failed');
  });
});
