// Size classes of lab VMs and the quantity arithmetic the capacity check and the chart share.
// The size classes become cluster-wide VirtualMachineClusterInstancetypes (components/kubevirt.ts) and
// are passed to charts/vm-lab as values, so the chart, the instance types and `labs capacity` agree.

export interface SizeClass {
  cpu: number;
  memory: string;
  disk: string;
  description: string;
}

/** Named sizes a lab may ask for with `size:`. Instance type name: lab-<size>. */
export const SIZE_CLASSES: Record<string, SizeClass> = {
  small: { cpu: 1, memory: '2Gi', disk: '20Gi', description: '1 vCPU, 2 GiB: shell and programming exercises' },
  medium: { cpu: 2, memory: '4Gi', disk: '30Gi', description: '2 vCPU, 4 GiB: services, containers, small builds' },
  large: { cpu: 4, memory: '8Gi', disk: '40Gi', description: '4 vCPU, 8 GiB: desktops, nested labs, compiling' },
  xlarge: { cpu: 8, memory: '16Gi', disk: '60Gi', description: '8 vCPU, 16 GiB: data and ML exercises' },
};
export const SIZE_NAMES = Object.keys(SIZE_CLASSES);
export const instancetypeName = (size: string) => `lab-${size}`;

/** Disk of a lab that names neither a size nor a disk. */
export const DEFAULT_DISK = '20Gi';

/**
 * Memory a VM costs beyond its guest memory (virt-launcher, QEMU, page tables). KubeVirt computes the
 * exact figure per VM; this is a conservative estimate used by the chart's ResourceQuota and by
 * `labs capacity` alike.
 */
export const VM_MEMORY_OVERHEAD_MIB = 384;
/** What each VM host keeps for the kubelet, Calico, Ceph clients and the OS (not given to VMs). */
export const HOST_RESERVE = { cpu: 2, memoryMiB: 8192 };

export const MEMORY_PATTERN = '^[1-9][0-9]*(Mi|Gi|Ti)$';
export const DISK_PATTERN = '^[1-9][0-9]*(Gi|Ti)$';

/** "4Gi" -> 4096 (MiB). Only the binary suffixes the schemas allow. */
export function toMiB(q: string): number {
  const m = /^([0-9]+)(Mi|Gi|Ti)$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * ({ Mi: 1, Gi: 1024, Ti: 1024 * 1024 } as const)[m[2] as 'Mi' | 'Gi' | 'Ti'];
}
export const toGiB = (q: string) => toMiB(q) / 1024;

/** 4096 -> "4Gi", 1536 -> "1.5Gi" for people. */
export function showMiB(mib: number): string {
  if (mib >= 1024 * 1024 && mib % (1024 * 1024) === 0) return `${mib / 1024 / 1024}Ti`;
  if (mib >= 1024) return `${Number((mib / 1024).toFixed(1))}Gi`;
  return `${Math.round(mib)}Mi`;
}
