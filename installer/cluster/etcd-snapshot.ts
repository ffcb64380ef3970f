// Files of the etcd snapshot timer (issue 15): the script, its systemd service and timer. The credentials
// file is written by the step from run-time values (steps/0037-etcd-snapshot.ts). Pure functions of the Site.
import type { Site, SiteNode } from '../inventory/types.ts';
import { renderTemplate } from '../render/text.ts';
import { TEXTFILE_DIR } from '../render/components/monitoring/node-textfiles.ts';
import {
  BACKUP_ETCD_PASSWORD,
  BACKUP_S3_ACCESS_KEY,
  BACKUP_S3_SECRET_KEY,
  ETCD_BACKUP_ENV,
  ETCD_SNAPSHOT_SCRIPT,
  ETCD_SNAPSHOT_SERVICE,
  ETCD_SNAPSHOT_SIZE_METRIC,
  ETCD_SNAPSHOT_SUCCESS_METRIC,
  ETCD_SNAPSHOT_TIMER,
} from '../render/platform/backup.ts';
import { SecretStore, defaultKeyFile, readIdentity } from '../secrets/store.ts';
import type { NodeFile } from './control-plane-timers.ts';
import { strictValue } from './shell.ts';
import type { SecretName } from './steps/types.ts';

/** Spread of the control planes' start times: small, so the schedule still says when snapshots happen. */
export const RANDOMIZED_DELAY_SEC = 300;
/** Tries while another control plane's restic holds the repository lock (30 s apart). */
export const LOCK_TRIES = 20;
/** The service is stopped after this long (a snapshot upload of a few hundred MiB takes minutes). */
export const SERVICE_TIMEOUT_SEC = 3600;

export function snapshotScript(site: Site, node: SiteNode): string {
  const b = site.backup;
  if (!b) throw new Error('the site has no backup section');
  return renderTemplate('cluster/templates/labctl-etcd-snapshot.sh.hbs', {
    envFile: ETCD_BACKUP_ENV,
    textfileDir: TEXTFILE_DIR,
    node: node.name,
    keep: b.etcd.keep,
    lockTries: LOCK_TRIES,
    successMetric: ETCD_SNAPSHOT_SUCCESS_METRIC,
    sizeMetric: ETCD_SNAPSHOT_SIZE_METRIC,
  });
}

export function etcdSnapshotFiles(site: Site, node: SiteNode): NodeFile[] {
  const b = site.backup;
  if (!b) throw new Error('the site has no backup section');
  // Written into a unit file: a newline would add a directive (validate refuses it earlier; this is the last guard).
  const schedule = strictValue(
    site,
    'backup.etcd.schedule',
    b.etcd.schedule,
    /^[A-Za-z0-9*,./:~ -]+$/,
    'an OnCalendar expression',
  );
  return [
    { path: ETCD_SNAPSHOT_SCRIPT, mode: '0755', content: snapshotScript(site, node) },
    {
      path: `/etc/systemd/system/${ETCD_SNAPSHOT_SERVICE}`,
      mode: '0644',
      content: [
        '# Written by labctl.',
        '[Unit]',
        'Description=labctl: etcd snapshot of this control plane to the S3 store (restic)',
        'After=network-online.target containerd.service kubelet.service',
        'Wants=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        `ExecStart=${ETCD_SNAPSHOT_SCRIPT}`,
        `TimeoutStartSec=${SERVICE_TIMEOUT_SEC}`,
        'Nice=10',
        'IOSchedulingClass=idle',
        '',
      ].join('\n'),
    },
    {
      path: `/etc/systemd/system/${ETCD_SNAPSHOT_TIMER}`,
      mode: '0644',
      content: [
        '# Written by labctl.',
        '[Unit]',
        'Description=labctl: etcd snapshots to the S3 store',
        '',
        '[Timer]',
        `OnCalendar=${schedule}`,
        `RandomizedDelaySec=${RANDOMIZED_DELAY_SEC}`,
        'Persistent=true',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    },
  ];
}

/**
 * Run-time inputs of `up` for the etcd snapshot step: the S3 keys and the repository password from the
 * secret store. Empty without a backup section; an entry that cannot be read is reported through `note`
 * and left out, so the step fails naming the missing entry and the command that sets it.
 */
export async function etcdBackupInputs(
  site: Site,
  repo: string,
  keyFile: string | undefined,
  note: (m: string) => void,
): Promise<Partial<Record<SecretName, string>>> {
  if (!site.backup) return {};
  const entries: [SecretName, string][] = [
    ['backupS3AccessKey', BACKUP_S3_ACCESS_KEY],
    ['backupS3SecretKey', BACKUP_S3_SECRET_KEY],
    ['backupEtcdPassword', BACKUP_ETCD_PASSWORD],
  ];
  const out: Partial<Record<SecretName, string>> = {};
  try {
    const store = new SecretStore(repo);
    const identity = readIdentity(keyFile ?? defaultKeyFile());
    for (const [name, entry] of entries) {
      if (!store.has(entry)) {
        note(`etcd snapshots: the secret store in ${repo} has no ${entry}`);
        continue;
      }
      out[name] = await store.get(entry, identity);
    }
  } catch (e) {
    note(`etcd snapshots: cannot read the secret store in ${repo}: ${(e as Error).message}`);
  }
  return out;
}
