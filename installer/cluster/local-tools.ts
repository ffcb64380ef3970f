// The tools `up` runs on this machine for the hand-over (helm, kubectl) and the one judgment of their
// versions: `labctl doctor` and `labctl preflight` (and `up`, which runs the same checks) show the same
// verdict for the same binary. Doctor said "ok" to a kubectl four minors away from the cluster that
// preflight failed, because it only looked for a version string.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { minorOf } from '../core/versions.ts';

export interface ToolVerdict {
  id: 'helm' | 'kubectl';
  status: 'pass' | 'fail';
  /** The version found, when the tool ran and printed one. */
  found?: string;
  expected: string;
  reason?: string;
}

/** What running a tool gave: its output, or why it did not run ("not found on PATH", the first line of stderr). */
export interface Probe {
  out?: string;
  error?: string;
}

const run = promisify(execFile);

export async function probe(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Probe> {
  try {
    return { out: (await run(argv[0]!, argv.slice(1), { timeout: 15_000, env })).stdout.trim() };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    return { error: err.code === 'ENOENT' ? 'not found on PATH' : (err.stderr || err.message).trim().split('\n')[0] };
  }
}

export const HELM_PROBE = ['helm', 'version', '--template', '{{.Version}}'];
export const KUBECTL_PROBE = ['kubectl', 'version', '--client', '-o', 'json'];

/** helm: gitops/versions.yaml pins charts, not the helm binary; the hand-over needs helm 3.8+ or 4. */
export function judgeHelm(p: Probe): ToolVerdict {
  const expected = '3.8 or newer (not pinned in gitops/versions.yaml)';
  const m = p.out ? /^v?(\d+)\.(\d+)\./.exec(p.out) : null;
  if (!m)
    return {
      id: 'helm',
      status: 'fail',
      expected,
      reason: `helm ${p.error ?? `printed no version (${p.out})`}: up installs Calico and Argo CD with it; install it (https://helm.sh/docs/intro/install/)`,
    };
  const [maj, min] = [Number(m[1]), Number(m[2])];
  const ok = maj > 3 || (maj === 3 && min >= 8);
  return {
    id: 'helm',
    status: ok ? 'pass' : 'fail',
    found: p.out,
    expected,
    ...(ok ? {} : { reason: `helm ${p.out} is older than 3.8` }),
  };
}

/** kubectl: the version skew policy allows one minor either side of the cluster's (`k8s`, the inventory's kubernetes.version). */
export function judgeKubectl(p: Probe, k8s: string): ToolVerdict {
  const expected = `${minorOf(k8s)} ± 1 minor (kubernetes ${k8s}, gitops/versions.yaml)`;
  let found: string | undefined;
  try {
    found = p.out
      ? (JSON.parse(p.out) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion
      : undefined;
  } catch {
    found = undefined;
  }
  const parts = found ? /^v?(\d+)\.(\d+)\./.exec(found) : null;
  if (!found || !parts)
    return {
      id: 'kubectl',
      status: 'fail',
      expected,
      reason: `kubectl ${p.error ?? `printed no client version${found ? ` (${found})` : ''}`}: up applies the Calico CRDs with it; install kubectl ${minorOf(k8s)}`,
    };
  const [major, minor] = minorOf(k8s).split('.').map(Number) as [number, number];
  const skew = Number(parts[1]) === major ? Math.abs(Number(parts[2]) - minor) : Number.POSITIVE_INFINITY;
  return {
    id: 'kubectl',
    status: skew <= 1 ? 'pass' : 'fail',
    found,
    expected,
    ...(skew <= 1
      ? {}
      : {
          reason: `kubectl ${found} is ${Number.isFinite(skew) ? `${skew} minors` : 'a different major version'} away from the cluster's ${k8s}; install kubectl ${minorOf(k8s)}`,
        }),
  };
}

/** helm and kubectl, probed and judged, for a cluster at kubernetes `k8s`. */
export async function handOverTools(k8s: string, env: NodeJS.ProcessEnv = process.env): Promise<ToolVerdict[]> {
  const [helm, kubectl] = await Promise.all([probe(HELM_PROBE, env), probe(KUBECTL_PROBE, env)]);
  return [judgeHelm(helm), judgeKubectl(kubectl, k8s)];
}
