// Rook's custom resources we write directly (the CephCluster and pools come from the rook-ceph-cluster
// chart): CephObjectStoreUser (ceph.rook.io/v1) and ObjectBucketClaim (objectbucket.io/v1alpha1), from
// rook v1.20.6 deploy/examples/crds.yaml.
import { list, obj, str, type Schema } from '../../../inventory/schema/dsl.ts';
import { resource } from '../../platform/crd-schema.ts';

const keyRef = (d: string) =>
  obj(d, { name: str('Secret name.', { minLength: 1 }), key: str('Key in the Secret.', { minLength: 1 }) }, [
    'name',
    'key',
  ]);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'ceph.rook.io/v1/CephObjectStoreUser': resource(
    'ceph.rook.io/v1',
    'CephObjectStoreUser',
    true,
    obj(
      'Object store user spec.',
      {
        store: str('Name of the CephObjectStore.', { minLength: 1 }),
        clusterNamespace: str(
          'Namespace of the CephCluster and store when the user lives elsewhere (store must allow it).',
        ),
        displayName: str('Display name.'),
        keys: list(
          'Credentials to give the user instead of generated ones.',
          obj(
            'An access key pair.',
            {
              accessKeyRef: keyRef('Where the access key is.'),
              secretKeyRef: keyRef('Where the secret key is.'),
            },
            ['accessKeyRef', 'secretKeyRef'],
          ),
        ),
        quotas: obj('User quotas.', {
          maxBuckets: { type: 'integer', description: 'Max buckets.' },
          maxSize: str('Max total size.'),
          maxObjects: { type: 'integer', description: 'Max objects.' },
        }),
      },
      ['store'],
    ),
  ),
  'objectbucket.io/v1alpha1/ObjectBucketClaim': resource(
    'objectbucket.io/v1alpha1',
    'ObjectBucketClaim',
    true,
    obj(
      'Bucket claim spec.',
      {
        storageClassName: str('Bucket StorageClass.', { minLength: 1 }),
        bucketName: str('Fixed bucket name.', { pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
        generateBucketName: str('Prefix of a generated bucket name.'),
        additionalConfig: {
          type: 'object',
          description: 'Provisioner options (maxObjects, maxSize, bucketOwner...).',
          additionalProperties: { type: 'string' },
        },
      },
      ['storageClassName'],
    ),
  ),
};
