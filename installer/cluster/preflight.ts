// Preflight: pure checks over one host's facts. Each check says pass, fail (must-pass: blocks `up`),
// warn (shown, does not block) or n/a, and every non-pass carries the reason with the value found.
import type { Role, Site, SiteNode } from '../inventory/types.ts';
import type { Facts } from './facts.ts';
import { pinnedVersions } from '../core/versions.ts';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'n/a';
export interface CheckResult {
  id: string;
  status: CheckStatus;
  reason?: string;
}
export interface HostReport {
  node: string;
  address: string;
  roles: Role[];
  reachable: boolean;
  checks: CheckResult[];
  facts?: Facts;
}

/**
 * Named minimums per role, each including the node agents (worker's line). A node with several roles
 * needs the agents once plus what each role adds on top of them; a storage node adds it per OSD disk.
 */
export const MINIMUMS: Record<Role, { cpus: number; memoryMiB: number; why: string }> = {
  // kubeadm's own preflight refuses fewer than 2 CPUs or 1700 MiB on a control-plane node.
  'control-plane': { cpus: 2, memoryMiB: 1700, why: 'kubeadm control-plane minimum' },
  // kubespray's minimal_node_memory_mb; a worker only runs kubelet, containerd and the agents.
  worker: { cpus: 1, memoryMiB: 1024, why: 'kubelet + agents' },
  // A Ceph OSD aims at osd_memory_target = 4 GiB.
  storage: { cpus: 2, memoryMiB: 4096, why: 'one Ceph OSD (osd_memory_target 4 GiB)' },
  // Room for at least one small lab VM next to the node agents.
  'vm-host': { cpus: 2, memoryMiB: 4096, why: 'node agents + one lab VM' },
};

/**
 * The support matrix (docs/bootstrap.md shows it; a test keeps the two equal). On every supported OS the
 * runtime is the pinned upstream containerd 2.x release: none of these distributions ships 2.x.
 */
export const SUPPORTED_OS: { id: string; versions: string[]; distroContainerd: string }[] = [
  { id: 'debian', versions: ['12'], distroContainerd: '1.6' },
  { id: 'debian', versions: ['13'], distroContainerd: '1.7' },
  { id: 'ubuntu', versions: ['22.04'], distroContainerd: '1.7' },
  { id: 'ubuntu', versions: ['24.04'], distroContainerd: '1.7' },
];
/** Kubernetes 1.36 supports containerd 2.x only (1.35 was the last release for 1.x). */
export const MIN_CONTAINERD_MAJOR = 2;
export const pinnedContainerd = () =>
  (pinnedVersions().components.containerd as unknown as { version: string }).version;

/** "2.2.1" from `containerd --version` output ("containerd github.com/containerd/containerd/v2 v2.2.1 abc"). */
export function containerdVersion(versionLine: string): string | undefined {
  return /\sv?(\d+\.\d+\.\d+)/.exec(versionLine)?.[1];
}

/** One line per host: the OS and runtime found, against the support matrix. */
export function versionReport(hosts: HostReport[]): string {
  const want = pinnedContainerd();
  return (
    hosts
      .filter((h) => h.facts)
      .map((h) => {
        const f = h.facts!;
        const os = SUPPORTED_OS.some((o) => o.id === f.osId && o.versions.includes(f.osVersionId))
          ? 'supported'
          : 'NOT supported';
        const have = f.containerd ? (containerdVersion(f.containerd) ?? f.containerd) : 'none';
        const rt = have === want ? 'pinned' : `up installs ${want}`;
        return `${h.node}: os ${f.osId} ${f.osVersionId} (${os}), kernel ${f.kernel}, containerd ${have} (${rt})`;
      })
      .join('\n') + '\n'
  );
}
/** Calico's eBPF-free dataplane and cgroup v2 tooling both want at least this kernel. */
export const MIN_KERNEL = [5, 10] as const;

/** Ports kubeadm and the node agents bind; something else listening there breaks `up`. */
export const REQUIRED_PORTS: Record<Role, number[]> = {
  'control-plane': [6443, 2379, 2380, 10250, 10257, 10259],
  worker: [10250],
  storage: [10250],
  'vm-host': [10250],
};

/** The checks in table order. */
export const CHECK_IDS = [
  'ssh',
  'root',
  'os',
  'kernel',
  'systemd',
  'cgroup2',
  'hostname',
  'address',
  'cpu',
  'memory',
  'swap',
  'timesync',
  'virtualization',
  'disks',
  'lvm2',
  'rbd',
  'ports',
  'runtime',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function minimumsFor(roles: Role[], disks = 1): { cpus: number; memoryMiB: number; why: string } {
  const base = MINIMUMS.worker;
  let cpus = base.cpus;
  let memoryMiB = base.memoryMiB;
  const parts = [`${base.cpus} cpu/${base.memoryMiB} MiB ${base.why}`];
  for (const r of roles) {
    if (r === 'worker') continue;
    const n = r === 'storage' ? Math.max(1, disks) : 1;
    const add = { cpus: (MINIMUMS[r].cpus - base.cpus) * n, memoryMiB: (MINIMUMS[r].memoryMiB - base.memoryMiB) * n };
    cpus += add.cpus;
    memoryMiB += add.memoryMiB;
    parts.push(`+${add.cpus} cpu/${add.memoryMiB} MiB ${r}${n > 1 ? ` x${n} disks` : ''} (${MINIMUMS[r].why})`);
  }
  return { cpus, memoryMiB, why: parts.join(' ') };
}

function kernelAtLeast(release: string, min: readonly [number, number]): boolean {
  const [maj = 0, min2 = 0] = release.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  return maj > min[0] || (maj === min[0] && min2 >= min[1]);
}

const pass = (id: CheckId, reason?: string): CheckResult =>
  reason ? { id, status: 'pass', reason } : { id, status: 'pass' };
const fail = (id: CheckId, reason: string): CheckResult => ({ id, status: 'fail', reason });
const warn = (id: CheckId, reason: string): CheckResult => ({ id, status: 'warn', reason });
const na = (id: CheckId): CheckResult => ({ id, status: 'n/a' });

export function diskProblem(d: Facts['disks'][number]): string | undefined {
  if (!d.exists) return `${d.path}: not found on the host`;
  if (!d.block) return `${d.path} (-> ${d.device}): not a block device`;
  const what: string[] = [];
  if (d.partitions.length) what.push(`partitions ${d.partitions.join(', ')}`);
  if (d.signatures.length) what.push(`signatures ${d.signatures.map((s) => s.replace(/\s+/, ' at ')).join(', ')}`);
  return what.length
    ? `${d.path} (-> ${d.device}) is not empty: ${what.join('; ')}. labctl never wipes a disk; wipe it yourself if its data may go (e.g. wipefs -a ${d.device})`
    : undefined;
}

/** Every check for one reachable host. */
export function checkHost(site: Site, node: SiteNode, f: Facts): CheckResult[] {
  const has = (r: Role) => node.roles.includes(r);
  const out: CheckResult[] = [pass('ssh')];
  out.push(
    f.uid === 0
      ? pass('root')
      : fail('root', `commands run as uid ${f.uid}, not root: give ${node.ssh.user} passwordless sudo`),
  );

  const os = SUPPORTED_OS.find((o) => o.id === f.osId && o.versions.includes(f.osVersionId));
  out.push(
    os
      ? pass(
          'os',
          `${f.osPretty} (supported; its containerd ${os.distroContainerd} is replaced by the pinned ${pinnedContainerd()})`,
        )
      : fail(
          'os',
          `${f.osPretty || f.osId || 'unknown OS'} is not supported (supported: ${SUPPORTED_OS.map((o) => `${o.id} ${o.versions.join('/')}`).join(', ')})`,
        ),
  );
  out.push(
    kernelAtLeast(f.kernel, MIN_KERNEL)
      ? pass('kernel', f.kernel)
      : fail('kernel', `kernel ${f.kernel} is older than ${MIN_KERNEL.join('.')}`),
  );
  // kubelet and containerd run as systemd units; without systemd `up` installs them but cannot start them.
  out.push(
    f.init === 'systemd'
      ? pass('systemd')
      : warn(
          'systemd',
          `PID 1 is "${f.init}", not systemd: services (containerd, kubelet) will be installed but not started`,
        ),
  );
  out.push(
    f.cgroupFs === 'cgroup2fs'
      ? pass('cgroup2')
      : fail(
          'cgroup2',
          `/sys/fs/cgroup is ${f.cgroupFs || 'missing'}, not cgroup v2 (Kubernetes 1.35+ kubelet refuses cgroup v1): boot with systemd.unified_cgroup_hierarchy=1`,
        ),
  );

  if (f.hostname !== node.name) {
    out.push(
      fail(
        'hostname',
        `host calls itself "${f.hostname}", the inventory says "${node.name}": set it with hostnamectl set-hostname ${node.name} or fix nodes[${node.index}].name`,
      ),
    );
  } else if (!RFC1123_LABEL.test(f.hostname)) {
    out.push(fail('hostname', `"${f.hostname}" is not an RFC 1123 label`));
  } else out.push(pass('hostname'));

  const addrs = f.addresses.map((a) => {
    const [iface = '', cidr = ''] = a.split(' ');
    return { iface, ip: cidr.split('/')[0] };
  });
  const mine = addrs.find((a) => a.ip === node.address);
  out.push(
    mine
      ? pass('address', `${node.address} on ${mine.iface}`)
      : fail(
          'address',
          `${node.address} is not one of the host's addresses (${
            addrs
              .filter((a) => a.ip !== '127.0.0.1')
              .map((a) => `${a.ip} on ${a.iface}`)
              .join(', ') || 'none'
          })`,
        ),
  );
  if (mine && node.interface && mine.iface !== node.interface) {
    out[out.length - 1] = fail(
      'address',
      `${node.address} is on ${mine.iface}, the inventory says interface ${node.interface}`,
    );
  }

  const min = minimumsFor(node.roles, node.disks.length);
  out.push(
    f.cpus >= min.cpus
      ? pass('cpu', `${f.cpus} CPUs`)
      : fail('cpu', `${f.cpus} CPU(s), roles ${node.roles.join('+')} need at least ${min.cpus} (${min.why})`),
  );
  const memMiB = Math.floor(f.memTotalKiB / 1024);
  out.push(
    memMiB >= min.memoryMiB
      ? pass('memory', `${memMiB} MiB`)
      : fail(
          'memory',
          `${memMiB} MiB memory, roles ${node.roles.join('+')} need at least ${min.memoryMiB} MiB (${min.why})`,
        ),
  );

  out.push(
    f.swaps.length === 0
      ? pass('swap')
      : fail(
          'swap',
          `swap is on (${f.swaps.map((s) => s.split(/\s+/)[0]).join(', ')}); kubelet runs with failSwapOn: turn it off (swapoff -a) and remove it from /etc/fstab`,
        ),
  );

  const synced = f.ntpSynchronized === 'yes';
  out.push(
    synced
      ? pass('timesync')
      : f.timeDaemons.length
        ? pass('timesync', `${f.timeDaemons.join(', ')} running`)
        : warn(
            'timesync',
            `clock not known to be synchronized (NTPSynchronized=${f.ntpSynchronized || 'unknown'}, no chronyd/systemd-timesyncd/ntpd running): certificates and etcd need synchronized clocks`,
          ),
  );

  if (has('vm-host')) {
    if (f.kvm) out.push(pass('virtualization', f.cpuVirt ? `${f.cpuVirt}, /dev/kvm` : '/dev/kvm present'));
    else if (f.cpuVirt)
      out.push(fail('virtualization', `CPU has ${f.cpuVirt} but /dev/kvm is missing: load kvm_intel/kvm_amd`));
    else
      out.push(
        fail(
          'virtualization',
          'no /dev/kvm and no vmx/svm CPU flag: enable virtualization (VT-x/AMD-V) in the firmware',
        ),
      );
  } else out.push(na('virtualization'));

  if (has('storage')) {
    const problems = node.disks
      .map((path) => f.disks.find((d) => d.path === path))
      .map((d, i) => (d ? diskProblem(d) : `${node.disks[i]}: not checked`))
      .filter((p): p is string => !!p);
    out.push(
      problems.length ? fail('disks', problems.join('; ')) : pass('disks', `${node.disks.length} empty disk(s)`),
    );
    out.push(f.lvm ? pass('lvm2') : warn('lvm2', 'lvm2 is not installed; `up` installs it (Rook needs it for OSDs)'));
    out.push(
      f.rbd === 'missing'
        ? fail('rbd', `kernel ${f.kernel} has no rbd module: Ceph block volumes (krbd) cannot be mapped`)
        : pass('rbd', f.rbd),
    );
  } else {
    out.push(na('disks'), na('lvm2'), na('rbd'));
  }

  const needed = [...new Set(node.roles.flatMap((r) => REQUIRED_PORTS[r]))].sort((a, b) => a - b);
  const busy = needed.filter((p) => f.listening.includes(p));
  if (busy.length === 0) out.push(pass('ports'));
  else if (f.clusterMember)
    out.push(
      warn(
        'ports',
        `ports ${busy.join(', ')} in use by the existing Kubernetes node (/etc/kubernetes/kubelet.conf present)`,
      ),
    );
  else out.push(fail('ports', `ports ${busy.join(', ')} are already in use; kubeadm needs them free`));

  const runtime: string[] = [];
  const cv = f.containerd ? containerdVersion(f.containerd) : undefined;
  if (cv && Number(cv.split('.')[0]) < MIN_CONTAINERD_MAJOR)
    runtime.push(
      `containerd ${cv} is installed; Kubernetes ${site.kubernetes.minor} needs ${MIN_CONTAINERD_MAJOR}.x: up replaces it with the pinned ${pinnedContainerd()}`,
    );
  if (f.docker) runtime.push('Docker is installed (it brings its own containerd; remove it or expect conflicts)');
  if (f.clusterMember)
    runtime.push(
      'already a Kubernetes node (/etc/kubernetes/kubelet.conf present); `labctl reset` it first to rebuild',
    );
  out.push(
    runtime.length
      ? warn('runtime', runtime.join('; '))
      : pass(
          'runtime',
          f.containerd
            ? `containerd ${cv ?? f.containerd}${f.containerdSocket ? ', running' : ''}`
            : 'no container runtime yet',
        ),
  );
  return out;
}

export function unreachableReport(node: SiteNode, reason: string): HostReport {
  return {
    node: node.name,
    address: node.address,
    roles: node.roles,
    reachable: false,
    checks: [{ id: 'ssh', status: 'fail', reason }],
  };
}

export const hostFailed = (r: HostReport) => r.checks.some((c) => c.status === 'fail');
