// Sends the built Secrets to the cluster with server-side apply (field manager labctl-secrets), so a
// re-apply of unchanged values is a no-op and nothing else's fields are touched. The object building is
// in objects.ts and tested there; this is the thin network edge (no API server runs in the tests).
import * as k8s from '@kubernetes/client-node';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { loadKubeconfigFile } from '../cluster/kube-access.ts';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';

export async function applySecrets(
  secrets: (ISecret | IConfigMap)[],
  opts: { kubeconfig?: string; context?: string } = {},
): Promise<string[]> {
  const kc = loadKubeconfigFile(opts.kubeconfig);
  if (opts.context) kc.setCurrentContext(opts.context);
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const done: string[] = [];
  for (const ns of [...new Set(secrets.map((s) => s.metadata!.namespace!))]) {
    // Secrets may be applied before ArgoCD created the namespace (rebuild): create it, never delete.
    try {
      await core.readNamespace({ name: ns });
    } catch {
      await core.createNamespace({ body: { metadata: { name: ns } } });
    }
  }
  for (const s of secrets) {
    await api.patch(
      s as k8s.KubernetesObject,
      undefined,
      undefined,
      'labctl-secrets',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    done.push(`${s.metadata!.namespace}/${s.metadata!.name}`);
  }
  return done;
}
