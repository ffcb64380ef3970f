// Velero through the Kubernetes API (@kubernetes/client-node, the admin kubeconfig): list Backups and
// Schedules, create Backups and Restores, wait for them (bounded), and read what the cluster holds now
// (namespaces and KubeVirt VirtualMachines) for the restore plan.
import * as k8s from '@kubernetes/client-node';
import { Problem } from '../core/diagnostics.ts';
import { unreachableWith } from '../cluster/kube-access.ts';
import { showControls } from '../core/show-controls.ts';
import {
  BACKUP_DONE,
  RESTORE_DONE,
  VELERO_GROUP,
  VELERO_NAMESPACE,
  VELERO_VERSION,
  type VeleroBackup,
  type VeleroRestore,
  type VeleroSchedule,
} from './velero.ts';
import type { ClusterNow } from './restore-plan.ts';

const custom = (kc: k8s.KubeConfig) => kc.makeApiClient(k8s.CustomObjectsApi);
const at = { group: VELERO_GROUP, version: VELERO_VERSION, namespace: VELERO_NAMESPACE };

/**
 * An API error as one line (the status code and the server's message, not the client's stack): a Problem the
 * user can act on. A server not reached at all is named with the kubeconfig it came from (kube-access.ts).
 */
export function apiError(kc: k8s.KubeConfig, e: unknown, what: string): Problem {
  const unreached = unreachableWith(e, kc);
  if (unreached) return new Problem(`${what}: ${unreached}`);
  const err = e as { code?: unknown; body?: unknown; message?: string };
  let msg = err.message ?? String(e);
  if (typeof err.code === 'number') {
    let body = err.body;
    if (typeof body === 'string')
      try {
        body = JSON.parse(body);
      } catch {}
    msg = `API answered ${err.code}${(body as { message?: string })?.message ? `: ${(body as { message: string }).message}` : ''}`;
  }
  if (err.code === 404 || /the server could not find the requested resource/.test(msg))
    msg += ' (is the velero component synced? its CRDs install with it)';
  return new Problem(`${what}: ${msg}`);
}

async function list<T>(kc: k8s.KubeConfig, plural: string): Promise<T[]> {
  try {
    const r = (await custom(kc).listNamespacedCustomObject({ ...at, plural })) as { items?: T[] };
    return r.items ?? [];
  } catch (e) {
    throw apiError(kc, e, `listing ${plural}.${VELERO_GROUP} in namespace ${VELERO_NAMESPACE}`);
  }
}

export const listBackups = (kc: k8s.KubeConfig) => list<VeleroBackup>(kc, 'backups');
export const listSchedules = (kc: k8s.KubeConfig) => list<VeleroSchedule>(kc, 'schedules');

export async function createObject<T extends { metadata: { name?: string } }>(
  kc: k8s.KubeConfig,
  plural: 'backups' | 'restores',
  body: T,
): Promise<T> {
  try {
    return (await custom(kc).createNamespacedCustomObject({ ...at, plural, body })) as T;
  } catch (e) {
    throw apiError(kc, e, `creating ${plural.slice(0, -1)} ${body.metadata.name}`);
  }
}

async function getObject<T>(kc: k8s.KubeConfig, plural: string, name: string): Promise<T> {
  try {
    return (await custom(kc).getNamespacedCustomObject({ ...at, plural, name })) as T;
  } catch (e) {
    throw apiError(kc, e, `reading ${plural.slice(0, -1)} ${name}`);
  }
}

export interface WaitOptions {
  timeoutSec: number;
  /** Between polls. Default 5 s. */
  intervalMs?: number;
  onProgress?: (line: string) => void;
}

/** Polls the objects until each reached a final phase or the time is up; returns the last phase of each. */
export async function waitPhases(
  kc: k8s.KubeConfig,
  plural: 'backups' | 'restores',
  names: string[],
  o: WaitOptions,
): Promise<{ done: boolean; phases: Map<string, { phase: string; line: string }> }> {
  const final = plural === 'backups' ? BACKUP_DONE : RESTORE_DONE;
  const interval = o.intervalMs ?? 5000;
  const deadline = Date.now() + o.timeoutSec * 1000;
  const phases = new Map<string, { phase: string; line: string }>();
  const maxPolls = Math.ceil((o.timeoutSec * 1000) / interval) + 1;
  for (let poll = 0; poll < maxPolls; poll++) {
    for (const name of names) {
      if (final.has(phases.get(name)?.phase ?? '')) continue;
      const obj = await getObject<VeleroBackup | VeleroRestore>(kc, plural, name);
      const st = (obj.status ?? {}) as VeleroBackup['status'] & {};
      const phase = st.phase || 'New';
      const p = st.progress;
      const items =
        p && p.totalItems !== undefined
          ? ` ${p.itemsBackedUp ?? (p as { itemsRestored?: number }).itemsRestored ?? 0}/${p.totalItems} items`
          : '';
      const counts = st.errors || st.warnings ? ` (${st.errors ?? 0} errors, ${st.warnings ?? 0} warnings)` : '';
      // Status text is Velero's, or the bucket's for synced objects: shown, never acting on a terminal.
      const line = showControls(`${name}: ${phase}${items}${counts}${st.failureReason ? `: ${st.failureReason}` : ''}`);
      if (phases.get(name)?.line !== line) o.onProgress?.(line);
      phases.set(name, { phase, line });
    }
    if (names.every((n) => final.has(phases.get(n)!.phase))) return { done: true, phases };
    if (Date.now() + interval > deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  return { done: false, phases };
}

/** Every namespace now, with its KubeVirt VirtualMachines (none when KubeVirt's CRD is not installed). */
export async function clusterNow(kc: k8s.KubeConfig): Promise<ClusterNow> {
  const out: ClusterNow = new Map();
  try {
    const nss = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    for (const n of nss.items) out.set(n.metadata!.name!, { vms: [] });
  } catch (e) {
    throw apiError(kc, e, 'listing namespaces');
  }
  let vms: { metadata?: { name?: string; namespace?: string } }[] = [];
  try {
    vms =
      (
        (await custom(kc).listClusterCustomObject({
          group: 'kubevirt.io',
          version: 'v1',
          plural: 'virtualmachines',
        })) as {
          items?: typeof vms;
        }
      ).items ?? [];
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw apiError(kc, e, 'listing kubevirt.io VirtualMachines');
  }
  for (const vm of vms) out.get(vm.metadata?.namespace ?? '')?.vms.push(vm.metadata?.name ?? '?');
  for (const v of out.values()) v.vms.sort();
  return out;
}
