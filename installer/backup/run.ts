// The backup commands' work, apart from the CLI: read the listings, plan, and (only when asked) create the
// Velero Backups and Restore and start the etcd snapshot. The SSH side goes through `Remote` (the upgrade
// commands' StepRunner in the CLI), so the same functions run against any host that answers.
import type * as k8s from '@kubernetes/client-node';
import type { Site } from '../inventory/types.ts';
import { LIST_SCRIPT, SNAPSHOT_NOW_SCRIPT, firstControlPlane, parseResticSnapshots } from './etcd.ts';
import type { BackupNowPlan, Listing } from './format.ts';
import { planRestore, type RestorePlan, type RestoreRequest } from './restore-plan.ts';
import { optedOutCourses } from './settings.ts';
import { backupFromSchedule, backupInfo, newestFirst } from './velero.ts';
import { clusterNow, createObject, listBackups, listSchedules, waitPhases } from './velero-api.ts';

export interface Remote {
  run(host: string, script: string, step: string, timeoutSec: number, onNote?: (m: string) => void): Promise<string>;
}

/** How long the snapshot service may take (etcdctl snapshot save, restic backup and forget --prune). */
export const SNAPSHOT_TIMEOUT_SEC = 1800;

/** The etcd snapshots, read with restic on the first control plane; an error is reported in its place. */
export async function listEtcdSnapshots(site: Site, remote: Remote): Promise<Listing['etcd']> {
  const node = firstControlPlane(site).name;
  try {
    return { node, snapshots: parseResticSnapshots(await remote.run(node, LIST_SCRIPT, 'backup-list', 120)) };
  } catch (e) {
    return { node, error: (e as Error).message };
  }
}

/** Starts the snapshot service on the node and waits for it; the error text when it failed. */
export async function takeEtcdSnapshot(remote: Remote, node: string): Promise<{ ok: boolean; error?: string }> {
  try {
    await remote.run(node, SNAPSHOT_NOW_SCRIPT, 'etcd-snapshot', SNAPSHOT_TIMEOUT_SEC);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Both listings; an etcd side that does not answer is reported in its place, not as a failure of the whole. */
export async function listAll(site: Site, kc: k8s.KubeConfig, remote: Remote): Promise<Listing> {
  const velero = (await listBackups(kc)).map(backupInfo).sort(newestFirst);
  return { velero, etcd: await listEtcdSnapshots(site, remote) };
}

/** One Backup per Velero Schedule, and the etcd snapshot on the first control plane. */
export async function planBackupNow(site: Site, kc: k8s.KubeConfig, now: Date): Promise<BackupNowPlan> {
  const schedules = (await listSchedules(kc)).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  return {
    backups: schedules.map((s) => ({
      schedule: s.metadata.name!,
      paused: !!s.spec.paused,
      backup: backupFromSchedule(s, now),
    })),
    etcdNode: firstControlPlane(site).name,
  };
}

export interface BackupNowResult {
  created: string[];
  etcd: { node: string; ok: boolean; error?: string };
  /** Final phase per Backup when waited for; null when not waited. */
  phases: Record<string, string> | null;
  waitTimedOut: boolean;
}

export async function runBackupNow(
  kc: k8s.KubeConfig,
  remote: Remote,
  plan: BackupNowPlan,
  o: { waitSec?: number; pollMs?: number; log: (s: string) => void },
): Promise<BackupNowResult> {
  const created: string[] = [];
  for (const b of plan.backups) {
    await createObject(kc, 'backups', b.backup);
    created.push(b.backup.metadata.name!);
    o.log(`created Backup ${b.backup.metadata.name}\n`);
  }
  o.log(`etcd snapshot on ${plan.etcdNode}: started\n`);
  const etcd = { node: plan.etcdNode, ...(await takeEtcdSnapshot(remote, plan.etcdNode)) };
  o.log(`etcd snapshot on ${plan.etcdNode}: ${etcd.ok ? 'done' : `FAILED: ${etcd.error}`}\n`);
  if (o.waitSec === undefined || !created.length) return { created, etcd, phases: null, waitTimedOut: false };
  const w = await waitPhases(kc, 'backups', created, {
    timeoutSec: o.waitSec,
    intervalMs: o.pollMs,
    onProgress: (l) => o.log(`  ${l}\n`),
  });
  return {
    created,
    etcd,
    phases: Object.fromEntries([...w.phases].map(([n, p]) => [n, p.phase])),
    waitTimedOut: !w.done,
  };
}

export async function planRestoreFromCluster(
  site: Site,
  kc: k8s.KubeConfig,
  request: RestoreRequest,
  now: Date,
): Promise<RestorePlan> {
  const [backups, cluster] = await Promise.all([listBackups(kc), clusterNow(kc)]);
  return planRestore({ backups: backups.map(backupInfo), now, request, cluster, optedOut: optedOutCourses(site) });
}

export interface RestoreResult {
  restores: { name: string; phase: string }[];
  timedOut: boolean;
}

export async function runRestore(
  kc: k8s.KubeConfig,
  plan: RestorePlan,
  o: { waitSec: number; pollMs?: number; log: (s: string) => void },
): Promise<RestoreResult> {
  const names: string[] = [];
  for (const r of plan.restores) {
    await createObject(kc, 'restores', r.restore);
    names.push(r.restore.metadata.name!);
    o.log(`created Restore ${r.restore.metadata.name} (backup ${r.backup.name})\n`);
  }
  const w = await waitPhases(kc, 'restores', names, {
    timeoutSec: o.waitSec,
    intervalMs: o.pollMs,
    onProgress: (l) => o.log(`  ${l}\n`),
  });
  return { restores: names.map((n) => ({ name: n, phase: w.phases.get(n)?.phase ?? 'New' })), timedOut: !w.done };
}
