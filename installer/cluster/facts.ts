// Host facts: one SSH round trip per host runs templates/facts.sh, which prints one JSON object.
// Gathering is the only impure part of preflight; the checks (preflight.ts) are pure over these facts.
import type { SiteNode } from '../inventory/types.ts';
import type { RemoteHost } from '../ssh/remote.ts';
import { HostStepError } from './errors.ts';
import { renderTemplate } from '../render/text.ts';

export interface DiskFacts {
  path: string;
  exists: boolean;
  device: string;
  block: boolean;
  /** Partition names found under the disk (lsblk). */
  partitions: string[];
  /** "TYPE OFFSET" of every signature wipefs --no-act finds (filesystems, partition tables, LVM, Ceph). */
  signatures: string[];
}

export interface Facts {
  osId: string;
  osVersionId: string;
  osPretty: string;
  kernel: string;
  arch: string;
  hostname: string;
  /** Name of PID 1 (systemd on a normal server). */
  init: string;
  /** Filesystem type of /sys/fs/cgroup: cgroup2fs means the unified hierarchy (cgroup v2). */
  cgroupFs: string;
  cpus: number;
  cpuVirt: '' | 'vmx' | 'svm';
  kvm: boolean;
  memTotalKiB: number;
  /** Lines of /proc/swaps after the header: active swap areas. */
  swaps: string[];
  ntpSynchronized: string;
  timeDaemons: string[];
  /** "interface address/prefix" of every IPv4 address. */
  addresses: string[];
  /** TCP ports something listens on. */
  listening: number[];
  lvm: boolean;
  rbd: 'loaded' | 'builtin' | 'module' | 'missing';
  containerd: string;
  containerdSocket: boolean;
  kubelet: boolean;
  kubeadm: boolean;
  clusterMember: boolean;
  docker: boolean;
  uid: number;
  disks: DiskFacts[];
}

export const FACTS_TIMEOUT_MS = 30_000;

export function factsScript(): string {
  return renderTemplate('cluster/templates/facts.sh.hbs', {});
}

/** Parses the script's output; a malformed answer is reported with the host's name and the first bytes. */
export function parseFacts(host: string, stdout: string): Facts {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${host}: facts script printed no valid JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return { ...(raw as unknown as Facts), listening: ((raw.listening as string[]) ?? []).map(Number) };
}

export async function gatherFacts(host: RemoteHost, node: Pick<SiteNode, 'name' | 'disks'>): Promise<Facts> {
  const r = await host.runScript(factsScript(), { timeoutMs: FACTS_TIMEOUT_MS, args: node.disks, step: 'facts' });
  if (r.code !== 0) {
    throw new HostStepError(
      node.name,
      'facts',
      `facts script exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  return parseFacts(node.name, r.stdout);
}
