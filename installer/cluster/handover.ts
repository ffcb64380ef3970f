// Hand-over to ArgoCD after kubeadm: fetch the admin kubeconfig from the first control plane, install
// Calico (CRDs server-side, then the operator) and Argo CD with helm, apply the root Application with
// @kubernetes/client-node, then wait for the Applications to converge. Runs on the labctl machine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Site } from '../inventory/types.ts';
import { effectiveVersions } from '../core/versions.ts';
import { rootApplication } from '../render/app-of-apps.ts';
import { writeAtomic } from './journal.ts';
import { connectNode, type ClusterOptions } from './hosts.ts';
import { listApplications, stuckMessage, waitForConvergence, type AppState } from './argocd-wait.ts';

const run = promisify(execFile);

export interface HandOverOptions extends ClusterOptions {
  stateDir: string;
  waitTimeoutMs: number;
  log: (line: string) => void;
}

/** admin.conf of the first control plane, pointed at the API VIP's DNS name, stored 0600 in the state dir. */
export async function fetchKubeconfig(site: Site, o: HandOverOptions): Promise<string> {
  const first = site.nodes.find((n) => n.roles.includes('control-plane'))!;
  const host = await connectNode(first, o);
  try {
    const r = await host.runScript('cat /etc/kubernetes/admin.conf\n', { timeoutMs: 30_000, step: 'fetch-kubeconfig' });
    if (r.code !== 0) throw new Error(`${first.name} [fetch-kubeconfig]: ${r.stderr.trim()}`);
    const text = r.stdout.replace(/server: https:\/\/\S+/, `server: https://${site.kubernetes.apiDnsName}:6443`);
    const file = join(o.stateDir, 'admin.conf');
    writeAtomic(file, text);
    return file;
  } finally {
    host.close();
  }
}

/** The helm invocations, as argument arrays (shown by `labctl plan --verbose` and run by handOver). */
export function helmCommands(site: Site): { title: string; argv: string[]; serverSideApply?: boolean }[] {
  const v = effectiveVersions(site.versions).components;
  const crds = v['calico-crds']!, op = v['tigera-operator']!, argo = v['argo-cd']!;
  return [
    { title: 'Calico CRDs', argv: ['template', 'calico-crds', crds.chart!, '--repo', crds.repo!, '--version', crds.version], serverSideApply: true },
    { title: 'tigera-operator', argv: ['upgrade', '--install', 'calico', op.chart!, '--repo', op.repo!, '--version', op.version,
      '--namespace', 'tigera-operator', '--create-namespace', '--wait', '--timeout', '10m',
      '--set', 'manageCRDs=false',
      '--set', 'installation.calicoNetwork.bgp=Enabled',
      '--set', `installation.calicoNetwork.ipPools[0].cidr=${site.network.podCidr}`,
      '--set', 'installation.calicoNetwork.ipPools[0].encapsulation=None',
      '--set', 'installation.calicoNetwork.ipPools[0].natOutgoing=Enabled'] },
    { title: 'Argo CD', argv: ['upgrade', '--install', 'argocd', argo.chart!, '--repo', argo.repo!, '--version', argo.version,
      '--namespace', 'argocd', '--create-namespace', '--wait', '--timeout', '10m'] },
  ];
}

export async function handOver(site: Site, o: HandOverOptions): Promise<{ converged: boolean; stuck: AppState[]; message: string }> {
  const kubeconfig = await fetchKubeconfig(site, o);
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  for (const c of helmCommands(site)) {
    o.log(`hand-over: ${c.title}`);
    if (c.serverSideApply) {
      const { stdout } = await run('helm', c.argv, { env, maxBuffer: 256 << 20 });
      await new Promise<void>((resolve, reject) => {
        const p = execFile('kubectl', ['apply', '--server-side', '--force-conflicts', '-f', '-'], { env, maxBuffer: 64 << 20 }, (e) => (e ? reject(e) : resolve()));
        p.stdin!.end(stdout);
      });
    } else {
      await run('helm', c.argv, { env, maxBuffer: 64 << 20 });
    }
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const obj of rootApplication({ site, versions: effectiveVersions(site.versions) })) {
    o.log(`hand-over: apply ${obj.kind} ${obj.metadata.name}`);
    await objects.patch(obj as k8s.KubernetesObject, undefined, undefined, 'labctl', true, k8s.PatchStrategy.ServerSideApply);
  }
  const r = await waitForConvergence(listApplications(kc), {
    timeoutMs: o.waitTimeoutMs, intervalMs: 15_000, minApps: 2,
    onPoll: (apps) => o.log(`argocd: ${apps.filter((a) => a.sync === 'Synced' && a.health === 'Healthy').length}/${apps.length} Applications synced and healthy`),
  });
  return { converged: r.converged, stuck: r.stuck, message: r.converged ? `all ${r.apps.length} Applications synced and healthy` : stuckMessage(r, o.waitTimeoutMs) };
}
