// Waiting for the platform to converge: polls ArgoCD's Applications (sync and health) through the
// Kubernetes API with @kubernetes/client-node until all are Synced and Healthy, or the time is up; then
// it names what is stuck and why (ArgoCD's own condition / operation messages).
import * as k8s from '@kubernetes/client-node';

export interface AppState {
  name: string;
  sync: string;
  health: string;
  message?: string;
}
export interface WaitResult {
  converged: boolean;
  apps: AppState[];
  stuck: AppState[];
  polls: number;
  elapsedMs: number;
}

interface ArgoApp {
  metadata?: { name?: string };
  status?: {
    sync?: { status?: string };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; message?: string };
    conditions?: { type?: string; message?: string }[];
  };
}

export function appState(a: ArgoApp): AppState {
  const st = a.status ?? {};
  const msgs = [
    ...(st.conditions ?? []).filter((c) => /Error|Warning/.test(c.type ?? '')).map((c) => `${c.type}: ${c.message}`),
    ...(st.operationState && st.operationState.phase !== 'Succeeded' && st.operationState.message
      ? [`${st.operationState.phase}: ${st.operationState.message}`]
      : []),
    ...(st.health?.message ? [st.health.message] : []),
  ];
  return {
    name: a.metadata?.name ?? '?',
    sync: st.sync?.status ?? 'Unknown',
    health: st.health?.status ?? 'Unknown',
    ...(msgs.length ? { message: msgs.join('; ') } : {}),
  };
}

export const converged = (a: AppState) => a.sync === 'Synced' && a.health === 'Healthy';

export type ListApps = () => Promise<ArgoApp[]>;

/** Applications of a namespace through the API server's custom-objects endpoint. */
export function listApplications(kc: k8s.KubeConfig, namespace = 'argocd'): ListApps {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  return async () => {
    const list = (await api.listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace,
      plural: 'applications',
    })) as { items?: ArgoApp[] };
    return list.items ?? [];
  };
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** At least this many Applications must exist (the root app creates the others). Default 1. */
  minApps?: number;
  onPoll?: (apps: AppState[]) => void;
  sleep?: (ms: number) => Promise<void>;
}

export async function waitForConvergence(list: ListApps, o: WaitOptions): Promise<WaitResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const t0 = Date.now();
  let apps: AppState[] = [];
  let polls = 0;
  let lastError: string | undefined;
  for (;;) {
    polls++;
    try {
      apps = (await list()).map(appState).sort((a, b) => (a.name < b.name ? -1 : 1));
      lastError = undefined;
      o.onPoll?.(apps);
      if (apps.length >= (o.minApps ?? 1) && apps.every(converged))
        return { converged: true, apps, stuck: [], polls, elapsedMs: Date.now() - t0 };
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() - t0 + o.intervalMs > o.timeoutMs) break;
    await sleep(o.intervalMs);
  }
  const stuck = apps.filter((a) => !converged(a));
  if (lastError)
    stuck.push({ name: '(api)', sync: 'Unknown', health: 'Unknown', message: `last poll failed: ${lastError}` });
  if (apps.length < (o.minApps ?? 1))
    stuck.push({
      name: '(root)',
      sync: 'Unknown',
      health: 'Unknown',
      message: `only ${apps.length} Application(s) exist`,
    });
  return { converged: false, apps, stuck, polls, elapsedMs: Date.now() - t0 };
}

/** "argocd did not converge in 600 s: harbor (OutOfSync/Progressing: ...), ..." */
export function stuckMessage(r: WaitResult, timeoutMs: number): string {
  return (
    `the platform did not converge within ${Math.round(timeoutMs / 1000)} s; stuck: ` +
    r.stuck.map((a) => `${a.name} (${a.sync}/${a.health}${a.message ? `: ${a.message}` : ''})`).join(', ')
  );
}
