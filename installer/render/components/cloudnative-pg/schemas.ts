// CloudNativePG Cluster (postgresql.cnpg.io/v1), from cloudnative-pg v1.30.0
// config/crd/bases/postgresql.cnpg.io_clusters.yaml: the fields the platform's databases use.
import { bool, int, obj, str, type Schema } from '../../../inventory/schema/dsl.ts';
import { anyObject, resource } from '../../platform/crd-schema.ts';

const secretName = (d: string) => obj(d, { name: str('Secret name.', { minLength: 1 }) }, ['name']);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'postgresql.cnpg.io/v1/Cluster': resource(
    'postgresql.cnpg.io/v1',
    'Cluster',
    true,
    obj(
      'Cluster spec.',
      {
        instances: int('Number of PostgreSQL instances (1 primary + replicas).', { minimum: 1 }),
        description: str('Free text.'),
        imageName: str('PostgreSQL container image.'),
        enableSuperuserAccess: bool('Whether the postgres superuser can log in remotely.'),
        primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'], description: 'How the primary is updated.' },
        bootstrap: obj('How the cluster is created.', {
          initdb: obj('A new empty cluster.', {
            database: str('Application database name.'),
            owner: str('Owner (application user) of the database.'),
            secret: secretName("kubernetes.io/basic-auth Secret with the owner's username and password."),
            dataChecksums: bool('Enable data page checksums.'),
            encoding: str('Database encoding.'),
          }),
        }),
        storage: obj(
          'PGDATA volume.',
          {
            size: str('Size of the volume.', { pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti)?$' }),
            storageClass: str('StorageClass of the volume.'),
            resizeInUseVolumes: bool('Resize volumes in use.'),
          },
          ['size'],
        ),
        affinity: obj('Pod scheduling.', {
          enablePodAntiAffinity: bool('Spread instances.'),
          topologyKey: str('Topology key of the anti-affinity.'),
          podAntiAffinityType: { enum: ['preferred', 'required'], description: 'Anti-affinity strength.' },
        }),
        monitoring: obj('Metrics.', { enablePodMonitor: bool('Create a PodMonitor.') }),
        postgresql: obj('PostgreSQL settings.', {
          parameters: {
            type: 'object',
            description: 'postgresql.conf parameters.',
            additionalProperties: { type: 'string' },
          },
        }),
        resources: anyObject('Container resources.'),
      },
      ['instances'],
    ),
  ),
};
