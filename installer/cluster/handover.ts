// Hand-over to ArgoCD after kubeadm: fetch the admin kubeconfig from the first control plane, install
// Calico (CRDs server-side, then the operator) and Argo CD with helm, apply the root Application with
// @kubernetes/client-node, then wait for the Applications to converge. Runs on the labctl machine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Problem } from '../core/diagnostics.ts';
import type { Site } from '../inventory/types.ts';
import { readRenderInputs } from '../render/inputs.ts';
import { rootApplication } from '../render/app-of-apps.ts';
import { writeAtomic } from './journal.ts';
import { connectNode, type ClusterOptions } from './hosts.ts';
import { listApplications, stuckMessage, waitForConvergence, type AppState } from './argocd-wait.ts';
import { helmCommands } from './helm-commands.ts';
import { loadKubeconfigFile } from './kube-access.ts';

export { helmCommands, seedValues, type HelmCommand } from './helm-commands.ts';

const run = promisify(execFile);

export interface HandOverOptions extends ClusterOptions {
  stateDir: string;
  waitTimeoutMs: number;
  log: (line: string) => void;
  /** Delivers the platform's Secrets (the site repository's credentials among them) with the admin
   *  kubeconfig, before anything is installed; throwing stops the hand-over with its message. */
  deliver?: (kubeconfig: string) => Promise<void>;
}

function writeLog(file: string, parts: string[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    parts
      .filter(Boolean)
      .map((p) => (p.endsWith('\n') ? p : `${p}\n`))
      .join(''),
    { mode: 0o600 },
  );
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** kubeadm's admin.conf is about 6 KiB (three base64 PEM blocks); a larger one is not what kubeadm writes. */
export const ADMIN_CONF_MAX = 64 * 1024;

/**
 * The admin kubeconfig labctl keeps, built anew from the three values kubeadm's admin.conf holds: the
 * cluster CA, the client certificate and its key (of the current context), with `server` set by labctl.
 * The host's text is never used as it is: whatever else a kubeconfig may say runs on this machine when
 * helm, kubectl or labctl read it (a user's `exec` plugin is a command, `auth-provider`, `tokenFile`,
 * `proxy-url`, a second cluster `current-context` names), and a host answering at the first control
 * plane's address is trusted for nothing it sends (docs/security.md, boundary 3).
 */
export function adminKubeconfig(text: string, server: string, hostName: string): string {
  const refuse = (why: string): never => {
    throw new Problem(
      `${hostName} [fetch-kubeconfig]: /etc/kubernetes/admin.conf is not what kubeadm writes (${why}); labctl keeps only its cluster CA, client certificate and key, and uses none of it`,
    );
  };
  // kubeadm's admin.conf is about 6 KiB; the host may send 64 MiB (MAX_OUTPUT_BYTES), and yaml's duplicate-key
  // check compares each key with every earlier one (30,000 keys: 8 s; 64 MiB: hours of `up` at full CPU).
  if (Buffer.byteLength(text) > ADMIN_CONF_MAX) refuse(`${Buffer.byteLength(text)} bytes, more than ${ADMIN_CONF_MAX}`);
  let kc: unknown;
  try {
    kc = parseYaml(text, { uniqueKeys: false });
  } catch {
    refuse('not YAML');
  }
  const doc = kc as {
    'current-context'?: unknown;
    contexts?: { name?: unknown; context?: { cluster?: unknown; user?: unknown } }[];
    clusters?: { name?: unknown; cluster?: Record<string, unknown> }[];
    users?: { name?: unknown; user?: Record<string, unknown> }[];
  } | null;
  if (!doc || typeof doc !== 'object') return refuse('not a mapping');
  const ctx = Array.isArray(doc.contexts) ? doc.contexts.find((c) => c?.name === doc['current-context']) : undefined;
  if (!ctx?.context) return refuse('no current context');
  const cluster = Array.isArray(doc.clusters) ? doc.clusters.find((c) => c?.name === ctx.context?.cluster) : undefined;
  const user = Array.isArray(doc.users) ? doc.users.find((u) => u?.name === ctx.context?.user) : undefined;
  const b64 = (o: Record<string, unknown> | undefined, key: string): string => {
    const v = o?.[key];
    return typeof v === 'string' && BASE64.test(v) ? v : refuse(`no ${key}`);
  };
  const ca = b64(cluster?.cluster, 'certificate-authority-data');
  const cert = b64(user?.user, 'client-certificate-data');
  const key = b64(user?.user, 'client-key-data');
  return stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubernetes', cluster: { 'certificate-authority-data': ca, server } }],
    users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': cert, 'client-key-data': key } }],
    contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
    'current-context': 'kubernetes-admin@kubernetes',
  });
}

/** admin.conf of the first control plane, pointed at the API VIP's DNS name, stored 0600 in the state dir. */
export async function fetchKubeconfig(site: Site, o: HandOverOptions): Promise<string> {
  const first = site.nodes.find((n) => n.roles.includes('control-plane'))!;
  const host = await connectNode(first, o);
  try {
    const r = await host.runScript('cat /etc/kubernetes/admin.conf\n', { timeoutMs: 30_000, step: 'fetch-kubeconfig' });
    if (r.code !== 0) throw new Error(`${first.name} [fetch-kubeconfig]: ${r.stderr.trim()}`);
    const text = adminKubeconfig(r.stdout, `https://${site.kubernetes.apiDnsName}:6443`, first.name);
    const file = join(o.stateDir, 'admin.conf');
    writeAtomic(file, text);
    return file;
  } finally {
    host.close();
  }
}

/** Server-side applies the root AppProject and Application (field manager labctl); idempotent. */
export async function applyRootApplication(site: Site, kc: k8s.KubeConfig, log: (line: string) => void): Promise<void> {
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const obj of rootApplication({ site, ...readRenderInputs(site) })) {
    log(`hand-over: apply ${obj.kind} ${obj.metadata.name}`);
    await objects.patch(
      obj as k8s.KubernetesObject,
      undefined,
      undefined,
      'labctl',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
  }
}

export async function handOver(
  site: Site,
  o: HandOverOptions,
): Promise<{ converged: boolean; stuck: AppState[]; message: string }> {
  const kubeconfig = await fetchKubeconfig(site, o);
  await o.deliver?.(kubeconfig);
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  for (const c of helmCommands(site, o.stateDir)) {
    o.log(`hand-over: ${c.title}`);
    if (c.values) writeAtomic(c.values.file, c.values.content);
    // Each command's full output goes to <state dir>/logs/hand-over/<title>.log, which a failure names.
    const logFile = join(o.stateDir, 'logs', 'hand-over', `${c.title.replace(/[^A-Za-z0-9.-]+/g, '-')}.log`);
    const output: string[] = [
      `# ${c.argv[0] === 'template' ? 'helm template | kubectl apply --server-side' : 'helm'} ${c.argv.join(' ')}`,
    ];
    try {
      if (c.serverSideApply) {
        const { stdout, stderr } = await run('helm', c.argv, { env, maxBuffer: 256 << 20 });
        output.push(stderr);
        await new Promise<void>((resolve, reject) => {
          const p = execFile(
            'kubectl',
            ['apply', '--server-side', '--force-conflicts', '-f', '-'],
            { env, maxBuffer: 64 << 20 },
            (e, out, err) => {
              output.push(String(out), String(err));
              if (e) reject(e);
              else resolve();
            },
          );
          p.stdin!.on('error', () => {}); // kubectl exiting early is reported through its exit status above
          p.stdin!.end(stdout);
        });
      } else {
        const { stdout, stderr } = await run('helm', c.argv, { env, maxBuffer: 64 << 20 });
        output.push(stdout, stderr);
      }
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      output.push(err.stdout ?? '', err.stderr ?? err.message);
      writeLog(logFile, output);
      const last = (err.stderr ?? err.message).trim().split('\n').filter(Boolean).pop() ?? err.message;
      throw new Error(`${c.title}: ${last} (full output: ${logFile})`);
    }
    writeLog(logFile, output);
  }
  const kc = loadKubeconfigFile(kubeconfig);
  await applyRootApplication(site, kc, o.log);
  const r = await waitForConvergence(listApplications(kc), {
    timeoutMs: o.waitTimeoutMs,
    intervalMs: 15_000,
    minApps: 2,
    onPoll: (apps) =>
      o.log(
        `argocd: ${apps.filter((a) => a.sync === 'Synced' && a.health === 'Healthy').length}/${apps.length} Applications synced and healthy`,
      ),
  });
  return {
    converged: r.converged,
    stuck: r.stuck,
    message: r.converged ? `all ${r.apps.length} Applications synced and healthy` : stuckMessage(r, o.waitTimeoutMs),
  };
}
