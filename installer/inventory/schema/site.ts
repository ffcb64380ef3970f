import { obj, str, label, cidr4, ipv4, list, int, opt, dflt } from './build.ts';
import { DNS_NAME } from './dsl.ts';

export const site = obj('The site as a whole: its name, DNS domain, time zone and the Git repository ArgoCD follows.', {
  name: str('Short name of the site, an RFC 1123 label of at most 40 characters. Example: cs-lab', {
    pattern: '^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$',
  }),
  domain: str(
    'DNS domain under which every platform service gets a name (argocd.<domain>, harbor.<domain>). Example: lab.example.edu',
    { pattern: DNS_NAME },
  ),
  timezone: str(
    'IANA time zone of the site, used for lab hours, on-call hand-over and maintenance windows. Example: Europe/Berlin',
    { minLength: 1 },
  ),
  gitRepo: str('Git URL the rendered site repository is pushed to and ArgoCD pulls from.', {
    pattern: '^(https?://|ssh://|git@)\\S+$',
  }),
  gitRevision: dflt(str('Branch or tag ArgoCD follows.', { minLength: 1 }), 'main'),
  gitBrowseUrl: opt(
    str(
      'URL prefix under which files of the site repository can be browsed; runbook links point there. Default: derived from gitRepo.',
      { pattern: '^https?://\\S+$' },
    ),
  ),
});

const subnet = obj('A node subnet.', {
  name: label('Name of the subnet, referenced by racks and nodes.'),
  cidr: cidr4('IPv4 CIDR of the subnet. Example: 10.10.1.0/24'),
  gateway: ipv4('Default gateway of the subnet, inside it.'),
  vlan: opt(int('VLAN id, for documentation and the router snippets.', { minimum: 1, maximum: 4094 })),
});

export const network = obj('Node subnets and the cluster-internal address ranges.', {
  subnets: list('The IP subnets the servers live in.', subnet, { minItems: 1 }),
  podCidr: dflt(cidr4('CIDR for pod addresses (Calico IP pool, kubeadm podSubnet).'), '10.244.0.0/16'),
  serviceCidr: dflt(cidr4('CIDR for Service cluster IPs (kubeadm serviceSubnet).'), '10.96.0.0/12'),
  dnsServers: list('Campus DNS resolvers the nodes use.', ipv4('A resolver address.'), { minItems: 1 }),
  ntpServers: dflt(
    list(
      'NTP servers the nodes sync with; none means the OS default.',
      str('An NTP server name or address.', { minLength: 1 }),
    ),
    [],
  ),
  aptProxy: opt(
    str('HTTP proxy apt uses on the nodes (e.g. a campus apt-cacher-ng). Default: none (direct)', {
      pattern: '^https?://\\S+$',
    }),
  ),
});

export const kubernetes = obj('The Kubernetes control plane kubeadm creates.', {
  version: opt(
    str(
      'Kubernetes version to install; one of the versions labctl supports. Default: the pinned version in gitops/versions.yaml',
      { pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$' },
    ),
  ),
  apiVip: ipv4('Floating API server address held by kube-vip (ARP) in the control-plane subnet; no node may use it.'),
  apiDnsName: str('DNS name of the API VIP. Example: k8s-api.lab.example.edu', { pattern: DNS_NAME }),
  packageRepo: opt(
    str('Apt repository for kubelet/kubeadm/kubectl. Default: https://pkgs.k8s.io/core:/stable:/<minor>/deb/', {
      pattern: '^(https?|file)://\\S+$',
    }),
  ),
  containerdPackage: opt(
    str(
      'DEPRECATED and ignored: containerd 2.x is installed from the release pinned in gitops/versions.yaml (no supported OS ships 2.x); validate warns when it is set.',
      { pattern: '^[a-z0-9][a-z0-9.+-]+$' },
    ),
  ),
  // Quote-free on purpose: the URL reaches a step script (quoted there too).
  releaseMirror: opt(
    str(
      'URL prefix from which nodes download the pinned release files (containerd, runc) instead of their upstream URLs, for air-gapped sites: each file under its upstream file name. The pinned sha256 still applies. Default: none (the upstream URLs). Example: http://mirror.example.edu/labctl-releases',
      { pattern: '^https?://[A-Za-z0-9._~:/%+-]+$' },
    ),
  ),
});
