// `labctl status`: one table of the nodes (SSH, kubelet, journal progress), ArgoCD's Applications and the
// platform's own health signals (Ceph health, BGP sessions, certificates). Every section answers on its
// own: an unreachable API gives "unavailable: <why>" for the cluster sections, not a failure of the rest.
import { showControls } from '../core/show-controls.ts';
import { existsSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import type { Site } from '../inventory/types.ts';
import { connectNode, errorText, forEachNode, type ClusterOptions } from './hosts.ts';
import { SshError } from '../ssh/remote.ts';
import type { Journal } from './journal.ts';
import type { Plan } from './plan.ts';
import { appState, listApplications, type AppState } from './argocd-wait.ts';
import { loadKubeconfigFile } from './kube-access.ts';

export interface NodeStatus {
  node: string;
  reachable: boolean;
  kubelet: string;
  member: boolean;
  steps: string;
  error?: string;
}
export interface Signal {
  name: string;
  status: string;
  detail?: string;
}
export type Section<T> = { available: true; items: T[] } | { available: false; reason: string };
export interface StatusReport {
  nodes: NodeStatus[];
  applications: Section<AppState>;
  ceph: Section<Signal>;
  bgp: Section<Signal>;
  certificates: Section<Signal>;
}

const NODE_PROBE = `set -u
if [ -e /etc/kubernetes/kubelet.conf ]; then echo member=yes; else echo member=no; fi
if [ -d /run/systemd/system ]; then echo "kubelet=$(systemctl is-active kubelet 2>/dev/null || true)"; else echo kubelet=no-systemd; fi
`;

export async function nodeStatus(site: Site, plan: Plan, journal: Journal, o: ClusterOptions): Promise<NodeStatus[]> {
  const res = await forEachNode(site.nodes, o, async (n) => {
    const h = await connectNode(n, o);
    try {
      return (await h.runScript(NODE_PROBE, { timeoutMs: 20_000, step: 'status' })).stdout;
    } finally {
      h.close();
    }
  });
  return site.nodes.map((n) => {
    const steps = plan.phases.flatMap((p) =>
      p.hosts.filter((h) => h.node === n.name).flatMap((h) => h.steps.filter((s) => !s.produces)),
    );
    const done = steps.filter((s) => journal.finished(n.name, s.id, s.inputs)).length;
    const r = res.get(n.name)!;
    if (!r.ok)
      return {
        node: n.name,
        reachable: false,
        kubelet: '?',
        member: false,
        steps: `${done}/${steps.length}`,
        // The row names the node: the reason without it ("node1 UNREACHABLE ... node1: cannot reach sshd").
        error: r.error instanceof SshError ? r.error.reason : errorText(r.error),
      };
    const kv = Object.fromEntries(
      r.value
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    return {
      node: n.name,
      reachable: true,
      kubelet: kv.kubelet || 'unknown',
      member: kv.member === 'yes',
      steps: `${done}/${steps.length}`,
    };
  });
}

async function section<T>(fn: () => Promise<T[]>): Promise<Section<T>> {
  try {
    return { available: true, items: await fn() };
  } catch (e) {
    const err = e as { code?: number; body?: unknown; message?: string };
    return { available: false, reason: err.code ? `API answered ${err.code}` : (err.message ?? String(e)) };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the status of any kind, read field by field where it is used
type Obj = { metadata?: { name?: string; namespace?: string }; status?: Record<string, any> };

export async function clusterStatus(kc: k8s.KubeConfig): Promise<Omit<StatusReport, 'nodes'>> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const all = async (group: string, version: string, plural: string) =>
    ((await api.listClusterCustomObject({ group, version, plural })) as { items?: Obj[] }).items ?? [];
  const apps = listApplications(kc);
  const [applications, ceph, bgp, certificates] = await Promise.all([
    section(async () => (await apps()).map(appState)),
    section(async () =>
      (await all('ceph.rook.io', 'v1', 'cephclusters')).map(
        (c): Signal => ({
          name: `${c.metadata?.namespace}/${c.metadata?.name}`,
          status: c.status?.ceph?.health ?? c.status?.phase ?? 'Unknown',
          ...(c.status?.ceph?.details
            ? {
                detail: Object.entries(c.status.ceph.details as Record<string, { message?: string }>)
                  .map(([k, v]) => `${k}: ${v.message ?? ''}`)
                  .join('; '),
              }
            : {}),
        }),
      ),
    ),
    // frr-k8s (MetalLB's BGP backend since 0.16) publishes one BGPSessionState per node and peer.
    section(async () =>
      (await all('frrk8s.metallb.io', 'v1beta1', 'bgpsessionstates')).map(
        (s): Signal => ({
          name: s.metadata?.name ?? '?',
          status: s.status?.bgpStatus ?? 'Unknown',
          ...(s.status?.peer ? { detail: `peer ${s.status.peer}` } : {}),
        }),
      ),
    ),
    section(async () =>
      (await all('cert-manager.io', 'v1', 'certificates')).map((c): Signal => {
        const ready = (c.status?.conditions as { type: string; status: string; message?: string }[] | undefined)?.find(
          (x) => x.type === 'Ready',
        );
        return {
          name: `${c.metadata?.namespace}/${c.metadata?.name}`,
          status: ready?.status === 'True' ? 'Ready' : 'NotReady',
          ...(c.status?.notAfter
            ? {
                detail: `expires ${c.status.notAfter}${ready?.status !== 'True' && ready?.message ? `; ${ready.message}` : ''}`,
              }
            : ready?.message
              ? { detail: ready.message }
              : {}),
        };
      }),
    ),
  ]);
  return { applications, ceph, bgp, certificates };
}

export function loadKubeconfig(file: string): k8s.KubeConfig | string {
  if (!existsSync(file)) return `no admin kubeconfig at ${file} (labctl up writes it after kubeadm init)`;
  return loadKubeconfigFile(file);
}

/** What is not healthy, one line each; empty when all is well. `labctl status` exits 1 unless it is empty. */
export function statusProblems(r: StatusReport): string[] {
  const out: string[] = [];
  for (const n of r.nodes) {
    if (!n.reachable) out.push(`node ${n.node} is unreachable`);
    else if (n.member && n.kubelet !== 'active') out.push(`node ${n.node}: kubelet ${n.kubelet}`);
  }
  const sec = <T>(title: string, s: Section<T>, bad: (t: T) => string | null) => {
    if (!s.available) out.push(`${title} unavailable: ${s.reason}`);
    else
      for (const i of s.items) {
        const b = bad(i);
        if (b) out.push(`${title} ${b}`);
      }
  };
  sec('application', r.applications, (a) =>
    a.sync === 'Synced' && a.health === 'Healthy' ? null : `${a.name} is ${a.sync}/${a.health}`,
  );
  sec('ceph', r.ceph, (c) => (c.status === 'HEALTH_OK' ? null : `${c.name} is ${c.status}`));
  sec('bgp', r.bgp, (b) => (b.status === 'Established' ? null : `session ${b.name} is ${b.status}`));
  sec('certificate', r.certificates, (c) => (c.status === 'Ready' ? null : `${c.name} is ${c.status}`));
  return out;
}

export function formatStatus(r: StatusReport): string {
  const out: string[] = [
    'NODES',
    ...r.nodes.map(
      (n) =>
        `  ${n.node.padEnd(12)} ${n.reachable ? 'reachable' : 'UNREACHABLE'}  kubelet ${n.kubelet.padEnd(10)} ${n.member ? 'member' : 'not joined'}  steps ${n.steps}${n.error ? `  ${n.error}` : ''}`,
    ),
  ];
  const sec = <T>(title: string, s: Section<T>, line: (t: T) => string) => {
    out.push('', title);
    if (!s.available) out.push(`  unavailable: ${s.reason}`);
    else if (s.items.length === 0) out.push('  (none)');
    else out.push(...s.items.map((i) => `  ${line(i)}`));
  };
  sec('ARGOCD APPLICATIONS', r.applications, (a) =>
    `${a.name.padEnd(28)} ${a.sync.padEnd(10)} ${a.health.padEnd(12)} ${a.message ?? ''}`.trimEnd(),
  );
  const sig = (s: Signal) => `${s.name.padEnd(36)} ${s.status}${s.detail ? `  ${s.detail}` : ''}`;
  sec('CEPH', r.ceph, sig);
  sec('BGP SESSIONS', r.bgp, sig);
  sec('CERTIFICATES', r.certificates, sig);
  // Names and messages come from the cluster (an Application's message may quote a repository file course
  // staff wrote): each line's control characters are shown, never sent to the terminal.
  return out.map((l) => showControls(l)).join('\n') + '\n';
}
