// docs/disaster-drill.md, command by command: every line of its ```sh blocks is classified below, either RUN
// here as written (real bash, the real labctl, the real kubectl against the real kube-apiserver of
// test/kube/) or NOT RUN with the reason; a line added to the page without a classification fails the test.
// One stand-in: the test API server has no namespace controller, so the test finalizes the deleted
// namespaces (STAND-IN namespace controller) before `kubectl wait --for=delete` runs as written.
import { type ChildProcess, execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { startHarness, stopHarness } from '../kube/global-setup.ts';

const DOC = join(ROOT, 'docs/disaster-drill.md');
const NOT_HERE = 'needs the servers (tested on the fake rack with a stand-in kubeadm: test/cluster/up.test.ts)';
const BACKUP_SECTION =
  "needs the inventory's backup: section, not on main yet: its command functions run against the real API server in test/backup/backup-kube.test.ts";
/** Every command line of the page: 'run', or why it is not run here. */
const CLASSIFIED: Record<string, string> = {
  'git clone https://git.campus.example.edu/it/cs-lab-site.git && cd cs-lab-site':
    'the campus Git server is not reachable (network rule); the test starts in a copy of the site repository',
  'export LABCTL_AGE_KEY_FILE="$HOME/site.agekey"': 'run',
  'labctl validate inventory.yaml': 'run',
  'labctl preflight -i inventory.yaml': NOT_HERE,
  'labctl up -i inventory.yaml': NOT_HERE,
  'export KUBECONFIG="${LABCTL_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/labctl/cs-lab}/admin.conf"': 'run',
  'labctl backup list -i inventory.yaml': BACKUP_SECTION,
  'labctl restore --plan -i inventory.yaml': BACKUP_SECTION,
  'kubectl -n argocd scale statefulset argocd-application-controller --replicas=0': 'run',
  'kubectl delete namespace harbor keycloak course-netsec-web --wait=false': 'run',
  'kubectl wait --for=delete namespace/harbor namespace/keycloak namespace/course-netsec-web --timeout=10m': 'run',
  'labctl secrets apply -r .':
    'needs the site key and a store with every entry of the example; secrets apply against a real API server: test/cluster/deliver-secrets.test.ts',
  'labctl restore --yes --namespace harbor --namespace keycloak --namespace course-netsec-web -i inventory.yaml':
    BACKUP_SECTION,
  'kubectl -n argocd scale statefulset argocd-application-controller --replicas=1': 'run',
  'labctl status -i inventory.yaml': NOT_HERE,
  'labctl backup now -i inventory.yaml --yes --wait': BACKUP_SECTION,
  'age -d -i ~/.config/labctl/site.agekey secrets/entries/backup-etcd-password.age': 'age is not installed here',
  'restic -r s3:https://s3.campus.example.edu/labcloud-backups/etcd/cs-lab snapshots --host cp1 --latest 1':
    'restic is not installed here and no S3 target is reachable',
  'restic -r s3:https://s3.campus.example.edu/labcloud-backups/etcd/cs-lab restore latest --host cp1 --target /root/etcd-restore':
    'restic is not installed here and no S3 target is reachable',
  'etcdutl snapshot restore /root/etcd-restore/var/lib/labctl/etcd-backup/etcd-snapshot.db --data-dir /var/lib/etcd --name cp1 --initial-cluster cp1=https://10.0.1.11:2380 --initial-advertise-peer-urls https://10.0.1.11:2380':
    'etcdutl is not installed here (and it writes /var/lib/etcd of a control plane)',
};

const lines = [...readFileSync(DOC, 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]!.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')),
);

const tmp = mkdtempSync(join(tmpdir(), 'labctl-drill-'));
const site = join(tmp, 'cs-lab-site');
const home = join(tmp, 'home');
const state = join(home, '.local/state/labctl/cs-lab');
const times: [string, number][] = [];

function bash(line: string, label = line): Promise<{ code: number; out: string; stdout: string }> {
  const t0 = Date.now();
  return new Promise((res) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', line],
      {
        cwd: site,
        encoding: 'utf8',
        timeout: 120_000,
        env: { PATH: `${join(tmp, 'bin')}:${join(ROOT, '.tools/bin')}:${process.env.PATH}`, HOME: home },
      },
      (err, stdout, stderr) => {
        times.push([label, Date.now() - t0]);
        res({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: stdout + stderr, stdout });
      },
    );
  });
}
/** A run line as written, after the page's export lines (each line runs in its own bash). */
const exports = () => lines.filter((l) => l.startsWith('export ')).join('; ');
const runLine = (l: string) => bash(`${exports()}; ${l}`, l);

// A kube-apiserver of its own: the drill deletes the platform namespaces (harbor, keycloak), which other
// files deliver Secrets into on the shared server while they run beside this one (404 namespace not found).
let harness: ChildProcess | undefined;
let kubeconfig = '';
const kubeConfig = () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc;
};

beforeAll(async () => {
  mkdirSync(join(tmp, 'kube'));
  const h = await startHarness(join(tmp, 'kube'));
  harness = h.child;
  kubeconfig = h.kubeconfig;
  mkdirSync(site, { recursive: true });
  mkdirSync(state, { recursive: true });
  mkdirSync(join(tmp, 'bin'));
  writeFileSync(
    join(tmp, 'bin', 'labctl'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/labctl.js')}" "$@"\n`,
    { mode: 0o755 },
  );
  copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
  // labctl up writes <state dir>/admin.conf; here it is the test API server's admin kubeconfig.
  symlinkSync(kubeconfig, join(state, 'admin.conf'));
  const kc = kubeConfig();
  const objs = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const name of ['argocd', 'harbor', 'keycloak', 'course-netsec-web'])
    await objs.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch((e) => {
      if (e.code !== 409) throw e;
    });
  // The application controller as the argo-cd chart (10.1.1, release argocd, nameOverride argocd) names it.
  await kc
    .makeApiClient(k8s.AppsV1Api)
    .createNamespacedStatefulSet({
      namespace: 'argocd',
      body: {
        metadata: { name: 'argocd-application-controller' },
        spec: {
          replicas: 1,
          serviceName: 'argocd-application-controller',
          selector: { matchLabels: { app: 'c' } },
          template: {
            metadata: { labels: { app: 'c' } },
            spec: { containers: [{ name: 'c', image: 'quay.io/argoproj/argocd:v3.4.4' }] },
          },
        },
      },
    })
    .catch((e) => {
      if (e.code !== 409) throw e;
    });
}, 120_000);

afterAll(async () => {
  if (harness) await stopHarness(harness);
  console.log(`drill: ${times.map(([l, ms]) => `${l}: ${ms} ms`).join('; ')}`);
  rmSync(tmp, { recursive: true, force: true });
});

const replicas = async () =>
  (
    await kubeConfig()
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedStatefulSet({ name: 'argocd-application-controller', namespace: 'argocd' })
  ).spec?.replicas;

describe('docs/disaster-drill.md, run as written where it can run here (real bash, labctl, kubectl, kube-apiserver; STAND-IN namespace controller)', () => {
  it('every command line of the page is classified (run here, or why not)', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.filter((l) => !(l in CLASSIFIED))).toEqual([]);
    expect(Object.keys(CLASSIFIED).filter((l) => !lines.includes(l))).toEqual([]);
  });

  it('step 2: the site key variable and labctl validate, in the site repository', async () => {
    const r = await runLine('labctl validate inventory.yaml');
    expect(r.code, r.out).toBe(0);
    const k = await bash('export LABCTL_AGE_KEY_FILE="$HOME/site.agekey"; printf %s "$LABCTL_AGE_KEY_FILE"');
    expect(k.stdout).toBe(join(home, 'site.agekey'));
  });

  it('steps 6 and 8: ArgoCD stopped, the state namespaces emptied and waited for, ArgoCD started again', async () => {
    expect(lines.filter((l) => CLASSIFIED[l] === 'run' && l.startsWith('kubectl'))).toHaveLength(4);
    let r = await runLine('kubectl -n argocd scale statefulset argocd-application-controller --replicas=0');
    expect(r.code, r.out).toBe(0);
    expect(await replicas()).toBe(0);
    r = await runLine('kubectl delete namespace harbor keycloak course-netsec-web --wait=false');
    expect(r.code, r.out).toBe(0);
    // STAND-IN namespace controller: the namespaces are empty; finalize them as kube-controller-manager would.
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    for (const name of ['harbor', 'keycloak', 'course-netsec-web']) {
      const ns = await core.readNamespace({ name });
      expect(ns.metadata?.deletionTimestamp, name).toBeTruthy();
      await core.replaceNamespaceFinalize({ name, body: { ...ns, spec: { finalizers: [] } } });
    }
    r = await runLine(
      'kubectl wait --for=delete namespace/harbor namespace/keycloak namespace/course-netsec-web --timeout=10m',
    );
    expect(r.code, r.out).toBe(0);
    const left = (await core.listNamespace()).items.map((n) => n.metadata!.name);
    expect(left).not.toContain('keycloak');
    r = await runLine('kubectl -n argocd scale statefulset argocd-application-controller --replicas=1');
    expect(r.code, r.out).toBe(0);
    expect(await replicas()).toBe(1);
  });
});
