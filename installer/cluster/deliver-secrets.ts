// Delivering the platform's Secrets from the site's secret store to the cluster, shared by `labctl up`
// (before it hands over to ArgoCD and waits on it) and `labctl secrets apply`. What the store can give is
// sent; what it cannot yet (a Harbor robot token exists only once Harbor runs) is listed with the reason
// and the command that ends the wait, instead of failing the whole delivery.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { SecretNeed } from '../render/model.ts';
import type { SecretStore } from '../secrets/store.ts';
import { deliverable, type Waiting } from '../secrets/ensure.ts';
import { buildConfigMaps, buildSecrets, entriesNeeded } from '../secrets/objects.ts';

/** The store entry holding the token/password ArgoCD pulls the site repository with (components/argocd.ts). */
export const REPO_CREDENTIAL = 'argocd/site-repo-password';

export interface Delivery {
  objects: (ISecret | IConfigMap)[];
  waiting: Waiting[];
}

/** Decrypts what can be delivered now; the rest waits. Needs the site key (store.identity). */
export async function prepareDelivery(needs: SecretNeed[], store: SecretStore): Promise<Delivery> {
  const { ready, waiting } = deliverable(needs, (ref) => store.has(ref));
  const values = new Map<string, string>();
  const refs = entriesNeeded(ready);
  if (refs.length) {
    const identity = store.identity('to decrypt the entries');
    for (const ref of refs) values.set(ref, await store.get(ref, identity));
  }
  return { objects: [...buildSecrets(ready, values), ...buildConfigMaps(ready, values)], waiting };
}

/** `args`: the site flags the user typed (installer/cli/site-args.ts), repeated in each command named. */
export function waitingText(waiting: Waiting[], args = ''): string[] {
  return waiting.map(
    (w) =>
      `waits: ${w.target}: ${w.why}; then: ${w.next
        .split(' && ')
        .map((c) => c + args)
        .join(' && ')}`,
  );
}

/**
 * Why ArgoCD needs credentials to read the site repository, or undefined when it can read it anonymously.
 * SSH URLs always need them; an HTTPS URL is tried with `git ls-remote` and no credentials (no prompt, no
 * credential helper, bounded), as ArgoCD would.
 */
export async function repoNeedsCredentials(url: string, timeoutMs = 20_000): Promise<string | undefined> {
  if (/^(ssh:\/\/|git@)/.test(url)) return `${url} is an SSH URL`;
  try {
    await promisify(execFile)('git', ['-c', 'credential.helper=', 'ls-remote', '--exit-code', url, 'HEAD'], {
      timeout: timeoutMs,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' },
    });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: string; message: string; killed?: boolean };
    const why = err.killed
      ? `no answer within ${timeoutMs / 1000} s`
      : ((err.stderr ?? err.message).trim().split('\n').filter(Boolean).pop() ?? err.message);
    return `git ls-remote ${url} without credentials failed: ${why}`;
  }
}
