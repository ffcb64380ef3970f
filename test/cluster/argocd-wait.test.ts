// The ArgoCD wait, `status`'s cluster sections and the hand-over's apply of the root Application, with the
// real @kubernetes/client-node client against a real kube-apiserver (test/kube: the pinned release on an
// embedded etcd). No Argo CD, Rook or cert-manager controller runs: the test writes the Application,
// CephCluster and Certificate objects and their status (status subresource) as those controllers would.
// Their CRDs come from test/kube/crds.ts (open specs: no upstream CRD schema in any registry package).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { listApplications, stuckMessage, waitForConvergence } from '../../installer/cluster/argocd-wait.ts';
import { clusterStatus, formatStatus } from '../../installer/cluster/status.ts';
import { applyRootApplication } from '../../installer/cluster/handover.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { K8sObject } from '../../installer/render/model.ts';
import { EXAMPLE } from '../helpers.ts';
import { freshNamespace, kubeConfig, kubeconfigPath, tokenKubeConfig, waitEstablished } from '../kube/client.ts';
import { applyObjects } from '../kube/apply.ts';
import { crdsFor } from '../kube/crds.ts';
import { startHarness, stopHarness } from '../kube/global-setup.ts';
import { TOKEN_USERS } from '../kube/identities.ts';

type Status = Record<string, unknown>;
const synced = (rev = '4b1f0c2') => ({
  sync: { status: 'Synced', revision: rev },
  health: { status: 'Healthy' },
  operationState: { phase: 'Succeeded', message: 'successfully synced (all tasks run)' },
});
const progressing = { sync: { status: 'OutOfSync' }, health: { status: 'Progressing' } };

const CRD_KINDS = [
  { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' },
  { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject' },
  { apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster' },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
];

/**
 * Creates the CRDs with kubectl and waits until they serve (bounded). Not with client-node's
 * KubernetesObjectApi: applied through it, the CRDs' `x-kubernetes-preserve-unknown-fields` did not reach
 * the server (it pruned every open spec and status), as with a kind it knows it serializes its own model.
 */
async function installCrds(kubeconfig: string) {
  const crds = crdsFor(CRD_KINDS);
  expect((await applyObjects(crds, { kubeconfig })).refused).toEqual([]);
  await waitEstablished(
    crds.map((c) => c.metadata.name),
    { kubeconfig },
  );
}

/** Writes a custom object and then its status through the status subresource, as its controller would. */
async function write(
  kc: k8s.KubeConfig,
  group: string,
  version: string,
  plural: string,
  namespace: string,
  name: string,
  status: Status,
  spec: Status = {},
) {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const kind = { applications: 'Application', cephclusters: 'CephCluster', certificates: 'Certificate' }[plural]!;
  let obj: { metadata: { resourceVersion?: string } };
  try {
    obj = await api.getNamespacedCustomObject({ group, version, namespace, plural, name });
  } catch {
    obj = await api.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: { apiVersion: `${group}/${version}`, kind, metadata: { name, namespace }, spec },
    });
  }
  await api.replaceNamespacedCustomObjectStatus({ group, version, namespace, plural, name, body: { ...obj, status } });
}
const writeApp = (kc: k8s.KubeConfig, ns: string, name: string, status: Status) =>
  write(kc, 'argoproj.io', 'v1alpha1', 'applications', ns, name, status, {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: name },
    source: {
      repoURL: 'https://git.example.edu/platform/cs-lab-site.git',
      path: `components/${name}`,
      targetRevision: 'main',
    },
  });

let kc: k8s.KubeConfig;
beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kubeconfigPath());
});

describe('ArgoCD wait against a real kube-apiserver (Application status written by the test)', () => {
  it('polls until every Application is Synced and Healthy', async () => {
    const ns = await freshNamespace('argocd-wait');
    await writeApp(kc, ns, 'root', synced());
    // Between polls the test plays Argo CD: the root app creates two apps, which then converge.
    const steps = [
      async () => {
        await writeApp(kc, ns, 'cert-manager', progressing);
        await writeApp(kc, ns, 'rook-ceph', progressing);
      },
      async () => {
        await writeApp(kc, ns, 'cert-manager', synced());
        await writeApp(kc, ns, 'rook-ceph', synced());
      },
    ];
    const seen: number[] = [];
    const r = await waitForConvergence(listApplications(kc, ns), {
      timeoutMs: 60_000,
      intervalMs: 1,
      minApps: 2,
      sleep: async () => {
        await steps.shift()?.();
      },
      onPoll: (a) => seen.push(a.length),
    });
    expect(r.converged).toBe(true);
    expect(r.polls).toBe(3);
    expect(seen).toEqual([1, 3, 3]);
    expect(r.apps.map((a) => `${a.name}:${a.sync}/${a.health}`)).toEqual([
      'cert-manager:Synced/Healthy',
      'rook-ceph:Synced/Healthy',
      'root:Synced/Healthy',
    ]);
  });

  it("keeps polling through an API error (the real server's 403 for a user without rights)", async () => {
    const ns = await freshNamespace('argocd-wait');
    await writeApp(kc, ns, 'root', synced());
    await writeApp(kc, ns, 'harbor', synced());
    let first = true;
    const asStudent = listApplications(tokenKubeConfig(TOKEN_USERS.gina!.token), ns);
    const asAdmin = listApplications(kc, ns);
    const errors: string[] = [];
    const r = await waitForConvergence(
      async () => {
        if (!first) return asAdmin();
        first = false;
        return asStudent().catch((e) => {
          errors.push(String((e as { code?: number }).code));
          throw e;
        });
      },
      { timeoutMs: 60_000, intervalMs: 1, minApps: 2, sleep: async () => undefined },
    );
    expect(errors).toEqual(['403']);
    expect(r.converged).toBe(true);
    expect(r.polls).toBe(2);
  });

  it("times out naming what is stuck, with ArgoCD's own reason", async () => {
    const ns = await freshNamespace('argocd-wait');
    await writeApp(kc, ns, 'root', synced());
    await writeApp(kc, ns, 'harbor', {
      sync: { status: 'OutOfSync' },
      health: { status: 'Degraded', message: 'Deployment harbor-core: 0 of 2 replicas available' },
      conditions: [
        {
          type: 'SyncError',
          message:
            'Failed sync attempt to 4b1f0c2: one or more objects failed to apply, reason: Internal error occurred: failed calling webhook "vharbor.kb.io": no endpoints available for service "harbor-webhook"',
        },
      ],
      operationState: { phase: 'Failed', message: 'one or more objects failed to apply' },
    });
    let slept = 0;
    const r = await waitForConvergence(listApplications(kc, ns), {
      timeoutMs: 1500,
      intervalMs: 100,
      minApps: 2,
      sleep: async (ms) => {
        slept += ms;
        await new Promise((res) => setTimeout(res, ms));
      },
    });
    expect(r.converged).toBe(false);
    expect(r.stuck.map((a) => a.name)).toEqual(['harbor']);
    const msg = stuckMessage(r, 1_800_000);
    expect(msg).toMatch(
      /^the platform did not converge within 1800 s; stuck: harbor \(OutOfSync\/Degraded: SyncError: Failed sync attempt/,
    );
    expect(msg).toContain('failed calling webhook "vharbor.kb.io": no endpoints available');
    expect(msg).toContain('Deployment harbor-core: 0 of 2 replicas available');
    expect(slept).toBeGreaterThan(0);
  });
});

// status reads cluster-wide (CephClusters, Certificates, BGP sessions) and the fixed argocd namespace, and
// the hand-over owns the root Application: on the shared server other test files write those too, so this
// part gets a server of its own.
describe("status and the hand-over's root Application against a kube-apiserver of their own", () => {
  let child: ChildProcess | undefined;
  let dir: string;
  let own: k8s.KubeConfig;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'labctl-kube-status-'));
    const h = await startHarness(dir);
    child = h.child;
    own = new k8s.KubeConfig();
    own.loadFromFile(h.kubeconfig);
    await installCrds(h.kubeconfig);
    const core = own.makeApiClient(k8s.CoreV1Api);
    for (const name of ['argocd', 'rook-ceph', 'harbor', 'monitoring'])
      await core.createNamespace({ body: { metadata: { name } } });
  }, 240_000);
  afterAll(async () => {
    if (child) await stopHarness(child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hand-over: the root AppProject and Application are server-side applied, and applying again changes nothing', async () => {
    const v = requireSite(EXAMPLE);
    if ('errors' in v) throw new Error('example inventory invalid');
    const log: string[] = [];
    await applyRootApplication(v.site, own, (l) => log.push(l));
    expect(log).toEqual(['hand-over: apply AppProject root', 'hand-over: apply Application root']);
    const api = own.makeApiClient(k8s.CustomObjectsApi);
    const get = () =>
      api.getNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: 'argocd',
        plural: 'applications',
        name: 'root',
      }) as Promise<K8sObject & { spec: { source: { path: string } } }>;
    const app = await get();
    expect(app.spec.source.path).toBe('apps');
    const managed =
      (app.metadata as { managedFields?: { manager?: string; operation?: string }[] }).managedFields ?? [];
    expect(managed.map((f) => `${f.manager}/${f.operation}`)).toEqual(['labctl/Apply']);
    await applyRootApplication(v.site, own, () => {});
    expect((await get()).metadata.resourceVersion).toBe(app.metadata.resourceVersion);
  });

  it('status: Applications, Ceph health and certificates from the API; a missing CRD says so', async () => {
    await writeApp(own, 'argocd', 'root', synced());
    await writeApp(own, 'argocd', 'harbor', {
      sync: { status: 'OutOfSync' },
      health: { status: 'Degraded', message: 'Deployment harbor-core: 0 of 2 replicas available' },
    });
    await write(own, 'ceph.rook.io', 'v1', 'cephclusters', 'rook-ceph', 'rook-ceph', {
      phase: 'Ready',
      ceph: {
        health: 'HEALTH_WARN',
        details: { MON_DISK_LOW: { message: 'mon a is low on available space', severity: 'HEALTH_WARN' } },
      },
    });
    await write(own, 'cert-manager.io', 'v1', 'certificates', 'harbor', 'harbor-tls', {
      notAfter: '2027-01-01T00:00:00Z',
      conditions: [{ type: 'Ready', status: 'True', message: 'Certificate is up to date and has not expired' }],
    });
    await write(own, 'cert-manager.io', 'v1', 'certificates', 'monitoring', 'grafana-tls', {
      conditions: [{ type: 'Ready', status: 'False', message: 'Issuing certificate as Secret does not exist' }],
    });
    const s = await clusterStatus(own);
    expect(s.applications).toMatchObject({ available: true });
    expect(s.ceph).toEqual({
      available: true,
      items: [
        { name: 'rook-ceph/rook-ceph', status: 'HEALTH_WARN', detail: 'MON_DISK_LOW: mon a is low on available space' },
      ],
    });
    expect(s.certificates).toMatchObject({
      available: true,
      items: [
        { name: 'harbor/harbor-tls', status: 'Ready', detail: 'expires 2027-01-01T00:00:00Z' },
        { name: 'monitoring/grafana-tls', status: 'NotReady', detail: 'Issuing certificate as Secret does not exist' },
      ],
    });
    // No frr-k8s CRD on this server: the real 404 of an unknown resource.
    expect(s.bgp).toEqual({ available: false, reason: 'API answered 404' });
    const text = formatStatus({ nodes: [], ...s });
    expect(text).toContain(
      'harbor                       OutOfSync  Degraded     Deployment harbor-core: 0 of 2 replicas available',
    );
    expect(text).toContain('root                         Synced     Healthy');
    expect(text).toContain('BGP SESSIONS\n  unavailable: API answered 404');
    // A message from the cluster that carries terminal controls (a retitle, a cursor move) is shown, not sent.
    const hostile = formatStatus({
      nodes: [],
      ...s,
      applications: {
        available: true,
        items: [{ name: 'labs-os101', sync: 'Synced', health: 'Degraded', message: 'bad \x1b]0;pwned\x07 \x1b[2J' }],
      },
    });
    expect(hostile).not.toMatch(/\x1b|\x07/);
    expect(hostile).toContain('bad \\x1b]0;pwned\\x07 \\x1b[2J');
  });
});
