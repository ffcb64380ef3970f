import type { StepDef } from './types.ts';
import { isControlPlane } from './types.ts';
import { etcdSnapshotFiles } from '../etcd-snapshot.ts';
import { ETCD_BACKUP_ENV, ETCD_SNAPSHOT_TIMER, etcdRepository } from '../../render/platform/backup.ts';

/** Sites with a backup section: every control plane snapshots its etcd member on a timer (issue 15). */
export const etcdSnapshot: StepDef = {
  id: '0037-etcd-snapshot',
  title: 'etcd snapshots to the S3 store (restic, credentials file, timer)',
  phase: 'prepare',
  timeoutSec: 600,
  template: '0037-etcd-snapshot.sh.hbs',
  appliesTo: (site, node) => !!site.backup && isControlPlane(node),
  data: (site, node) => ({
    files: etcdSnapshotFiles(site, node),
    envFile: ETCD_BACKUP_ENV,
    envDir: ETCD_BACKUP_ENV.replace(/\/[^/]+$/, ''),
    repository: etcdRepository(site),
    region: site.backup!.target.region,
    timer: ETCD_SNAPSHOT_TIMER,
  }),
  needs: ['backupS3AccessKey', 'backupS3SecretKey', 'backupEtcdPassword'],
  skippedBecause: (site) =>
    site.backup ? undefined : 'the inventory has no backup section: no etcd snapshots are taken',
};
