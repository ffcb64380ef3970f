import { obj, str, int, list, label, ipv4, oneOf, raw, opt, dflt, section } from './build.ts';

export const ROLES = ['control-plane', 'vm-host', 'storage', 'worker'] as const;
const DISK_PATH = '^/dev/disk/by-id/[A-Za-z0-9._:+@-]+$';

// The top-level ssh block declares the defaults; a node's ssh block overrides them, so it has none.
const sshProps = {
  user: str('Login user with passwordless sudo.', { minLength: 1 }),
  port: int('SSH port.', { minimum: 1, maximum: 65535 }),
  privateKeyFile: str('Private key file; a leading ~ is the home of the user running labctl.', { minLength: 1 }),
  jumpHost: str('Bastion to jump through, as user@host[:port]. Default: none', {
    pattern: '^([^@\\s]+@)?[^:@\\s]+(:[0-9]{1,5})?$',
  }),
  knownHostsFile: str(
    "OpenSSH known_hosts file listing the nodes' host keys (by address, [address]:port or node name; hashed entries work). When set, a host it does not list is refused. Default: none (trust on first use, pinned in the state directory)",
    { minLength: 1 },
  ),
};

/** A host key fingerprint as `ssh-keygen -lf` prints it. */
const HOST_KEY_FP = '^SHA256:[A-Za-z0-9+/]{43}$';

export const ssh = section(
  obj("SSH defaults for every node; a node's own ssh block overrides any of them.", {
    user: dflt(sshProps.user, 'root'),
    port: dflt(sshProps.port, 22),
    privateKeyFile: dflt(sshProps.privateKeyFile, '~/.ssh/id_ed25519'),
    jumpHost: opt(sshProps.jumpHost),
    knownHostsFile: opt(sshProps.knownHostsFile),
  }),
);

export const racks = list(
  'Physical racks; each is a failure domain (topology.kubernetes.io/zone).',
  obj('A rack.', {
    name: label('Name of the rack.'),
    subnet: label("Default subnet (network.subnets[].name) of the rack's nodes."),
  }),
  { minItems: 1 },
);

export const nodes = list(
  'Every server of the site.',
  obj('A server.', {
    name: label("Hostname, RFC 1123, unique; must match the host's own hostname."),
    rack: label('The rack the server is in (racks[].name).'),
    address: ipv4("IPv4 address inside the node's subnet, unique."),
    roles: list(
      'What the node does.',
      oneOf('A role: control-plane, vm-host (lab VMs, needs /dev/kvm), storage (Ceph OSDs) or worker.', ROLES),
      { minItems: 1, uniqueItems: true },
    ),
    subnet: opt(label("Overrides the rack's subnet. Default: the rack's subnet")),
    disks: dflt(
      list(
        'Ceph OSD disks by stable id; only these are ever given to Ceph.',
        raw<string | { path: string; size?: string }>({
          // A path, or {path, size}: JSON Schema applies pattern to strings and properties to objects (one
          // error per problem, where a TypeBox union would report each branch).
          type: ['string', 'object'],
          description:
            'A disk path under /dev/disk/by-id/, or {path, size} to give its size for the capacity checks (labs capacity, raw Ceph storage).',
          pattern: DISK_PATH,
          properties: {
            path: str('The disk path under /dev/disk/by-id/.', { pattern: DISK_PATH }),
            size: str('Size of the disk, for the capacity checks. Example: 4Ti. Default: unknown (capacity says so)', {
              pattern: '^[1-9][0-9]*(Gi|Ti)$',
            }),
          },
          required: ['path'],
          additionalProperties: false,
        }),
      ),
      [],
    ),
    interface: opt(
      str('Network interface carrying the address (kube-vip binds the VIP there). Default: detected', {
        pattern: '^[A-Za-z0-9._-]{1,15}$',
      }),
    ),
    ssh: opt(
      obj('Per-node override of the SSH defaults.', {
        user: opt(sshProps.user),
        port: opt(sshProps.port),
        privateKeyFile: opt(sshProps.privateKeyFile),
        jumpHost: opt(sshProps.jumpHost),
        knownHostsFile: opt(sshProps.knownHostsFile),
        hostKeys: opt(
          list(
            'Fingerprints of the host keys this node may show (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on its console). When set, any other key is refused. Default: none (knownHostsFile, else trust on first use)',
            str('A host key fingerprint, SHA256:... (43 base64 characters).', { pattern: HOST_KEY_FP }),
            { minItems: 1, uniqueItems: true },
          ),
        ),
      }),
    ),
    cpu: opt(
      int('CPU threads of the server, for labs capacity (vm-host nodes). Default: labs.vmHost.cpu', {
        minimum: 1,
        maximum: 4096,
      }),
    ),
    memory: opt(
      str('Memory of the server, for labs capacity (vm-host nodes). Example: 512Gi. Default: labs.vmHost.memory', {
        pattern: '^[1-9][0-9]*(Gi|Ti)$',
      }),
    ),
  }),
  { minItems: 1 },
);
