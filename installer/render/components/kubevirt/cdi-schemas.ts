// CDI (containerized-data-importer) custom resources, for the fields the platform uses. Written from the
// Go API types at kubevirt/containerized-data-importer (snapshot of 2026-08-20, CDI v1.66 line)
// staging/src/kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1/types.go:
// DataVolumeSpec, StorageSpec, DataVolumeSourceRegistry (pullMethod "pod" | "node"), DataSourceSpec
// (source is required; pvc | snapshot | dataSource), DataImportCronSpec (template, schedule and
// managedDataSource required; garbageCollect "Outdated" | "Never"). All kinds are namespaced, v1beta1.
// The CDI operator CR itself is left to the module that installs CDI.
import { bool, int, list, obj, oneOf, str, type Schema } from '../../../inventory/schema/dsl.ts';
import { labelMap, labelSelector, resource } from '../../platform/crd-schema.ts';

const API = 'cdi.kubevirt.io/v1beta1';
const quantity = (d: string) => ({
  description: d,
  anyOf: [
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$' },
    { type: 'integer', minimum: 0 },
  ],
});
const nsName = (d: string) =>
  obj(d, { namespace: str('Namespace.', { minLength: 1 }), name: str('Name.', { minLength: 1 }) }, [
    'namespace',
    'name',
  ]);

const storage = obj("Storage of the volume; unset fields come from the StorageClass's StorageProfile.", {
  accessModes: list(
    'Access modes.',
    oneOf('An access mode.', ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']),
  ),
  volumeMode: oneOf('Volume mode; FromStorageProfile lets CDI choose.', ['Filesystem', 'Block', 'FromStorageProfile']),
  storageClassName: str('StorageClass; the default (virt) class when absent.', { minLength: 1 }),
  resources: obj('Requested size.', {
    requests: obj('Requests.', { storage: quantity('Size, e.g. 20Gi.') }),
  }),
  selector: labelSelector,
});

const registrySource = obj('Import a disk from a container image whose /disk folder holds it (a containerDisk).', {
  url: str('Image reference with its scheme: docker://host/repo:tag or oci-archive://...', {
    pattern: '^(docker|oci-archive)://\\S+$',
  }),
  imageStream: str('OpenShift ImageStream name (instead of url; needs pullMethod node).', { minLength: 1 }),
  pullMethod: oneOf(
    '"pod" (the importer pod pulls, with secretRef credentials) or "node" (the kubelet pulls, with node credentials). Default pod.',
    ['pod', 'node'],
  ),
  secretRef: str('Secret in the same namespace with keys accessKeyId and secretKey (registry user and password).', {
    minLength: 1,
  }),
  certConfigMap: str('ConfigMap holding the CA certificate(s) of the registry.', { minLength: 1 }),
  platform: obj('Which image of a multi-arch index to import.', {
    architecture: str('CPU architecture, e.g. amd64.', { minLength: 1 }),
  }),
});

const dvSource = obj(
  'Where the data comes from (one of).',
  {
    registry: registrySource,
    http: obj(
      'Import from an http(s) URL.',
      {
        url: str('URL.', { pattern: '^https?://\\S+$' }),
        secretRef: str('Secret with accessKeyId and secretKey.', { minLength: 1 }),
        certConfigMap: str('ConfigMap with CA certificates.', { minLength: 1 }),
      },
      ['url'],
    ),
    pvc: nsName('Clone an existing PVC.'),
    snapshot: nsName('Restore from a VolumeSnapshot.'),
    blank: obj('An empty disk.', {}),
  },
  [],
  { minProperties: 1, maxProperties: 1 },
);

const dvSpec = obj('DataVolume spec: a PVC filled from a source.', {
  source: dvSource,
  sourceRef: obj(
    'Take the source from a DataSource (labs clone golden images this way).',
    {
      kind: { const: 'DataSource', description: 'Only DataSource is supported.' },
      namespace: str("Namespace of the DataSource; the DataVolume's when absent.", { minLength: 1 }),
      name: str('Name of the DataSource.', { minLength: 1 }),
    },
    ['kind', 'name'],
  ),
  storage,
  contentType: oneOf('kubevirt (a disk image) or archive (a tar of files).', ['kubevirt', 'archive']),
  priorityClassName: str('PriorityClass of the importer pod.', { minLength: 1 }),
  preallocation: bool('Allocate the whole volume up front.'),
});

const dataVolume = resource(API, 'DataVolume', true, dvSpec);

const dataSource = resource(
  API,
  'DataSource',
  true,
  obj(
    'A name labs clone from; points at the current PVC or snapshot of a golden image.',
    {
      source: obj(
        'The current source. Left empty when a DataImportCron manages the DataSource (the cron fills it).',
        {
          pvc: nsName('A PVC.'),
          snapshot: nsName('A VolumeSnapshot.'),
          dataSource: nsName('Another DataSource (one level of indirection at most).'),
        },
        [],
        { maxProperties: 1 },
      ),
    },
    ['source'],
  ),
);

const dataImportCron = resource(
  API,
  'DataImportCron',
  true,
  obj(
    'Polls a registry image on a schedule and imports each new digest, keeping the managed DataSource pointed at the newest import.',
    {
      template: obj(
        'The DataVolume each import creates.',
        {
          metadata: obj('Metadata of the created DataVolumes.', {
            labels: labelMap('Labels.'),
            annotations: labelMap('Annotations.'),
          }),
          spec: dvSpec,
        },
        ['spec'],
      ),
      schedule: str('Cron expression (5 fields) for polling the source digest.', {
        pattern: '^\\S+ \\S+ \\S+ \\S+ \\S+$',
      }),
      garbageCollect: oneOf('Outdated (delete old imports beyond importsToKeep, the default) or Never.', [
        'Outdated',
        'Never',
      ]),
      importsToKeep: int('Imports kept when garbage collecting. Upstream default 3.', { minimum: 1 }),
      managedDataSource: str('Name of the DataSource (same namespace) this cron keeps up to date.', { minLength: 1 }),
      retentionPolicy: oneOf(
        'Whether created DataVolumes and the DataSource stay when the cron is deleted: All (default) or None.',
        ['All', 'None'],
      ),
      serviceAccountName: str('ServiceAccount used to create the DataVolumes.', { minLength: 1 }),
    },
    ['template', 'schedule', 'managedDataSource'],
  ),
);

export const CDI_SCHEMAS: Record<string, Schema> = {
  [`${API}/DataVolume`]: dataVolume,
  [`${API}/DataSource`]: dataSource,
  [`${API}/DataImportCron`]: dataImportCron,
};
