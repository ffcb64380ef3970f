// The files a node gets, as typed data (kubeadm v1beta4 configs, the kube-vip static Pod) serialized by
// render/yaml.ts, and text templates for what is not YAML (containerd TOML, sysctl, modules-load).
// Pure functions of the Site: same inventory, same bytes. Secrets are never part of them: join tokens
// and certificate keys are placeholders the step replaces on the host at run time.
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { Site, SiteNode } from '../inventory/types.ts';
import { toYaml, toYamlDocs } from '../render/yaml.ts';
import { renderTemplate } from '../render/text.ts';
import { effectiveVersions, pinnedVersions } from '../core/versions.ts';
import { apiServerOidc, OIDC_CA_FILE } from '../render/platform/identity.ts';
import { VM_HOST_LABEL } from '../render/platform/scheduling.ts';

/** Placeholders a step replaces on the host (never rendered into anything stored). */
export const PLACEHOLDER = {
  joinToken: '@@LABCTL_JOIN_TOKEN@@',
  caCertHash: '@@LABCTL_CA_CERT_HASH@@',
  certificateKey: '@@LABCTL_CERTIFICATE_KEY@@',
  vipInterface: '@@LABCTL_VIP_INTERFACE@@',
} as const;

export const CRI_SOCKET = 'unix:///run/containerd/containerd.sock';
export const KUBEADM_API = 'kubeadm.k8s.io/v1beta4';

type Arg = { name: string; value: string };
interface NodeRegistration {
  name: string;
  criSocket: string;
  kubeletExtraArgs: Arg[];
  taints?: { key: string; effect: string }[];
}
export interface InitConfiguration {
  apiVersion: typeof KUBEADM_API;
  kind: 'InitConfiguration';
  localAPIEndpoint: { advertiseAddress: string; bindPort: number };
  nodeRegistration: NodeRegistration;
  skipPhases?: string[];
}
export interface ClusterConfiguration {
  apiVersion: typeof KUBEADM_API;
  kind: 'ClusterConfiguration';
  kubernetesVersion: string;
  clusterName: string;
  controlPlaneEndpoint: string;
  networking: { podSubnet: string; serviceSubnet: string; dnsDomain: string };
  apiServer: { certSANs: string[]; extraArgs: Arg[] };
  controllerManager: { extraArgs: Arg[] };
  etcd: { local: { extraArgs: Arg[] } };
  imageRepository?: string;
}
export interface KubeletConfiguration {
  apiVersion: 'kubelet.config.k8s.io/v1beta1';
  kind: 'KubeletConfiguration';
  cgroupDriver: 'systemd';
  failSwapOn: boolean;
  serverTLSBootstrap: boolean;
  rotateCertificates: boolean;
}
export interface JoinConfiguration {
  apiVersion: typeof KUBEADM_API;
  kind: 'JoinConfiguration';
  discovery: { bootstrapToken: { apiServerEndpoint: string; token: string; caCertHashes: string[] } };
  nodeRegistration: NodeRegistration;
  controlPlane?: { localAPIEndpoint: { advertiseAddress: string; bindPort: number }; certificateKey: string };
}

export const firstControlPlane = (site: Site): SiteNode => site.nodes.find((n) => n.roles.includes('control-plane'))!;
const endpoint = (site: Site) => `${site.kubernetes.apiDnsName}:6443`;

/**
 * A control plane that also runs workloads: one with other roles, or any control plane of a cluster made
 * only of control planes. It gets no NoSchedule taint, and must lose kubeadm's
 * node.kubernetes.io/exclude-from-external-load-balancers label, or MetalLB (which honours it) never
 * announces a Service address from it (issue 13 section 3).
 */
export function takesWorkloads(site: Site, node: SiteNode): boolean {
  if (!node.roles.includes('control-plane')) return false;
  const onlyCp = node.roles.length === 1;
  const everyNodeCp = site.nodes.every((n) => n.roles.length === 1 && n.roles[0] === 'control-plane');
  return !onlyCp || everyNodeCp;
}
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Labels the kubelet registers its node with (set once, at registration: a later role change needs a re-join). */
export function nodeLabels(node: SiteNode): string {
  return [
    `topology.kubernetes.io/zone=${node.rack}`,
    ...(node.roles.includes('vm-host') ? [`${VM_HOST_LABEL}=true`] : []),
  ].join(',');
}

function registration(site: Site, node: SiteNode): NodeRegistration {
  return {
    name: node.name,
    criSocket: CRI_SOCKET,
    kubeletExtraArgs: [
      { name: 'node-ip', value: node.address },
      // kubelet may set the topology labels on itself; the rack is the failure domain. VM hosts also get
      // labctl's own label, which lab VMs and virt-handler select (a kubelet may not set node-role.*
      // labels on itself: NodeRestriction admission; labels outside kubernetes.io/k8s.io it may).
      { name: 'node-labels', value: nodeLabels(node) },
    ],
    // Control-plane nodes that also have other roles run workloads; so does a cluster of only control planes.
    ...(node.roles.includes('control-plane')
      ? {
          taints: takesWorkloads(site, node)
            ? []
            : [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
        }
      : {}),
  };
}

/**
 * etcd's backend quota (quota-backend-bytes): 4 GiB instead of etcd's 2 GiB default. A lab site keeps
 * thousands of small objects (VMs, DataVolumes, PVCs, events of lab starts); history between compactions
 * can pass 2 GiB at a semester's first lab hour, and at the quota etcd goes read-only (NOSPACE). Half of
 * etcd's suggested 8 GiB maximum keeps defragmentation short and the memory map small. EtcdDatabaseFilling
 * warns at 80%.
 */
export const ETCD_QUOTA_BYTES = 4 * 1024 ** 3;
export const ETCD_METRICS_PORT = 2381;

/**
 * etcd flags (v1beta4 extraArgs: a list of {name, value}). Metrics on every address, not kubeadm's
 * 127.0.0.1 only, so Prometheus reaches them on the node address (kube-prometheus-stack kubeEtcd). The
 * ClusterConfiguration is shared by every control plane, so no single node address fits; /metrics and
 * /health are all that port serves (no keys, no writes). kubeadm's etcd probes then use the host
 * 0.0.0.0 (GetEtcdProbeEndpoint takes the first URL), which reaches the local listener.
 */
export function etcdArgs(): Arg[] {
  return [
    { name: 'listen-metrics-urls', value: `http://0.0.0.0:${ETCD_METRICS_PORT}` },
    { name: 'quota-backend-bytes', value: String(ETCD_QUOTA_BYTES) },
  ];
}

/** kube-apiserver OIDC flags; the identity module owns issuer, client id and claims. */
export function oidcArgs(site: Site): Arg[] {
  return apiServerOidc(site).extraArgs;
}

export function kubeadmInitConfig(site: Site, node: SiteNode): string {
  const init: InitConfiguration = {
    apiVersion: KUBEADM_API,
    kind: 'InitConfiguration',
    localAPIEndpoint: { advertiseAddress: node.address, bindPort: 6443 },
    nodeRegistration: registration(site, node),
    // kube-vip, not kube-proxy replacement: keep every phase; listed so the choice is visible.
    skipPhases: [],
  };
  const cluster: ClusterConfiguration = {
    apiVersion: KUBEADM_API,
    kind: 'ClusterConfiguration',
    kubernetesVersion: site.kubernetes.version,
    clusterName: site.site.name,
    controlPlaneEndpoint: endpoint(site),
    networking: {
      podSubnet: site.network.podCidr,
      serviceSubnet: site.network.serviceCidr,
      dnsDomain: 'cluster.local',
    },
    apiServer: {
      certSANs: [site.kubernetes.apiDnsName, site.kubernetes.apiVip],
      // Verify the kubelets' serving certificates (cluster-CA signed, see serverTLSBootstrap below) on
      // kubectl logs/exec/port-forward.
      extraArgs: [...oidcArgs(site), { name: 'kubelet-certificate-authority', value: '/etc/kubernetes/pki/ca.crt' }],
    },
    controllerManager: { extraArgs: [{ name: 'bind-address', value: '0.0.0.0' }] },
    etcd: { local: { extraArgs: etcdArgs() } },
  };
  // serverTLSBootstrap: the kubelet's serving certificate comes from a CSR that kubelet-csr-approver checks.
  const kubelet: KubeletConfiguration = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'systemd',
    failSwapOn: true,
    serverTLSBootstrap: true,
    rotateCertificates: true,
  };
  return toYamlDocs([init, cluster, kubelet]);
}

export function kubeadmJoinConfig(site: Site, node: SiteNode): string {
  const cp = node.roles.includes('control-plane');
  const join: JoinConfiguration = {
    apiVersion: KUBEADM_API,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: endpoint(site),
        token: PLACEHOLDER.joinToken,
        caCertHashes: [PLACEHOLDER.caCertHash],
      },
    },
    nodeRegistration: registration(site, node),
    ...(cp
      ? {
          controlPlane: {
            localAPIEndpoint: { advertiseAddress: node.address, bindPort: 6443 },
            certificateKey: PLACEHOLDER.certificateKey,
          },
        }
      : {}),
  };
  return toYaml(join);
}

/**
 * kube-vip as a static Pod holding the API VIP by ARP. On the first control plane during `kubeadm init`
 * admin.conf has no rights yet (Kubernetes >= 1.29), so it mounts super-admin.conf until init is done
 * (kube-vip/kube-vip#684); the init step switches it back to admin.conf.
 */
export function kubeVipPod(site: Site, node: SiteNode, firstInit: boolean): string {
  const kv = effectiveVersions(site.versions).components['kube-vip']!;
  const kubeconfig = firstInit ? '/etc/kubernetes/super-admin.conf' : '/etc/kubernetes/admin.conf';
  // The variables of the pinned kube-vip release (pkg/kubevip/config_envvar.go at v1.2.3): vip_subnet, not
  // vip_cidr (removed in 0.9.0); vip_nodename from the downward API, as `kube-vip manifest pod` writes it
  // (without it kube-vip falls back to the host name for its lease). svc_enable stays off: MetalLB owns
  // Service addresses.
  const env: Record<string, string> = {
    vip_arp: 'true',
    port: '6443',
    vip_interface: node.interface ?? PLACEHOLDER.vipInterface,
    vip_subnet: '32',
    dns_mode: 'first',
    cp_enable: 'true',
    cp_namespace: 'kube-system',
    svc_enable: 'false',
    vip_leaderelection: 'true',
    vip_leasename: 'plndr-cp-lock',
    vip_leaseduration: '5',
    vip_renewdeadline: '3',
    vip_retryperiod: '1',
    address: site.kubernetes.apiVip,
  };
  const pod: IPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-vip', namespace: 'kube-system' },
    spec: {
      hostNetwork: true,
      hostAliases: [{ ip: '127.0.0.1', hostnames: ['kubernetes'] }],
      containers: [
        {
          name: 'kube-vip',
          image: `${kv.image}:${kv.version}`,
          imagePullPolicy: 'IfNotPresent',
          args: ['manager'],
          env: [
            ...Object.entries(env).map(([name, value]) => ({ name, value })),
            { name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          ],
          securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } },
          volumeMounts: [{ name: 'kubeconfig', mountPath: '/etc/kubernetes/admin.conf' }],
        },
      ],
      volumes: [{ name: 'kubeconfig', hostPath: { path: kubeconfig, type: 'FileOrCreate' } }],
    },
  };
  return toYaml(pod);
}

/** Registry host name containerd sees for an upstream URL (registry-1.docker.io serves docker.io). */
export function registryHost(upstream: string): string {
  const host = new URL(upstream).host;
  return host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/**
 * Where every node keeps the site CA certificate (tls.mode internal-ca): in the system trust store
 * (update-ca-certificates), which kubeadm also mounts into kube-apiserver (cmd/kubeadm/app/phases/controlplane/
 * volumes.go caCertsExtraVolumePaths), so the same file is the API server's --oidc-ca-file. Outside
 * /etc/kubernetes, so `kubeadm reset` keeps it.
 */
export const SITE_CA_FILE = OIDC_CA_FILE;

/** /etc/containerd/certs.d/<registry>/hosts.toml for each Harbor proxy cache: Harbor first, upstream as fallback. */
export function containerdHosts(site: Site): { registry: string; content: string }[] {
  const ca = site.tls.mode === 'internal-ca' ? SITE_CA_FILE : '';
  return site.registry.proxyCaches
    .map((p) => ({
      registry: registryHost(p.upstream),
      content: renderTemplate('cluster/templates/hosts.toml.hbs', {
        server: p.upstream,
        mirror: `https://${site.registry.hostname}/v2/${p.name}`,
        ca,
      }),
    }))
    .sort((a, b) => (a.registry < b.registry ? -1 : 1));
}

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';

/** The pinned containerd release (gitops/versions.yaml): tarball and runc binary, each with its sha256 per arch. */
export interface Download {
  version: string;
  url: string;
  sha256: Record<Arch, string>;
}
export type Arch = 'amd64' | 'arm64';
export const ARCHES: readonly Arch[] = ['amd64', 'arm64'];
export interface ContainerdRelease extends Download {
  runc: Download;
  sandboxImage: string;
}

export function containerdRelease(site: Site): ContainerdRelease {
  const pinned = pinnedVersions().components.containerd as unknown as ContainerdRelease;
  const wanted = site.versions.containerd;
  // A checksum is pinned for one version only: another version cannot be checked, so it is refused.
  if (wanted && wanted !== pinned.version) {
    throw new Error(
      `versions.containerd: ${wanted} has no pinned sha256 (gitops/versions.yaml pins containerd ${pinned.version}); change the pin there, with the release's checksums`,
    );
  }
  return pinned;
}

/**
 * URL of a download for one architecture ({version} and {arch} filled in). With kubernetes.releaseMirror
 * (air-gapped sites) the same file name under the mirror; the pinned sha256 applies either way.
 */
export const downloadUrl = (d: Download, arch: Arch, mirror?: string) => {
  const upstream = d.url.replaceAll('{version}', d.version).replaceAll('{arch}', arch);
  return mirror ? `${mirror.replace(/\/+$/, '')}/${upstream.slice(upstream.lastIndexOf('/') + 1)}` : upstream;
};

/** containerd 2.x configuration (config version 3): systemd cgroups, hosts.toml mirrors, kubeadm's sandbox image. */
export function containerdConfig(site: Site): string {
  return renderTemplate('cluster/templates/containerd-config-v3.toml.hbs', {
    sandboxImage: containerdRelease(site).sandboxImage,
  });
}

export const SYSCTL_FILE = '/etc/sysctl.d/99-kubernetes.conf';
export const MODULES_FILE = '/etc/modules-load.d/kubernetes.conf';

export function sysctlConf(): string {
  return renderTemplate('cluster/templates/sysctl.conf.hbs', {});
}

export function kernelModules(node: SiteNode): string[] {
  return ['overlay', 'br_netfilter', ...(node.roles.includes('storage') ? ['rbd'] : [])];
}

export function modulesLoadConf(node: SiteNode): string {
  return `# Written by labctl: kernel modules Kubernetes needs on this node.\n${kernelModules(node).join('\n')}\n`;
}
