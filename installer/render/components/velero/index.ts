// Velero: backups of the platform's state and of the courses' labs to the site's backup target (the
// inventory's `backup:`, an S3 bucket off the cluster), only on sites that have one. Objects go as Velero
// tarballs; the platform's volumes as files through the node agent with Kopia (file-system backup), lab VM
// disks (block volumes) through CSI snapshot data movement (the node agent's data mover uploads a transient
// snapshot's content with Kopia); never as kept CSI snapshots, which would stay inside the Ceph cluster the
// backup must survive. The AWS plugin speaks S3; the KubeVirt
// plugin keeps VMs, their DataVolumes and disks together. Schedules and the storage location are our own
// manifests (schedules.ts), validated against Velero's upstream CRDs; the chart deploys Velero itself.
import type { Versions } from '../../../core/versions.ts';
import type { ComponentBuilder, SecretNeed } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { PRIORITY } from '../../platform/scheduling.ts';
import { siteCaNeeds } from '../../platform/site-issuer.ts';
import { alerts } from './alerts.ts';
import { dashboards } from './dashboards.ts';
import { veleroBackup } from './backup-section.ts';
import { SCHEMAS } from './schemas.ts';
import { readme } from './readme.ts';
import {
  CREDENTIALS,
  PLATFORM_NAMESPACES,
  REPO_CREDENTIALS,
  SCHEDULES,
  SCHEDULE_LABEL,
  STORAGE_LOCATION,
  VELERO_NAMESPACE,
  bucketPrefix,
  schedules,
  storageLocation,
} from './schedules.ts';

// What the backup CLI (installer/backup) and tests use: namespace, names and labels of Velero's objects.
export {
  CREDENTIALS,
  PLATFORM_NAMESPACES,
  REPO_CREDENTIALS,
  SCHEDULES,
  SCHEDULE_LABEL,
  STORAGE_LOCATION,
  VELERO_NAMESPACE,
  bucketPrefix,
  veleroBackup,
};

/** Store entries campus IT supplies (`labctl secrets set`); the etcd snapshots read the same two. */
export const S3_ENTRIES = { accessKey: 'backup-s3-access-key', secretKey: 'backup-s3-secret-key' } as const;
/** Generated store entry: the Kopia repository password that encrypts the volume data on the target. */
export const REPO_PASSWORD_ENTRY = 'backup-velero-repo-password';

/**
 * Secret velero/velero-s3: `cloud` is the AWS credentials file Velero and its node agent read
 * (AWS_SHARED_CREDENTIALS_FILE), built from the two entries when the Secret is applied; the two plain keys
 * declare the entries as site-supplied (the same Secret, so no other copy of them exists in the cluster).
 */
export function veleroSecretNeeds(): SecretNeed[] {
  const base = { namespace: VELERO_NAMESPACE, name: CREDENTIALS.name };
  return [
    {
      ...base,
      ref: S3_ENTRIES.secretKey,
      key: CREDENTIALS.key,
      generate: { kind: 'aws-credentials', accessKey: S3_ENTRIES.accessKey, secretKey: S3_ENTRIES.secretKey },
      purpose: `AWS credentials file of the backup target (built from ${S3_ENTRIES.accessKey} and ${S3_ENTRIES.secretKey})`,
    },
    {
      ...base,
      ref: S3_ENTRIES.accessKey,
      key: 'aws_access_key_id',
      generate: { kind: 'external' },
      purpose: 'S3 access key of the backup target (campus IT; Velero and the etcd snapshots)',
    },
    {
      ...base,
      ref: S3_ENTRIES.secretKey,
      key: 'aws_secret_access_key',
      generate: { kind: 'external' },
      purpose: 'S3 secret key of the backup target (campus IT; Velero and the etcd snapshots)',
    },
    // Without it Velero encrypts every volume backup with its built-in password (static-passw0rd).
    {
      namespace: VELERO_NAMESPACE,
      name: REPO_CREDENTIALS.name,
      ref: REPO_PASSWORD_ENTRY,
      key: REPO_CREDENTIALS.key,
      generate: { kind: 'password', length: 48 },
      purpose: 'Kopia repository password (encrypts the volume data Velero writes to the backup target)',
      noRotate: `it is the password of the existing Kopia repositories on the backup target: a new value would lock every volume backup away, and Velero cannot re-key a repository. To change it, start a new backup chain: let the old backups expire (or delete them with velero backup delete), delete the BackupRepository objects in namespace velero, then labctl secrets set ${REPO_PASSWORD_ENTRY} --replace ${REPO_PASSWORD_ENTRY}, labctl secrets apply, and restart the velero and node-agent pods`,
    },
  ];
}

function pluginImage(versions: Versions, key: string): string {
  const pin = versions.components[key];
  if (!pin?.image) throw new Error(`gitops/versions.yaml: ${key}.image is missing`);
  return `${pin.image}:${pin.version}`;
}

/** A plugin is an init container that copies its binary into the shared plugins volume (Velero's chart). */
const plugin = (name: string, image: string) => ({
  name,
  image,
  imagePullPolicy: 'IfNotPresent',
  volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
});

export const velero: ComponentBuilder = ({ site, versions }) => {
  const b = veleroBackup(site);
  if (!b) return null;
  return {
    name: 'velero',
    namespace: VELERO_NAMESPACE,
    // An operator: its CRDs and the ClusterRoleBinding it needs to read and restore every kind are the
    // operators project's cluster-scoped kinds. Its manifests (storage location, schedules) wait for the
    // chart's CRDs in the same sync.
    tier: 'operators',
    syncOptions: ['SkipDryRunOnMissingResource=true'],
    // The node agent reads pod volumes from the host (/var/lib/kubelet/pods) as root.
    namespaceLabels: {
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
    },
    chart: {
      component: 'velero',
      values: {
        initContainers: [
          plugin('velero-plugin-for-aws', pluginImage(versions, 'velero-plugin-for-aws')),
          plugin('kubevirt-velero-plugin', pluginImage(versions, 'kubevirt-velero-plugin')),
        ],
        // The storage location and the schedules are ours (schedules.ts); no snapshot location: volumes
        // leave the cluster as data (Kopia), not as provider snapshots (CSI snapshots need none).
        backupsEnabled: false,
        snapshotsEnabled: false,
        deployNodeAgent: true,
        // ArgoCD applies the chart's crds/ on every sync: the pre-upgrade Job (and its kubectl image) is not needed.
        upgradeCRDs: false,
        credentials: { useSecret: true, existingSecret: CREDENTIALS.name },
        configuration: {
          uploaderType: 'kopia',
          // The CSI paths (VolumeSnapshot actions, snapshot data movement of the `labs` schedule) are built
          // into Velero since 1.14 and still gated by this flag in 1.18 (features.IsEnabled(CSIFeatureFlag)).
          features: 'EnableCSI',
          defaultBackupStorageLocation: STORAGE_LOCATION,
          defaultVolumesToFsBackup: true,
          // A backup that has not finished after this is marked failed (VeleroBackupFailed); lab disks are large.
          fsBackupTimeout: '4h',
        },
        // Before lab VMs when the cluster is full (platform/scheduling.ts).
        priorityClassName: PRIORITY.platform.name,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
        nodeAgent: {
          priorityClassName: PRIORITY.platform.name,
          // Kopia hashes and compresses whole volumes: memory grows with the largest lab disk.
          resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2Gi' } },
        },
        metrics: {
          enabled: true,
          // Render does not ask the cluster: the monitoring CRDs are installed in the crds wave.
          serviceMonitor: { enabled: true, autodetect: false },
        },
      },
    },
    manifests: [storageLocation(site, b), ...schedules(site, b)],
    secrets: [...veleroSecretNeeds(), ...siteCaNeeds(site, VELERO_NAMESPACE, 'Velero (the backup target)')],
  };
};

export const component = defineComponent({
  name: 'velero',
  build: velero,
  alerts,
  dashboards,
  crdSchemas: SCHEMAS,
  readme,
});
