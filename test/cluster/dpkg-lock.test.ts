// The OS step waits for the package manager lock (unattended-upgrades holding it) as its comment
// promises, within a bound, on a real Debian host of the fake rack (fakerack.ts says what is real).
// The lock is held the way apt and dpkg hold it: an fcntl write lock on /var/lib/dpkg/lock-frontend
// (perl, from the host's perl-base). `flock(1)` takes a flock(2) lock, which Linux keeps apart from
// fcntl locks: dpkg would not even notice it, so a test holding the lock with flock proves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from './fakerack.ts';
import { rackInventory, writeInventory } from './inventory.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, type Plan } from '../../installer/cluster/plan.ts';
import { runPlan, type UpEvent } from '../../installer/cluster/apply.ts';
import { Journal } from '../../installer/cluster/journal.ts';
import type { Site } from '../../installer/inventory/types.ts';

let rack: FakeRack;
let dir: string;
let site: Site;

const HOLD_FLAG = '/run/labctl-test-hold';
/** Holds the dpkg frontend lock (fcntl, as apt does) until HOLD_FLAG disappears; at most 300 s. */
const HOLDER = `sysopen(my $f, '/var/lib/dpkg/lock-frontend', O_RDWR | O_CREAT, 0640) or die "open: $!";
my $l = pack('s s q q i', F_WRLCK, 0, 0, 0, 0); fcntl($f, F_SETLKW, $l) or die "lock: $!";
for (1 .. 1500) { last unless -e '${HOLD_FLAG}'; select(undef, undef, undef, 0.2); }`;

function holdLock(host: string): void {
  rack.run(host, ['touch', HOLD_FLAG]);
  rack.run(host, [
    'bash',
    '-c',
    `setsid perl -MFcntl -e "$0" </dev/null >/dev/null 2>/run/labctl-test-holder.err &
# held once dpkg itself finds it locked
for i in $(seq 50); do dpkg --configure -a 2>&1 | grep -q 'locked by another process' && exit 0; sleep 0.1; done; cat /run/labctl-test-holder.err >&2; exit 1`,
    HOLDER,
  ]);
}
const releaseLock = (host: string) => rack.run(host, ['rm', '-f', HOLD_FLAG]);

/** The plan reduced to one host's OS step, its script changed by `edit` (weakened copies, short bounds). */
function osStep(host: string, edit: (script: string) => string = (s) => s): Plan {
  const plan = buildPlan(site, [host]);
  const phase = plan.phases.find((p) => p.phase === 'prepare')!;
  const steps = phase.hosts[0]!.steps.filter((s) => s.id === '0010-os-prep').map((s) => ({
    ...s,
    script: edit(s.script),
  }));
  expect(steps).toHaveLength(1);
  return { ...plan, phases: [{ ...phase, hosts: [{ node: host, steps }] }] };
}

const run = (plan: Plan, events: UpEvent[] = []) =>
  runPlan(site, plan, Journal.open(join(dir, `journal-${Date.now()}.json`), site.site.name), {
    privateKey: rack.privateKey,
    connectTimeoutMs: 5000,
    onEvent: (e) => events.push(e),
  });

beforeAll(async () => {
  rack = await FakeRack.create(37, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  dir = mkdtempSync(join(tmpdir(), 'labctl-dpkglock-'));
  const file = writeInventory(
    dir,
    rackInventory(
      rack,
      [
        { name: 'a', roles: ['control-plane'] },
        { name: 'b', roles: ['worker'] },
        { name: 'c', roles: ['storage', 'worker'], disks: ['/dev/disk/by-id/nvme-FAKE_DL_OSD_1'] },
      ],
      { network: { aptProxy: rack.aptProxy } },
    ),
  );
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
}, 600_000);

afterAll(async () => {
  for (const h of ['a', 'b', 'c']) {
    try {
      releaseLock(h);
    } catch {
      /* host gone */
    }
  }
  await rack?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the OS step and the dpkg lock (real dpkg and apt on a fake-rack host)', () => {
  it('waits while the lock is held, says so, and finishes once it is released', async () => {
    holdLock('a');
    const events: UpEvent[] = [];
    const released = (async () => {
      // Release only after labctl reported the wait: the step surely ran into the held lock.
      for (
        let i = 0;
        i < 600 && !events.some((e) => e.kind === 'note' && /package manager lock/.test(e.message ?? ''));
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 4000)); // still held a while: the step keeps waiting, not failing
      releaseLock('a');
    })();
    const r = await run(osStep('a'), events);
    await released;
    const note = events.find((e) => e.kind === 'note' && /package manager lock/.test(e.message ?? ''));
    expect(note?.message).toMatch(
      /^waiting up to 600 s for the package manager lock: dpkg: error: dpkg frontend lock was locked by another process/,
    );
    expect(r.hosts[0]).toMatchObject({ node: 'a', status: 'done', ran: ['0010-os-prep'] });
    expect(events.find((e) => e.kind === 'done')!.ms!).toBeGreaterThan(4000);
  }, 600_000);

  it('gives up after its bound and names who holds the lock', async () => {
    holdLock('b');
    try {
      const t0 = Date.now();
      const r = await run(osStep('b', (s) => s.replace('LABCTL_LOCK_WAIT=600', 'LABCTL_LOCK_WAIT=5')));
      expect(r.hosts[0]).toMatchObject({ node: 'b', status: 'failed', step: '0010-os-prep' });
      expect(r.hosts[0]!.error).toMatch(
        /the package manager lock stayed held by (process \d+ \(perl\)|another process with pid \d+) for over 5 s \(e\.g\. unattended-upgrades\): let it finish, then run labctl up again/,
      );
      expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    } finally {
      releaseLock('b');
    }
  }, 300_000);

  it('a weakened copy (plain dpkg --configure -a, as before) fails at once on the held lock', async () => {
    holdLock('c');
    try {
      const weakened = (s: string) => s.replace('locked dpkg --configure -a', 'dpkg --configure -a');
      const r = await run(osStep('c', weakened));
      expect(r.hosts[0]).toMatchObject({ node: 'c', status: 'failed' });
      expect(r.hosts[0]!.error).toMatch(/dpkg frontend lock was locked by another process/);
    } finally {
      releaseLock('c');
    }
  }, 300_000);
});
