// Metrics only a node knows (the expiry of kubeadm's certificates): the bootstrap installs a script and
// systemd timer that write them as node-exporter textfiles (installer/cluster/node-metrics.ts), and
// node-exporter reads that folder through its host-root mount.
import { PRIORITY } from '../../platform/scheduling.ts';

/** Folder on every node holding *.prom files for node-exporter's textfile collector. */
export const TEXTFILE_DIR = '/var/lib/labctl/node-exporter';
/** Where node-exporter sees the host's / (prometheus-node-exporter chart: hostRootFsMount, on by default). */
const HOST_ROOT = '/host/root';

/** Values of kube-prometheus-stack's prometheus-node-exporter subchart (keys from its values.yaml, 4.56.1). */
export function nodeExporterValues(): Record<string, unknown> {
  return {
    priorityClassName: PRIORITY.platformCritical.name,
    // extraArgs replaces the list kube-prometheus-stack 88.5.3 sets, so its two filesystem filters are repeated.
    extraArgs: [
      '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
      '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$',
      `--collector.textfile.directory=${HOST_ROOT}${TEXTFILE_DIR}`,
    ],
  };
}
