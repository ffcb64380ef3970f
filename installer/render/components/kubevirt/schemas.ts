// KubeVirt and CDI custom resources the platform renders (components/kubevirt.ts) and charts/vm-lab
// produces, written from the upstream Go types for the fields we use: kubevirt/kubevirt
// staging/src/kubevirt.io/api/{core/v1,instancetype/v1beta1} (v1.9 line) and
// kubevirt/containerized-data-importer staging/.../core/v1beta1/types.go (v1.66 line).
// Closed objects, so a misspelt field in the chart or a builder fails validation.
import { obj, str, int, bool, list, oneOf, type Schema } from '../../../inventory/schema/dsl.ts';
import { anyObject, labelMap, metadata, resource } from '../../platform/crd-schema.ts';
import { CDI_SCHEMAS } from './cdi-schemas.ts';

const quantity = (d: string): Schema => ({
  description: d,
  anyOf: [
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$' },
    { type: 'integer', minimum: 0 },
  ],
});
const localRef = obj('Reference to an object in the same namespace.', { name: str('Name.', { minLength: 1 }) }, [
  'name',
]);
const resources = obj(
  'Resource requests.',
  { requests: obj('Requests.', { storage: quantity('Requested size.') }, ['storage']) },
  ['requests'],
);

/** CDI DataVolume spec (storage API, clone from a DataSource). */
const dataVolumeSpec = obj('How the volume is populated and what it is.', {
  sourceRef: obj(
    'Clone from a DataSource (the golden image of the catalog).',
    {
      kind: { const: 'DataSource', description: 'Kind of the source; only DataSource exists.' },
      name: str('DataSource name.', { minLength: 1 }),
      namespace: str("DataSource namespace. Default: the DataVolume's namespace", { minLength: 1 }),
    },
    ['kind', 'name'],
  ),
  source: anyObject('Explicit source (http, registry, pvc, blank...).'),
  storage: obj('Storage of the volume; CDI fills in access and volume mode from the StorageProfile when absent.', {
    storageClassName: str('StorageClass.'),
    accessModes: list(
      'Access modes.',
      oneOf('An access mode.', ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']),
    ),
    volumeMode: oneOf('Block or Filesystem.', ['Block', 'Filesystem']),
    resources,
  }),
  pvc: anyObject('Full PVC spec (older API).'),
});

const disk = obj(
  'A disk of the VM.',
  {
    name: str('Name; matches a volume.', { minLength: 1 }),
    disk: obj('Attach as a disk.', { bus: oneOf('Bus.', ['virtio', 'sata', 'scsi', 'usb']) }),
    cdrom: anyObject('Attach as a CD-ROM.'),
    bootOrder: int('Boot order.', { minimum: 1 }),
  },
  ['name'],
);

const volume = obj(
  'A volume of the VM; exactly one source.',
  {
    name: str('Name.', { minLength: 1 }),
    dataVolume: obj(
      "A DataVolume (in the VM's dataVolumeTemplates or standalone).",
      { name: str('DataVolume name.', { minLength: 1 }), hotpluggable: bool('Hot-pluggable.') },
      ['name'],
    ),
    persistentVolumeClaim: obj(
      'A PVC.',
      { claimName: str('PVC name.', { minLength: 1 }), readOnly: bool('Read only.') },
      ['claimName'],
    ),
    ephemeral: obj(
      'A PVC used read-only with a throw-away copy-on-write overlay.',
      {
        persistentVolumeClaim: obj(
          'The backing PVC.',
          { claimName: str('PVC name.', { minLength: 1 }), readOnly: bool('Read only.') },
          ['claimName'],
        ),
      },
      ['persistentVolumeClaim'],
    ),
    containerDisk: obj(
      'A disk image in an OCI image.',
      {
        image: str('Image reference.', { minLength: 1 }),
        imagePullPolicy: oneOf('Pull policy.', ['Always', 'IfNotPresent', 'Never']),
      },
      ['image'],
    ),
    cloudInitNoCloud: obj('cloud-init NoCloud data source.', {
      secretRef: localRef,
      userData: str('Inline user-data (at most 2048 bytes).', { maxLength: 2048 }),
      userDataBase64: str('Base64 user-data.'),
      networkDataSecretRef: localRef,
      networkData: str('Inline network-data.'),
    }),
  },
  ['name'],
  { minProperties: 2, maxProperties: 2 },
);

const vmiSpec = obj(
  'The VirtualMachineInstance template spec.',
  {
    domain: obj(
      'The virtual hardware.',
      {
        cpu: obj('CPU topology.', {
          cores: int('Cores.', { minimum: 1 }),
          sockets: int('Sockets.', { minimum: 1 }),
          threads: int('Threads.', { minimum: 1 }),
          model: str('CPU model.'),
        }),
        memory: obj('Guest memory.', { guest: quantity('Memory the guest sees.') }),
        resources: obj('Requests and limits of the virt-launcher pod.', {
          requests: { type: 'object', description: 'Requests.', additionalProperties: quantity('A quantity.') },
          limits: { type: 'object', description: 'Limits.', additionalProperties: quantity('A quantity.') },
        }),
        devices: obj('Devices.', {
          disks: list('Disks.', disk),
          interfaces: list(
            'Network interfaces.',
            obj(
              'An interface.',
              {
                name: str('Name; matches a network.', { minLength: 1 }),
                masquerade: obj('NAT behind the pod address.', {}),
                bridge: obj('Bridge.', {}),
                model: str('NIC model.'),
              },
              ['name'],
            ),
          ),
          autoattachGraphicsDevice: bool('Attach a VNC-capable display. Default: true'),
          autoattachSerialConsole: bool('Attach a serial console. Default: true'),
          rng: obj('Virtio RNG.', {}),
        }),
        firmware: anyObject('Firmware (BIOS/EFI).'),
        machine: obj('Machine type.', { type: str('Type, e.g. q35.') }),
      },
      ['devices'],
    ),
    networks: list(
      'Networks.',
      obj(
        'A network.',
        {
          name: str('Name.', { minLength: 1 }),
          pod: obj('The pod network.', {}),
          multus: anyObject('A Multus network.'),
        },
        ['name'],
      ),
    ),
    volumes: list('Volumes.', volume),
    terminationGracePeriodSeconds: int('Seconds to shut down gracefully.', { minimum: 0 }),
    evictionStrategy: oneOf('What an eviction does.', ['None', 'LiveMigrate', 'LiveMigrateIfPossible', 'External']),
    nodeSelector: labelMap('Node selector.'),
    priorityClassName: str('Priority class.'),
    tolerations: list('Tolerations.', anyObject('A toleration.')),
  },
  ['domain'],
);

const virtualMachine = resource(
  'kubevirt.io/v1',
  'VirtualMachine',
  true,
  obj(
    'A VM: its run strategy, disks cloned per VM, and the instance template.',
    {
      runStrategy: oneOf('Always, Halted, Manual, RerunOnFailure, Once, WaitAsReceiver.', [
        'Always',
        'Halted',
        'Manual',
        'RerunOnFailure',
        'Once',
        'WaitAsReceiver',
      ]),
      instancetype: obj(
        'CPU and memory from an instance type.',
        {
          kind: oneOf('Kind.', ['VirtualMachineClusterInstancetype', 'VirtualMachineInstancetype']),
          name: str('Name.', { minLength: 1 }),
        },
        ['name'],
      ),
      preference: obj(
        'Device preferences.',
        {
          kind: oneOf('Kind.', ['VirtualMachineClusterPreference', 'VirtualMachinePreference']),
          name: str('Name.', { minLength: 1 }),
        },
        ['name'],
      ),
      dataVolumeTemplates: list(
        'DataVolumes created with (and owned by) the VM.',
        obj(
          'A DataVolume template.',
          {
            metadata: obj(
              'Metadata.',
              {
                name: str('DataVolume name.', { minLength: 1 }),
                labels: labelMap('Labels.'),
                annotations: labelMap('Annotations.'),
              },
              ['name'],
            ),
            spec: dataVolumeSpec,
          },
          ['metadata', 'spec'],
        ),
      ),
      template: obj(
        'The VirtualMachineInstance to run.',
        {
          metadata: obj('Labels and annotations of the instance (and its pod).', {
            labels: labelMap('Labels.'),
            annotations: labelMap('Annotations.'),
          }),
          spec: vmiSpec,
        },
        ['spec'],
      ),
    },
    ['template'],
  ),
);

const instancetype = resource(
  'instancetype.kubevirt.io/v1beta1',
  'VirtualMachineClusterInstancetype',
  false,
  obj(
    'CPU and memory a VM gets.',
    {
      cpu: obj('vCPUs.', { guest: int('vCPUs the guest sees.', { minimum: 1 }) }, ['guest']),
      memory: obj(
        'Memory.',
        {
          guest: quantity('Memory the guest sees.'),
          overcommitPercent: int('Memory overcommit in percent.', { minimum: 0, maximum: 100 }),
        },
        ['guest'],
      ),
    },
    ['cpu', 'memory'],
  ),
);

const kubevirt = resource(
  'kubevirt.io/v1',
  'KubeVirt',
  true,
  obj('The KubeVirt installation virt-operator deploys.', {
    configuration: obj('Cluster-wide configuration.', {
      developerConfiguration: obj('Feature gates and tuning.', {
        featureGates: list('Alpha/beta feature gates to enable.', str('A gate.', { minLength: 1 }), {
          uniqueItems: true,
        }),
        disabledFeatureGates: list('Beta gates to disable.', str('A gate.', { minLength: 1 }), { uniqueItems: true }),
        cpuAllocationRatio: int("vCPUs per requested CPU of a VM's pod. Default: 10", { minimum: 1 }),
        memoryOvercommit: int('Guest memory as percent of the requested memory. Default: 100', { minimum: 10 }),
        useEmulation: bool('Software emulation where /dev/kvm is missing.'),
        nodeSelectors: labelMap('Nodes VMs may run on.'),
      }),
      vmRolloutStrategy: oneOf('How VM changes reach running VMs.', ['Stage', 'LiveUpdate']),
      evictionStrategy: oneOf('What evicting a VM (a node drain) does, cluster-wide. Default: None', [
        'None',
        'LiveMigrate',
        'LiveMigrateIfPossible',
        'External',
      ]),
    }),
    workloadUpdateStrategy: obj('How running VMs move to a new KubeVirt.', {
      workloadUpdateMethods: list('Methods.', oneOf('A method.', ['LiveMigrate', 'Evict'])),
      batchEvictionSize: int('Batch size.', { minimum: 1 }),
    }),
    uninstallStrategy: oneOf('Whether removing the CR removes VMs.', [
      'RemoveWorkloads',
      'BlockUninstallIfWorkloadsExist',
      'BlockUninstallIfRemoveWorkloads',
    ]),
    imagePullPolicy: oneOf('Pull policy.', ['Always', 'IfNotPresent', 'Never']),
    imageRegistry: str("Registry of KubeVirt's images (a mirror)."),
    workloads: anyObject('Placement of the per-node components (virt-handler).'),
    infra: anyObject('Placement of the control components.'),
  }),
  [],
);

const cdi = resource(
  'cdi.kubevirt.io/v1beta1',
  'CDI',
  false,
  obj('The CDI installation cdi-operator deploys.', {
    config: obj('CDI configuration.', {
      scratchSpaceStorageClass: str('StorageClass of scratch space for imports and uploads.'),
      featureGates: list('Feature gates.', str('A gate.', { minLength: 1 }), { uniqueItems: true }),
      insecureRegistries: list('Registries without TLS.', str('host[:port].')),
      uploadProxyURLOverride: str('Upload proxy URL.'),
      podResourceRequirements: anyObject('Requests/limits of CDI worker pods.'),
      dataVolumeTTLSeconds: int('Seconds before a completed DataVolume is garbage-collected; -1 keeps them.', {
        minimum: -1,
      }),
    }),
    imagePullPolicy: oneOf('Pull policy.', ['Always', 'IfNotPresent', 'Never']),
    uninstallStrategy: oneOf('Whether removing the CR removes DataVolumes.', [
      'RemoveWorkloads',
      'BlockUninstallIfWorkloadsExist',
    ]),
    cloneStrategyOverride: oneOf('Clone strategy for every StorageProfile.', ['copy', 'snapshot', 'csi-clone']),
    infra: anyObject("Placement of CDI's control components."),
    workload: anyObject('Placement of CDI worker pods.'),
  }),
  [],
);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'cdi.kubevirt.io/v1beta1/CDI': cdi,
  'kubevirt.io/v1/VirtualMachine': virtualMachine,
  'kubevirt.io/v1/KubeVirt': kubevirt,
  'instancetype.kubevirt.io/v1beta1/VirtualMachineClusterInstancetype': instancetype,
  ...CDI_SCHEMAS,
};
void metadata;
