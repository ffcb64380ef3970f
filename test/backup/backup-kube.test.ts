// `labctl backup now` and `labctl restore` against the REAL kube-apiserver (test/kube/) with Velero's REAL
// CRDs (v1.18.1 config/crd/v1/bases, stored in fixtures/velero-crds until the velero component's CRD files
// are on main): the Backups and Restores labctl creates are accepted by the server and have the spec Velero
// expects; nothing is created without --yes. NOT real here: Velero itself (the test plays its controller,
// writing each object's status.phase, named STAND-IN VELERO below) and SSH (a STAND-IN remote records the
// scripts and answers the restic listing from fixtures/restic-snapshots.json; the real sshd run is in
// test/backup/backup-ssh.test.ts). The --help examples are parsed by the real CLI program exactly as
// printed and run with the site handed in (the inventory's backup: section is not on main yet).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { kubectlOk, waitEstablished } from '../kube/client.ts';
import { startHarness, stopHarness } from '../kube/global-setup.ts';
import { crdsFor } from '../kube/crds.ts';
import { EXAMPLE } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { LIST_SCRIPT, SNAPSHOT_NOW_SCRIPT } from '../../installer/backup/etcd.ts';
import type { Remote } from '../../installer/backup/run.ts';
import type { VeleroBackup, VeleroSchedule } from '../../installer/backup/velero.ts';
import { backupListCommand, backupNowCommand, type BackupContext } from '../../installer/cli/commands/backup.ts';
import { restoreCommand } from '../../installer/cli/commands/restore.ts';
import {
  BACKUP_LIST_EXAMPLE,
  BACKUP_NOW_EXAMPLE,
  BACKUP_NOW_PLAN_EXAMPLE,
  RESTORE_PLAN_EXAMPLE,
  RESTORE_YES_EXAMPLE,
} from '../../installer/cli/commands/backup-register.ts';
import { buildProgram } from '../../installer/cli/main.ts';
import { Problem } from '../../installer/core/diagnostics.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const G = { group: 'velero.io', version: 'v1', namespace: 'velero' };
let kc: k8s.KubeConfig;
let api: k8s.CustomObjectsApi;
let site: Site;

/** STAND-IN for SSH to the nodes: records every script; the restic listing answers with the recorded JSON. */
class StandInRemote implements Remote {
  calls: { host: string; step: string; script: string }[] = [];
  failSnapshot = false;
  async run(host: string, script: string, step: string): Promise<string> {
    this.calls.push({ host, step, script });
    if (script === LIST_SCRIPT) return readFileSync(join(FIX, 'restic-snapshots.json'), 'utf8');
    if (script === SNAPSHOT_NOW_SCRIPT && this.failSnapshot)
      throw new Error('exit 1: Job for labctl-etcd-snapshot.service failed');
    return '';
  }
}
let remote: StandInRemote;
const ctx = (): BackupContext => ({ site, kc, remote, close: () => {} });

const list = async (plural: string) =>
  ((await api.listNamespacedCustomObject({ ...G, plural })) as { items: (VeleroBackup & { spec: any })[] }).items;
const clear = async (plural: string) => {
  for (const o of await list(plural)) await api.deleteNamespacedCustomObject({ ...G, plural, name: o.metadata.name! });
};

/** Captures what the command prints. */
function output() {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
}

/** STAND-IN VELERO: sets the phase of each object of `plural` whose name matches, once it appears. Bounded. */
async function velero(plural: string, phase: string, match: RegExp, extra: Record<string, unknown> = {}, count = 1) {
  // Until `count` objects match: the command creates them one after another (runBackupNow, runRestore), and on a
  // busy machine the second came after a stand-in that stopped at the first, so the command waited for a phase
  // that never came (backup now --wait hung until the test's time limit).
  for (let i = 0; i < 400; i++) {
    const matching = (await list(plural)).filter((o) => match.test(o.metadata.name!));
    for (const o of matching.filter((m) => m.status?.phase !== phase))
      await api.patchNamespacedCustomObject(
        { ...G, plural, name: o.metadata.name!, body: { status: { phase, ...extra } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    if (matching.length >= count) return matching.map((o) => o.metadata.name);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`stand-in Velero: ${count} ${plural} matching ${match} did not appear`);
}

const SCHEDULES: VeleroSchedule[] = [
  {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: { name: 'platform', namespace: 'velero', labels: { 'app.kubernetes.io/part-of': 'labctl' } },
    spec: {
      schedule: '0 3 * * *',
      template: {
        includedNamespaces: ['argocd', 'cert-manager', 'harbor', 'keycloak', 'monitoring'],
        defaultVolumesToFsBackup: true,
        storageLocation: 'default',
        ttl: '720h0m0s',
      },
    },
  },
  {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: { name: 'labs', namespace: 'velero', annotations: { 'labctl.dev/note': 'lab namespaces' } },
    spec: {
      schedule: '0 3 * * *',
      paused: true,
      template: {
        metadata: { labels: { 'labctl.dev/tier': 'labs' } },
        includedNamespaces: ['course-netsec-*'],
        defaultVolumesToFsBackup: true,
        storageLocation: 'default',
        ttl: '720h0m0s',
      },
    },
  },
];

// A kube-apiserver of its own: the shared one also gets the example's Velero Schedules from golden-apply and
// velero-apply (server-side applied, same names in the namespace velero), which would collide with this
// file's hand-made ones whenever the files run at the same time (409 AlreadyExists, or a changed spec).
let harness: ChildProcess | undefined;
let harnessDir: string | undefined;
afterAll(async () => {
  if (harness) await stopHarness(harness);
  if (harnessDir) rmSync(harnessDir, { recursive: true, force: true });
});

beforeAll(async () => {
  harnessDir = mkdtempSync(join(tmpdir(), 'labctl-kube-backup-'));
  const h = await startHarness(harnessDir);
  harness = h.child;
  const kubeconfig = h.kubeconfig;
  kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  api = kc.makeApiClient(k8s.CustomObjectsApi);
  const crds = ['backups', 'restores', 'schedules'].map((p) => join(FIX, 'velero-crds', `velero.io_${p}.yaml`));
  await kubectlOk(['apply', '--server-side', '--force-conflicts', ...crds.flatMap((f) => ['-f', f])], { kubeconfig });
  // KubeVirt's VirtualMachine (the project's schema; kubevirt ships no CRD file) for the VMs of lab namespaces.
  const vmCrd = crdsFor([{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' }]);
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', '-'], {
    stdin: JSON.stringify(vmCrd[0]),
    kubeconfig,
  });
  await waitEstablished(
    ['backups.velero.io', 'restores.velero.io', 'schedules.velero.io', 'virtualmachines.kubevirt.io'],
    { kubeconfig },
  );
  // A CRD just Established may still answer 429 "storage is (re)initializing" for a moment: wait (bounded).
  for (const plural of ['backups', 'restores', 'schedules'])
    for (let i = 0; ; i++) {
      try {
        await list(plural);
        break;
      } catch (e) {
        if (i >= 100 || (e as { code?: number }).code !== 429) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const name of ['velero', 'course-netsec-firewall'])
    await core.createNamespace({ body: { metadata: { name } } }).catch((e) => {
      if (e.code !== 409) throw e;
    });
  for (const s of SCHEDULES) await api.createNamespacedCustomObject({ ...G, plural: 'schedules', body: s });
  await api.createNamespacedCustomObject({
    group: 'kubevirt.io',
    version: 'v1',
    namespace: 'course-netsec-firewall',
    plural: 'virtualmachines',
    body: {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name: 'fw-alice', namespace: 'course-netsec-firewall' },
      spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {} } } } },
    },
  });
  const r = requireSite(EXAMPLE);
  if ('errors' in r) throw new Error('example inventory invalid');
  // The backup: section (HELPERS.md shape) and one opted-out course, attached as the real Site will carry them.
  site = {
    ...r.site,
    labs: {
      ...r.site.labs,
      courses: r.site.labs.courses.map((c) => (c.name === 'os101' ? { ...c, backup: false } : c)),
    },
    backup: { target: { endpoint: 'https://s3.campus.example.edu', bucket: 'labcloud-backups', region: 'us-east-1' } },
  } as Site;
}, 300_000);

afterEach(async () => {
  await clear('backups');
  await clear('restores');
});

const NOW = new Date('2026-11-30T12:00:00Z');
const opts = { inventory: 'inventory.yaml', output: 'text' as const, connectTimeout: 10 };

describe('labctl backup now on a real kube-apiserver with Velero v1.18.1 CRDs (STAND-IN Velero controller and SSH)', () => {
  it('without --yes: shows the plan and creates nothing, runs nothing over SSH', async () => {
    remote = new StandInRemote();
    const out = output();
    try {
      await backupNowCommand({ ...opts, yes: false, wait: false, waitTimeout: 60 }, ctx(), NOW);
    } finally {
      out.restore();
    }
    expect(out.text()).toContain(
      'Velero Backup labs-manual-20261130120000 from Schedule labs (the schedule is paused; the manual backup runs anyway): namespaces course-netsec-*, kept 720h0m0s',
    );
    expect(out.text()).toContain('Velero Backup platform-manual-20261130120000 from Schedule platform');
    expect(out.text()).toContain('etcd snapshot on cp1: systemctl start --wait labctl-etcd-snapshot.service');
    expect(out.text()).toContain('nothing changed');
    expect(await list('backups')).toEqual([]);
    expect(remote.calls).toEqual([]);
  });

  it('with --yes: one Backup per Schedule, spec copied from the template, labelled like velero --from-schedule; the etcd snapshot on the first control plane', async () => {
    remote = new StandInRemote();
    const out = output();
    try {
      await backupNowCommand({ ...opts, yes: true, wait: false, waitTimeout: 60 }, ctx(), NOW);
    } finally {
      out.restore();
    }
    const got = (await list('backups')).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    expect(got.map((b) => b.metadata.name)).toEqual(['labs-manual-20261130120000', 'platform-manual-20261130120000']);
    // The server stored exactly the Schedule's template (nothing pruned by Velero's structural schema).
    expect(got[0]!.spec).toEqual(SCHEDULES[1]!.spec.template);
    expect(got[1]!.spec).toEqual(SCHEDULES[0]!.spec.template);
    // Velero's rule: the template's labels when it has any, else the Schedule's; plus velero.io/schedule-name.
    expect(got[0]!.metadata.labels).toEqual({ 'labctl.dev/tier': 'labs', 'velero.io/schedule-name': 'labs' });
    expect(got[0]!.metadata.annotations).toEqual({ 'labctl.dev/note': 'lab namespaces' });
    expect(got[1]!.metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'labctl',
      'velero.io/schedule-name': 'platform',
    });
    expect(remote.calls.map((c) => [c.host, c.step])).toEqual([['cp1', 'etcd-snapshot']]);
    expect(remote.calls[0]!.script).toContain('systemctl start --wait labctl-etcd-snapshot.service');
    expect(out.text()).toContain('the Backups run in Velero now');
  });

  it('--wait: reports the phases as Velero moves them and exits with a Problem when one ends PartiallyFailed or the snapshot fails', async () => {
    remote = new StandInRemote();
    const out = output();
    let err: unknown;
    try {
      const run = backupNowCommand({ ...opts, yes: true, wait: true, waitTimeout: 60, pollMs: 100 }, ctx(), NOW);
      await velero('backups', 'InProgress', /-manual-/, {}, 2);
      await velero('backups', 'Completed', /^platform-manual-/, { progress: { itemsBackedUp: 412, totalItems: 412 } });
      await velero('backups', 'PartiallyFailed', /^labs-manual-/, { errors: 2 });
      await run.catch((e) => (err = e));
    } finally {
      out.restore();
    }
    expect(out.text()).toMatch(/platform-manual-20261130120000: Completed 412\/412 items/);
    expect(err).toBeInstanceOf(Problem);
    expect((err as Error).message).toBe(
      'labs-manual-20261130120000 ended PartiallyFailed (velero backup logs NAME says why)',
    );
    await clear('backups');
    remote = new StandInRemote();
    remote.failSnapshot = true;
    const out2 = output();
    try {
      const run = backupNowCommand({ ...opts, yes: true, wait: true, waitTimeout: 60, pollMs: 100 }, ctx(), NOW);
      await velero('backups', 'Completed', /-manual-/, {}, 2);
      await expect(run).rejects.toThrow(
        'the etcd snapshot on cp1 failed: exit 1: Job for labctl-etcd-snapshot.service failed',
      );
    } finally {
      out2.restore();
    }
  });

  it('backup list: Velero Backups from the API and the etcd snapshots from restic (over the STAND-IN remote), in the --output json shape', async () => {
    const recorded = (JSON.parse(readFileSync(join(FIX, 'backups.json'), 'utf8')) as { items: VeleroBackup[] }).items;
    for (const b of recorded) {
      const { resourceVersion, uid, creationTimestamp, generation, ...meta } = b.metadata as any;
      await api.createNamespacedCustomObject({ ...G, plural: 'backups', body: { ...b, metadata: meta } });
    }
    remote = new StandInRemote();
    const out = output();
    try {
      await backupListCommand({ ...opts, output: 'json' }, ctx());
    } finally {
      out.restore();
    }
    const j = JSON.parse(out.text());
    expect(j.velero.map((b: { name: string }) => b.name)).toEqual([
      'labs-20261130030015',
      'platform-20261130030012',
      'labs-20261129030011',
      'platform-20261129030009',
      'platform-20261127030001',
      'labs-20261028030010',
    ]);
    expect(j.velero[0]).toMatchObject({ phase: 'PartiallyFailed', errors: 2, warnings: 1, schedule: 'labs' });
    expect(j.etcd.node).toBe('cp1');
    expect(j.etcd.snapshots.map((s: { id: string }) => s.id)).toEqual(['a1a1a1a1', 'a2a2a2a2', 'a3a3a3a3']);
    expect(remote.calls.map((c) => c.script)).toEqual([LIST_SCRIPT]);
  });
});

describe('labctl restore on a real kube-apiserver with Velero v1.18.1 CRDs (recorded backups; STAND-IN Velero controller)', () => {
  const loadRecorded = async () => {
    const recorded = (JSON.parse(readFileSync(join(FIX, 'backups.json'), 'utf8')) as { items: VeleroBackup[] }).items;
    for (const b of recorded) {
      const { resourceVersion, uid, creationTimestamp, generation, ...meta } = b.metadata as any;
      await api.createNamespacedCustomObject({ ...G, plural: 'backups', body: { ...b, metadata: meta } });
    }
  };

  it('--plan: newest usable backup, existing namespace and its VM named, nothing created', async () => {
    await loadRecorded();
    const out = output();
    try {
      await restoreCommand(
        { ...opts, yes: false, namespace: ['course-netsec-firewall', 'course-netsec-ids'], waitTimeout: 60 },
        ctx(),
        NOW,
      );
    } finally {
      out.restore();
    }
    expect(out.text()).toContain(
      'Restore labs-20261129030011-restore-20261130120000 from backup labs-20261129030011 (schedule labs)',
    );
    expect(out.text()).toContain('newer, passed over: backup labs-20261130030015 is PartiallyFailed');
    expect(out.text()).toContain(
      'course-netsec-firewall: exists now; only objects missing from it come back, existing ones are skipped; VMs now: fw-alice (kept as they are)',
    );
    expect(out.text()).toContain('course-netsec-ids: absent now; comes back whole');
    expect(out.text()).toContain('Not in any backup: the labs of os101');
    expect(await list('restores')).toEqual([]);
  });

  it('refuses a PartiallyFailed backup named with --from, even with --yes: Problem, nothing created', async () => {
    await loadRecorded();
    await expect(
      restoreCommand({ ...opts, yes: true, from: 'labs-20261130030015', namespace: [], waitTimeout: 60 }, ctx(), NOW),
    ).rejects.toThrow(
      /restore refused:\n {2}- backup labs-20261130030015 is PartiallyFailed[^\n]*\nnothing was changed$/,
    );
    expect(await list('restores')).toEqual([]);
  });

  it('--yes: creates the Restore (backup, namespaces, existingResourcePolicy none), waits and reports the phase', async () => {
    await loadRecorded();
    const out = output();
    try {
      const run = restoreCommand(
        { ...opts, yes: true, namespace: ['harbor', 'course-netsec-firewall'], waitTimeout: 60, pollMs: 100 },
        ctx(),
        NOW,
      );
      await velero('restores', 'InProgress', /-restore-/, {}, 2);
      await velero('restores', 'Completed', /-restore-/, { warnings: 3 }, 2);
      await run;
    } finally {
      out.restore();
    }
    const got = (await list('restores')).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    expect(got.map((r) => [r.metadata.name, r.spec])).toEqual([
      [
        'labs-20261129030011-restore-20261130120000',
        {
          backupName: 'labs-20261129030011',
          includedNamespaces: ['course-netsec-firewall'],
          existingResourcePolicy: 'none',
        },
      ],
      [
        'platform-20261130030012-restore-20261130120000',
        { backupName: 'platform-20261130030012', includedNamespaces: ['harbor'], existingResourcePolicy: 'none' },
      ],
    ]);
    expect(out.text()).toMatch(/labs-20261129030011-restore-20261130120000: Completed \(0 errors, 3 warnings\)/);
    expect(out.text()).toContain('restore completed');
  });

  it('--yes: a Restore Velero ends PartiallyFailed is a Problem naming it', async () => {
    await loadRecorded();
    const out = output();
    try {
      const run = restoreCommand(
        { ...opts, yes: true, namespace: ['harbor'], waitTimeout: 60, pollMs: 100 },
        ctx(),
        NOW,
      );
      await velero('restores', 'PartiallyFailed', /-restore-/, { errors: 1 });
      await expect(run).rejects.toThrow('platform-20261130030012-restore-20261130120000 ended PartiallyFailed');
    } finally {
      out.restore();
    }
  });
});

describe('the --help examples, parsed by the real CLI program as printed, run against the real API server', () => {
  /** The options commander hands the command's action for the example, exactly as printed. */
  async function parsed(example: string): Promise<Record<string, any>> {
    const program = buildProgram();
    const words = example.split(' ').slice(1);
    const target =
      words[0] === 'backup'
        ? program.commands.find((c) => c.name() === 'backup')!.commands.find((c) => c.name() === words[1])!
        : program.commands.find((c) => c.name() === words[0])!;
    let got: Record<string, any> | undefined;
    target.action((o: Record<string, any>) => {
      got = o;
    });
    await program.parseAsync(words, { from: 'user' });
    return got!;
  }

  it(`${BACKUP_NOW_PLAN_EXAMPLE} / ${BACKUP_NOW_EXAMPLE} / ${BACKUP_LIST_EXAMPLE}`, async () => {
    const plan = await parsed(BACKUP_NOW_PLAN_EXAMPLE);
    expect(plan).toMatchObject({ inventory: 'inventory.yaml' });
    expect(plan.yes).toBeUndefined();
    const now = await parsed(BACKUP_NOW_EXAMPLE);
    expect(now).toMatchObject({ inventory: 'inventory.yaml', yes: true, wait: true, waitTimeout: 3600 });
    remote = new StandInRemote();
    const out = output();
    try {
      // The first example only shows the plan: no Backup is created.
      const before = (await list('backups')).length;
      await backupNowCommand({ ...(plan as any), yes: false, wait: false }, ctx());
      expect(out.text()).toContain('nothing changed; to take them: the same command with --yes');
      expect((await list('backups')).length).toBe(before);
      const run = backupNowCommand({ ...(now as any), pollMs: 100 }, ctx());
      await velero('backups', 'Completed', /-manual-/, {}, 2);
      await run;
      await backupListCommand({ ...(await parsed(BACKUP_LIST_EXAMPLE)) } as any, ctx());
    } finally {
      out.restore();
    }
    expect(out.text()).toContain('all backups completed');
    expect(out.text()).toMatch(/\nplatform-manual-\d{14} +platform +Completed /);
  });

  it(`${RESTORE_PLAN_EXAMPLE} / ${RESTORE_YES_EXAMPLE}`, async () => {
    await api.createNamespacedCustomObject({
      ...G,
      plural: 'backups',
      body: {
        apiVersion: 'velero.io/v1',
        kind: 'Backup',
        metadata: { name: 'labs-20261130030015', namespace: 'velero', labels: { 'velero.io/schedule-name': 'labs' } },
        spec: { includedNamespaces: ['course-netsec-*'], ttl: '720h0m0s' },
        status: {
          phase: 'Completed',
          startTimestamp: new Date().toISOString(),
          expiration: new Date(Date.now() + 86_400_000).toISOString(),
        },
      },
    });
    const plan = await parsed(RESTORE_PLAN_EXAMPLE);
    expect(plan).toMatchObject({ plan: true, namespace: ['course-netsec-firewalls'] });
    const yes = await parsed(RESTORE_YES_EXAMPLE);
    expect(yes).toMatchObject({ yes: true, namespace: ['course-netsec-firewalls'], waitTimeout: 3600 });
    const out = output();
    try {
      await restoreCommand({ ...(plan as any), yes: false }, ctx());
      expect(await list('restores')).toEqual([]);
      const run = restoreCommand({ ...(yes as any), pollMs: 100 }, ctx());
      await velero('restores', 'Completed', /-restore-/);
      await run;
    } finally {
      out.restore();
    }
    expect((await list('restores')).map((r) => r.spec.includedNamespaces)).toEqual([['course-netsec-firewalls']]);
  });
});
