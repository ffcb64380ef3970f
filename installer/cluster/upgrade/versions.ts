// kubeadm's upgrade rules as a pure check: one minor at a time, never down, and the version skew policy
// (kubernetes.io/releases/version-skew-policy: no kubelet newer than the API server, control planes first).
import { pinnedVersions } from '../../core/versions.ts';

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(v: string): Semver | undefined {
  const m = SEMVER.exec(v.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export const fmt = (v: Semver) => `v${v.major}.${v.minor}.${v.patch}`;
export const cmp = (a: Semver, b: Semver) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/**
 * Why the nodes (current kubelet versions) cannot go to `target` in one `labctl upgrade`, or [] when they can.
 * `intermediate` names the minor to go through when a node is more than one minor behind.
 */
export function upgradeRefusals(target: string, current: Record<string, string>, controlPlanes: string[]): string[] {
  const to = parseVersion(target);
  if (!to) return [`--to ${target}: expected a Kubernetes release like v1.36.4`];
  const out: string[] = [];
  const supported = pinnedVersions().kubernetes.supportedMinors;
  if (!supported.includes(`${to.major}.${to.minor}`)) {
    out.push(
      `${fmt(to)} is not a supported minor (gitops/versions.yaml kubernetes.supportedMinors: ${supported.join(', ')})`,
    );
  }
  for (const [node, v] of Object.entries(current)) {
    const from = parseVersion(v);
    if (!from) {
      out.push(`${node}: reports version ${JSON.stringify(v)}, not a Kubernetes release`);
      continue;
    }
    if (from.major !== to.major) {
      out.push(`${node}: ${fmt(from)} → ${fmt(to)} changes the major version; kubeadm does not`);
      continue;
    }
    if (cmp(from, to) > 0) {
      out.push(`${node}: is at ${fmt(from)}, newer than ${fmt(to)}; kubeadm does not downgrade`);
      continue;
    }
    if (to.minor - from.minor > 1) {
      const steps = Array.from({ length: to.minor - from.minor - 1 }, (_, i) => `v${to.major}.${from.minor + 1 + i}`);
      out.push(
        `${node}: ${fmt(from)} → ${fmt(to)} skips ${steps.join(', ')}; kubeadm upgrades one minor at a time: upgrade to the newest ${steps[0]}.x first`,
      );
    }
  }
  // Skew: control planes go first, so no kubelet is ever newer than an API server; a node that already went
  // (an interrupted run) is at the target and passes the checks above, so the run resumes.
  for (const n of controlPlanes)
    if (!(n in current)) out.push(`${n}: control plane not registered in the cluster (no version reported)`);
  return out;
}
