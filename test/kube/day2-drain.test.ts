// The kubectl calls of labctl upgrade and remove (cordon and drain, wait-Ready and uncordon, get nodes,
// delete node), their rendered scripts run by real bash with the REAL kubectl against the REAL
// kube-apiserver of the harness (test/kube/global-setup.ts). There is no kubelet or controller manager:
// the node and its status are written through the API, and a pod on it never really stops; so this proves
// what the API does with our calls (a PodDisruptionBudget refuses the eviction, the node stays cordoned),
// not a full drain.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../installer/render/text.ts';
import '../../installer/cluster/shell.ts';
import { READY_TRIES } from '../../installer/cluster/upgrade/plan.ts';
import { OBSERVE_SCRIPT, parseObserved } from '../../installer/cluster/upgrade/observe.ts';
import { ROOT } from '../helpers.ts';
import { freshNamespace, kubeConfig, kubeconfigPath, kubectl, kubectlOk } from './client.ts';

const KUBECTL_DIR = join(ROOT, '.tools/bin');
// The prelude's helpers, without its host side effects (step_done writes /var/lib/labctl on a node).
const HELPERS =
  'set -euo pipefail\nfail() { echo "LABCTL_ERROR: $*" >&2; exit 1; }\nnote() { echo "LABCTL_NOTE: $*"; }\nstep_done() { echo STEP_DONE; }\n';

function bash(script: string, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = execFile(
      'bash',
      ['-s'],
      { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, PATH: `${KUBECTL_DIR}:${process.env.PATH}` } },
      (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    p.stdin!.end(script);
  });
}
const render = (t: string, data: object) => HELPERS + renderTemplate(t, { kubeconfig: kubeconfigPath(), ...data });
const node = async (name: string) =>
  JSON.parse(await kubectlOk(['get', 'node', name, '-o', 'json'])) as { spec: { unschedulable?: boolean } };

async function makeNode(): Promise<string> {
  const name = `day2-${randomBytes(3).toString('hex')}`;
  await kubectlOk(['create', '-f', '-'], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } }),
  });
  return name;
}
async function reportStatus(name: string, version: string): Promise<void> {
  const status = {
    status: {
      nodeInfo: {
        kubeletVersion: version,
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: '',
        containerRuntimeVersion: '',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'stand-in status written by the test',
          lastHeartbeatTime: new Date().toISOString(),
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    },
  };
  await kubectlOk(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
}

describe('upgrade/remove kubectl scripts against the real kube-apiserver (no kubelet: node status written by the test)', () => {
  it('drain: cordons, then the eviction API refuses a pod its PodDisruptionBudget protects; the step fails bounded, the pod stays, the node stays cordoned', async () => {
    const name = await makeNode();
    const ns = await freshNamespace('day2-drain');
    // No controller manager here: the namespace's default ServiceAccount is made by hand.
    await kubectlOk(['-n', ns, 'create', 'serviceaccount', 'default']);
    await kubectlOk(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: 'vm-1',
              namespace: ns,
              labels: { app: 'lab-vm' },
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name: 'vm',
                  uid: '00000000-0000-4000-8000-000000000001',
                  controller: true,
                },
              ],
            },
            spec: { nodeName: name, containers: [{ name: 'c', image: 'registry.invalid/vm:1' }] },
          },
          {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: { name: 'vm', namespace: ns },
            spec: { minAvailable: 1, selector: { matchLabels: { app: 'lab-vm' } } },
          },
        ],
      }),
    });
    // A running, ready pod (a Pending one is evictable whatever its budget): status written as a kubelet would.
    await kubectlOk([
      '-n',
      ns,
      'patch',
      'pod',
      'vm-1',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
        },
      }),
    ]);
    // Bounded: the API server answers each refused eviction with 429 and Retry-After 10 s, which kubectl's
    // client repeats up to 10 times (~100 s) past --timeout unless --request-timeout bounds the call. Killed
    // at 45 s, a script without that bound would not print the step's error below.
    const r = await bash(render('cluster/upgrade/templates/drain.sh.hbs', { node: name, drainTimeoutSec: 3 }), 45_000);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain(
      `LABCTL_ERROR: drain of ${name} did not finish within 3 s (a PodDisruptionBudget, a VM that cannot migrate, or a pod no controller manages`,
    );
    // The refusal is the budget's: the same eviction, asked once (no client retry), is refused naming it.
    const refused = await kubeConfig()
      .makeApiClient(k8s.CoreV1Api)
      .createNamespacedPodEviction({
        name: 'vm-1',
        namespace: ns,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'vm-1', namespace: ns } },
      })
      .then(
        () => ({ code: 201, body: '' }),
        (e: { code?: number; body?: unknown }) => ({ code: e.code, body: String(e.body) }),
      );
    expect(refused.code, refused.body).toBe(429);
    expect(refused.body).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect((await node(name)).spec.unschedulable).toBe(true);
    const pod = JSON.parse(await kubectlOk(['-n', ns, 'get', 'pod', 'vm-1', '-o', 'json'])) as {
      metadata: { deletionTimestamp?: string };
    };
    expect(pod.metadata.deletionTimestamp).toBeUndefined();

    // The same script weakened with --disable-eviction (which labctl never passes): the API deletes the pod
    // past its budget. So the refusal above is the eviction API's doing, not an accident of the harness.
    const weak = render('cluster/upgrade/templates/drain.sh.hbs', { node: name, drainTimeoutSec: 3 }).replace(
      '--delete-emptydir-data',
      '--delete-emptydir-data --disable-eviction',
    );
    await bash(weak);
    const gone = await kubectl(['-n', ns, 'get', 'pod', 'vm-1', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    expect(gone.code !== 0 || gone.stdout !== '').toBe(true);
  }, 120_000);

  it('drain never forces: a pod no controller manages stops it (no --force)', async () => {
    const name = await makeNode();
    const ns = await freshNamespace('day2-bare');
    await kubectlOk(['-n', ns, 'create', 'serviceaccount', 'default']);
    await kubectlOk(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bare', namespace: ns },
        spec: { nodeName: name, containers: [{ name: 'c', image: 'registry.invalid/x:1' }] },
      }),
    });
    const r = await bash(render('cluster/upgrade/templates/drain.sh.hbs', { node: name, drainTimeoutSec: 3 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`cannot delete Pods that declare no controller (use --force to override): ${ns}/bare`);
    expect(r.stderr).toContain(`LABCTL_ERROR: drain of ${name} did not finish`);
  }, 120_000);

  it('uncordon: waits for Ready at the target kubelet version, then uncordons; get nodes reads version and Ready; delete node removes it', async () => {
    const name = await makeNode();
    await kubectlOk(['cordon', name]);
    await reportStatus(name, 'v1.36.4');
    const u = await bash(
      render('cluster/upgrade/templates/uncordon.sh.hbs', { node: name, target: 'v1.36.4', readyTries: READY_TRIES }),
    );
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain(`node/${name} uncordoned`);
    expect((await node(name)).spec.unschedulable).toBeFalsy();

    const seen = await bash(OBSERVE_SCRIPT.replace('/etc/kubernetes/admin.conf', kubeconfigPath()));
    expect(seen.code, seen.stderr).toBe(0);
    expect(parseObserved(seen.stdout).get(name)).toEqual({ version: 'v1.36.4', ready: true, unschedulable: false });

    const d = await bash(render('cluster/remove/templates/delete-node.sh.hbs', { node: name }));
    expect(d.code, d.stderr).toBe(0);
    expect((await kubectl(['get', 'node', name])).stderr).toContain('NotFound');
    // Already gone counts as done (a re-run after a lost connection).
    expect((await bash(render('cluster/remove/templates/delete-node.sh.hbs', { node: name }))).code).toBe(0);
  }, 120_000);

  it('uncordon refuses (bounded) a node that reports another kubelet version, and leaves it cordoned', async () => {
    const name = await makeNode();
    await kubectlOk(['cordon', name]);
    await reportStatus(name, 'v1.35.9');
    const u = await bash(
      render('cluster/upgrade/templates/uncordon.sh.hbs', { node: name, target: 'v1.36.4', readyTries: 2 }),
    );
    expect(u.code).not.toBe(0);
    expect(u.stderr).toContain(
      `LABCTL_ERROR: ${name} did not report Ready at v1.36.4 within 2 tries of 5 s (last: v1.35.9 True); it stays cordoned`,
    );
    expect((await node(name)).spec.unschedulable).toBe(true);
  }, 120_000);
});
