// A CloudNativePG database for a platform service (Keycloak, Harbor): the Cluster, and the SecretNeed
// for its owner's credentials. We supply the password (instead of letting CNPG generate one) so it lives
// in the secret store and survives a rebuild from Git plus the site key.
import type { K8sObject, SecretNeed } from '../model.ts';
import { SYNC_WAVE, k8s } from '../model.ts';
import { NEVER_PRUNE, STORAGE_CLASSES } from './storage.ts';

export interface Database {
  /** Cluster name; CNPG's read-write Service is <name>-rw. */
  name: string;
  namespace: string;
  database: string;
  owner: string;
  /** Secret-store entry of the owner's password. */
  ref: string;
  size: string;
  instances: number;
  purpose: string;
}

export const credentialsSecret = (db: Database) => `${db.name}-credentials`;
export const rwService = (db: Database) => `${db.name}-rw`;

export function postgresCluster(db: Database, wave: string): { object: K8sObject; secret: SecretNeed } {
  const cluster = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    // The database: never pruned or deleted by ArgoCD (a removed component or a renamed Cluster orphans it).
    metadata: { name: db.name, namespace: db.namespace, annotations: { [SYNC_WAVE]: wave, ...NEVER_PRUNE } },
    spec: {
      instances: db.instances,
      primaryUpdateStrategy: 'unsupervised',
      enableSuperuserAccess: false,
      bootstrap: {
        initdb: {
          database: db.database,
          owner: db.owner,
          secret: { name: credentialsSecret(db) },
          dataChecksums: true,
        },
      },
      storage: { size: db.size, storageClass: STORAGE_CLASSES.block },
      affinity: {
        enablePodAntiAffinity: true,
        topologyKey: 'kubernetes.io/hostname',
        podAntiAffinityType: 'preferred',
      },
      monitoring: { enablePodMonitor: true },
    },
  };
  return {
    object: k8s(cluster),
    secret: {
      ref: db.ref,
      namespace: db.namespace,
      name: credentialsSecret(db),
      key: 'password',
      generate: { kind: 'password', length: 32 },
      purpose: db.purpose,
      type: 'kubernetes.io/basic-auth',
      extraData: { username: db.owner },
    },
  };
}
