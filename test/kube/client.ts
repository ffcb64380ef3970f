// Helpers for tests that use the real kube-apiserver started by test/kube/global-setup.ts:
// its admin kubeconfig, the real kubectl against it (optionally impersonating a user and groups), a fresh
// namespace per test, and the real authorizer through SubjectAccessReview.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { inject } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const KUBECTL = join(ROOT, '.tools/bin/kubectl');

/** The admin kubeconfig file of the shared server; throws the harness's own reason when it has none. */
export function kubeconfigPath(): string {
  const k = inject('kube');
  if (!k?.kubeconfig)
    throw new Error(
      `no kube-apiserver for this run: ${k?.error ?? 'test/kube/global-setup.ts is not in vitest.config.ts globalSetup'}`,
    );
  return k.kubeconfig;
}

export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** A kubeconfig for a token user of identities.ts (authenticated by the server's token file). */
export function tokenKubeConfig(token: string): k8s.KubeConfig {
  const admin = kubeConfig();
  const cluster = admin.getCurrentCluster()!;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'harness', server: cluster.server, caFile: cluster.caFile }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'c', cluster: 'harness', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

export interface Identity {
  user: string;
  groups?: string[];
}
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real kubectl against the shared server (or `kubeconfig`); `as` impersonates (--as/--as-group). Bounded: 120 s. */
export function kubectl(
  args: string[],
  o: { stdin?: string; as?: Identity; timeoutMs?: number; kubeconfig?: string } = {},
): Promise<KubectlResult> {
  const imp = o.as ? ['--as', o.as.user, ...(o.as.groups ?? []).flatMap((g) => ['--as-group', g])] : [];
  return new Promise((res) => {
    const p = execFile(
      KUBECTL,
      ['--kubeconfig', o.kubeconfig ?? kubeconfigPath(), ...imp, ...args],
      { encoding: 'utf8', maxBuffer: 64 << 20, timeout: o.timeoutMs ?? 120_000 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : null
          : 0;
        res({ code, stdout, stderr });
      },
    );
    p.stdin!.on('error', () => {});
    p.stdin!.end(o.stdin ?? '');
  });
}

/** kubectl that must succeed; its stderr is the error otherwise. */
export async function kubectlOk(args: string[], o: Parameters<typeof kubectl>[1] = {}): Promise<string> {
  const r = await kubectl(args, o);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Waits (bounded, 60 s) until each named CRD is Established. Not `kubectl wait --for=condition=Established`:
 * it fails at once ("accessor error: <nil>") on a CRD whose conditions are not written yet, which under load
 * happened to CRDs another test file had just created (one shared server). A missing condition is waiting.
 */
export async function waitEstablished(
  names: string[],
  o: { kubeconfig?: string; timeoutMs?: number } = {},
): Promise<void> {
  const limit = o.timeoutMs ?? 60_000;
  const deadline = Date.now() + limit;
  let pending = [...new Set(names)];
  while (pending.length) {
    const r = await kubectl(['get', '--ignore-not-found', ...pending.map((n) => `crd/${n}`), '-o', 'json'], {
      kubeconfig: o.kubeconfig,
    });
    if (r.code === 0 && r.stdout.trim()) {
      type Crd = { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] | null } };
      // One name prints the object itself, several a List.
      const got = JSON.parse(r.stdout) as Crd & { items?: Crd[] };
      const ready = new Set(
        (got.items ?? [got])
          .filter((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'))
          .map((c) => c.metadata.name),
      );
      pending = pending.filter((n) => !ready.has(n));
      if (!pending.length) return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `CRDs not Established after ${limit / 1000} s: ${pending.join(', ')}${r.code ? ` (${r.stderr.trim()})` : ''}`,
      );
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** A namespace no other test uses: `<prefix>-<random>`, with the given labels. */
export async function freshNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
  await k8s.KubernetesObjectApi.makeApiClient(kubeConfig()).create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels },
  } as k8s.KubernetesObject);
  return name;
}

export interface Access {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The real RBAC authorizer's answer for an identity (SubjectAccessReview, created as the admin). */
export async function allowed(who: Identity, a: Access): Promise<boolean> {
  const api = kubeConfig().makeApiClient(k8s.AuthorizationV1Api);
  const r = await api.createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: who.user,
        groups: who.groups ?? [],
        resourceAttributes: {
          verb: a.verb,
          resource: a.resource,
          group: a.group ?? '',
          subresource: a.subresource,
          namespace: a.namespace,
          name: a.name,
        },
      },
    },
  });
  return r.status?.allowed === true;
}
