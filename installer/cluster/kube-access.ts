// Which kubeconfig a command uses to reach the cluster, and what to say when the API server cannot be
// reached with it. One rule for `secrets apply`, `backup` and `restore`: --kubeconfig, else the admin
// kubeconfig `labctl up` wrote (<state dir>/admin.conf), else $KUBECONFIG or ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Problem } from '../core/diagnostics.ts';

/** Where the kubeconfig of each loaded KubeConfig came from (a file, or "$KUBECONFIG (a:b)"), for messages. */
const sources = new WeakMap<k8s.KubeConfig, string>();

export const kubeconfigSource = (kc: k8s.KubeConfig): string | undefined => sources.get(kc);

/**
 * The file the rule picks: `--kubeconfig` (which must exist), else admin.conf, else undefined when
 * $KUBECONFIG or ~/.kube/config has a file (the client's own default). None: a message saying what to do.
 */
export function chooseKubeconfig(o: { kubeconfig?: string; stateDir: string }): { file?: string } | { error: string } {
  if (o.kubeconfig) {
    if (!existsSync(o.kubeconfig)) return { error: `--kubeconfig ${o.kubeconfig}: no such file` };
    return { file: o.kubeconfig };
  }
  const admin = join(o.stateDir, 'admin.conf');
  if (existsSync(admin)) return { file: admin };
  const env = (process.env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (env.some((f) => existsSync(f)) || (!env.length && existsSync(join(homedir(), '.kube', 'config')))) return {};
  return {
    error: `no kubeconfig: labctl up writes ${admin} once the cluster is up; before that, or from another machine, pass --kubeconfig FILE (or set KUBECONFIG)`,
  };
}

/** Loads the kubeconfig the rule picks (see chooseKubeconfig), remembering its source for messages. */
export function loadChosenKubeconfig(o: { kubeconfig?: string; stateDir: string }): k8s.KubeConfig | string {
  const c = chooseKubeconfig(o);
  if ('error' in c) return c.error;
  return loadKubeconfigFile(c.file);
}

/**
 * A kubeconfig file, or undefined for the client's default ($KUBECONFIG, ~/.kube/config); its source
 * remembered. A file the client cannot read as a kubeconfig (not YAML, empty, no current context with a
 * cluster) is the user's file, not a labctl bug: a Problem naming it.
 */
export function loadKubeconfigFile(file: string | undefined): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const source = file ?? defaultSource();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (e) {
    throw new Problem(`${source}: not a kubeconfig the client can read (${firstLine(e)})`);
  }
  if (!kc.getCurrentCluster())
    throw new Problem(`${source}: no current context with a cluster (kubectl config use-context NAME sets one)`);
  sources.set(kc, source);
  return kc;
}

const firstLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e))
    .split('\n')[0]!
    .replace(/^Cannot read properties of undefined.*/, 'empty or not a mapping');

function defaultSource(): string {
  const env = process.env.KUBECONFIG;
  return env ? `$KUBECONFIG (${env})` : join(homedir(), '.kube', 'config');
}

/** Errors of the connection itself (no HTTP answer): the API server was not reached. */
const UNREACHED: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

/**
 * When `e` is a failure to reach the API server (no answer at all): one line naming the server and the
 * kubeconfig it came from, and what to do. Undefined for anything else (an HTTP answer, a bug).
 */
export function unreachableText(e: unknown, at: { server?: string; kubeconfig?: string }): string | undefined {
  const err = e as { code?: unknown; cause?: { code?: unknown }; message?: string };
  const code = [err.code, err.cause?.code].find((c): c is string => typeof c === 'string' && c in UNREACHED);
  if (!code) return undefined;
  return `cannot reach the API server ${at.server ?? '(no server in the kubeconfig)'} named in ${at.kubeconfig ?? 'the default kubeconfig'}: ${UNREACHED[code]} (${code}). Is the cluster up? labctl status -i INVENTORY shows it; to reach it another way, pass --kubeconfig FILE`;
}

/** unreachableText for a loaded KubeConfig (its current cluster's server and its source). */
export function unreachableWith(e: unknown, kc: k8s.KubeConfig): string | undefined {
  return unreachableText(e, { server: kc.getCurrentCluster()?.server, kubeconfig: kubeconfigSource(kc) });
}
