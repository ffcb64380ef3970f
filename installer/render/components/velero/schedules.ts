// Velero's own objects: the BackupStorageLocation on the site's backup target and the two Schedules,
// `platform` (the platform namespaces that hold state) and `labs` (the lab namespaces of every course that
// did not opt out). Written as our manifests, not chart values, so render validates them against the
// upstream CRDs (schemas.ts).
import { Problem } from '../../../core/diagnostics.ts';
import { veleroScheduleGap } from '../../../core/velero-cron.ts';
import type { Site } from '../../../inventory/types.ts';
import type { K8sObject } from '../../model.ts';
import { SYNC_WAVE, k8s } from '../../model.ts';
import { labsNamespaces } from '../../platform/labs.ts';
import { SITE_CA } from '../../platform/site-issuer.ts';
import { backedUpCourses, type VeleroBackup } from './backup-section.ts';

export const VELERO_NAMESPACE = 'velero';
/** The one BackupStorageLocation (Velero's default name; Backups without storageLocation go there). */
export const STORAGE_LOCATION = 'default';
/** The Secret the S3 credentials reach Velero in (key `cloud`: an AWS credentials file). */
export const CREDENTIALS = { name: 'velero-s3', key: 'cloud' } as const;
/**
 * The Secret Velero reads the Kopia repository password from (pkg/repository/keys in v1.18). Velero creates
 * it at its first start with a fixed, public value when missing: ours is delivered before (labctl up /
 * secrets apply run before ArgoCD syncs), from a generated store entry.
 */
export const REPO_CREDENTIALS = { name: 'velero-repo-credentials', key: 'repository-password' } as const;
export const SCHEDULES = { platform: 'platform', labs: 'labs' } as const;
/** Label on every Backup a Schedule makes (Velero sets it), and on ours: which schedule it belongs to. */
export const SCHEDULE_LABEL = 'velero.io/schedule-name';

/**
 * Platform namespaces whose state is not in Git: Harbor (its CloudNativePG database with users,
 * projects, robot accounts, scan results; Redis and job logs) and Keycloak (its CloudNativePG database:
 * users, sessions, credentials set by people; the realm itself is code). Left out on purpose, as caches or
 * state rebuilt from Git: monitoring and logging (metrics and logs; dashboards and rules come from Git),
 * vm-images (golden images re-imported from Harbor), argocd, cert-manager (certificates are re-issued),
 * rook-ceph (Ceph is what the backup must survive) and the operators. Harbor's image layers are in the
 * Ceph object store, not on a volume: they are NOT in this backup (docs/decisions.md).
 */
export const PLATFORM_NAMESPACES = ['harbor', 'keycloak'] as const;

/** Bucket prefix of a site: several sites may share one campus bucket. */
export const bucketPrefix = (site: Site) => `velero/${site.site.name}`;

export function storageLocation(site: Site, b: VeleroBackup): K8sObject {
  return k8s({
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: STORAGE_LOCATION, namespace: VELERO_NAMESPACE, annotations: { [SYNC_WAVE]: '1' } },
    spec: {
      provider: 'aws',
      default: true,
      accessMode: 'ReadWrite',
      objectStorage: {
        bucket: b.bucket,
        prefix: bucketPrefix(site),
        // internal-ca sites: the site CA is added to the system roots (a campus S3 signed by the campus CA
        // the site uses); never insecureSkipTLSVerify.
        ...(site.tls.mode === 'internal-ca' ? { caCertRef: { name: SITE_CA.name, key: SITE_CA.key } } : {}),
      },
      config: {
        region: b.region,
        s3Url: b.endpoint,
        s3ForcePathStyle: 'true',
        // The AWS SDK v2 of plugin v1.13+ sends CRC32 checksums that Ceph RGW, MinIO releases and NAS S3
        // gateways refuse (XAmzContentSHA256Mismatch; the plugin's README): off, S3 still checks Content-MD5.
        checksumAlgorithm: '',
      },
      credential: { name: CREDENTIALS.name, key: CREDENTIALS.key },
    },
  });
}

/**
 * Lab namespaces of the courses that did not opt out, as globs (Velero 1.18 takes `*` in
 * includedNamespaces). `course-a-*` also matches course a-b's labs, so an opted-out course whose name
 * extends an included one with "-" is excluded explicitly. Velero's exclusion wins over inclusion: an
 * included course under such an excluded one (a, a-b opted out, a-b-c) cannot be told apart by namespace
 * and is refused. Empty when no course is backed up (an empty list would mean every namespace).
 */
export function labNamespaces(site: Site): { included: string[]; excluded: string[] } {
  const { included, optedOut } = backedUpCourses(site);
  const excludedCourses = optedOut.filter((o) => included.some((c) => o.startsWith(`${c}-`))).sort();
  for (const c of included) {
    const under = excludedCourses.find((o) => c.startsWith(`${o}-`));
    if (under)
      throw new Problem(
        `labs.courses: course ${c} is backed up but course ${under} (backup: false) has the namespace prefix course-${under}- of its labs; Velero cannot back up one without the other: set the same backup value for both`,
      );
  }
  return { included: included.map(labsNamespaces).sort(), excluded: excludedCourses.map(labsNamespaces) };
}

/**
 * How a Schedule's volumes leave the cluster. `files`: the node agent copies each pod volume's files with
 * Kopia (the platform's filesystem-mode volumes). `snapshot-data`: CSI snapshot data movement, a transient
 * snapshot (the ceph-block VolumeSnapshotClass with Velero's label, component snapshot-controller) whose
 * content the node agent's data mover uploads with Kopia, then deletes: lab VM disks are block volumes,
 * which file-system backup skips (docs/decisions.md). Either way the data ends on the backup target.
 */
export type VolumePath = 'files' | 'snapshot-data';

function volumeOptions(path: VolumePath) {
  return path === 'files'
    ? { defaultVolumesToFsBackup: true, snapshotVolumes: false }
    : { defaultVolumesToFsBackup: false, snapshotVolumes: true, snapshotMoveData: true };
}

function schedule(
  name: string,
  b: VeleroBackup,
  namespaces: { included: string[]; excluded?: string[] },
  volumes: VolumePath,
) {
  return k8s({
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: {
      name,
      namespace: VELERO_NAMESPACE,
      annotations: { [SYNC_WAVE]: '2' },
      labels: { 'app.kubernetes.io/part-of': 'labctl-backup' },
    },
    spec: {
      schedule: b.schedule,
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: namespaces.included,
        ...(namespaces.excluded?.length ? { excludedNamespaces: namespaces.excluded } : {}),
        // Velero writes objects to the bucket unencrypted. Every Secret here comes from the site's secret
        // store or Git, or is recreated by its operator (docs/decisions.md, Velero): re-delivered by
        // labctl up before a restore (docs/disaster-drill.md), never stored in plain text off the cluster.
        excludedResources: ['secrets'],
        storageLocation: STORAGE_LOCATION,
        ttl: b.ttl,
        // Volumes reach the backup target as data, never kept as snapshots inside the Ceph cluster the
        // backup must survive (docs/decisions.md).
        ...volumeOptions(volumes),
        metadata: { labels: { 'app.kubernetes.io/part-of': 'labctl-backup' } },
      },
    },
  });
}

/**
 * The Schedules of the site: `platform` always (its volumes are filesystem mode: files), `labs` when at
 * least one course is backed up (VM disks are block volumes: snapshot data movement).
 */
export function schedules(site: Site, b: VeleroBackup): K8sObject[] {
  const labs = labNamespaces(site);
  return [
    schedule(SCHEDULES.platform, b, { included: [...PLATFORM_NAMESPACES] }, 'files'),
    ...(labs.included.length ? [schedule(SCHEDULES.labs, b, labs, 'snapshot-data')] : []),
  ];
}

/**
 * The longest time between two runs of the schedule, in seconds, as Velero runs it (robfig/cron's grammar and
 * semantics: installer/core/velero-cron.ts), over a year of runs from a fixed date so render stays
 * deterministic: how old the last backup may be before it is late. validate refuses what this refuses.
 */
export function longestGapSeconds(cron: string): number {
  const g = veleroScheduleGap(cron);
  if ('error' in g) throw new Problem(`backup.velero.schedule: ${JSON.stringify(cron)} is refused: ${g.error}`);
  return g.seconds;
}
