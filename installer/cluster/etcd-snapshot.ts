// Files of the etcd snapshot timer (issue 15): the script, its systemd service and timer. The credentials
// file is written by the step from run-time values (steps/0037-etcd-snapshot.ts). Pure functions of the Site.
import { showControls } from '../core/show-controls.ts';
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
import type { Plan } from './plan.ts';
import { strictValue } from './shell.ts';
import { siteArgs } from '../core/shell-words.ts';
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

/** The step that installs the timer and writes the credentials file (steps/0037-etcd-snapshot.ts). */
const ETCD_SNAPSHOT_STEP = '0037-etcd-snapshot';

/** The secret-store entries the etcd snapshot step needs, with the command that provides each. */
const BACKUP_ENTRIES: [SecretName, string, string][] = [
  ['backupS3AccessKey', BACKUP_S3_ACCESS_KEY, `labctl secrets set ${BACKUP_S3_ACCESS_KEY}`],
  ['backupS3SecretKey', BACKUP_S3_SECRET_KEY, `labctl secrets set ${BACKUP_S3_SECRET_KEY}`],
  ['backupEtcdPassword', BACKUP_ETCD_PASSWORD, 'labctl secrets generate'],
];

export interface EtcdBackupInputs {
  values: Partial<Record<SecretName, string>>;
  /** Entries the site needs (it has a backup section) that are not in the store or could not be read. */
  missing: string[];
  /** Why the store could not be read at all (no site key, a broken entry), if so. */
  unreadable?: string;
}

/**
 * Run-time inputs of `up` for the etcd snapshot step: the S3 keys and the repository password from the
 * secret store. Nothing is needed without a backup section. Read on this machine only, so `plan` and `up`
 * can name a missing entry before any host is touched.
 */
export async function etcdBackupInputs(
  site: Site,
  repo: string,
  keyFile: string | undefined,
): Promise<EtcdBackupInputs> {
  if (!site.backup) return { values: {}, missing: [] };
  const values: Partial<Record<SecretName, string>> = {};
  let unreadable: string | undefined;
  try {
    const store = new SecretStore(repo);
    const identity = readIdentity(keyFile ?? defaultKeyFile());
    for (const [name, entry] of BACKUP_ENTRIES) if (store.has(entry)) values[name] = await store.get(entry, identity);
  } catch (e) {
    unreadable = (e as Error).message;
  }
  const missing = BACKUP_ENTRIES.filter(([name]) => !values[name]).map(([, entry]) => entry);
  return { values, missing, ...(unreadable ? { unreadable } : {}) };
}

/** The flag of `labctl up` that installs everything but the etcd snapshot timer while credentials are missing. */
export const WITHOUT_BACKUP_CREDENTIALS = '--without-backup-credentials';

/** One paragraph naming the missing entries and the commands that provide them; undefined when none is missing. */
export function missingBackupCredentials(
  r: EtcdBackupInputs,
  site: { inventory: string; repo: string; keyFile?: string },
): string | undefined {
  if (!r.missing.length) return undefined;
  // -i, -r and the typed -k, quoted: each command runs as shown, against this site, from where the user is.
  const args = siteArgs(site);
  const commands = [
    ...new Set(BACKUP_ENTRIES.filter(([, entry]) => r.missing.includes(entry)).map(([, , cmd]) => `${cmd}${args}`)),
  ];
  const up = `labctl up${args}`;
  const repo = site.repo;
  const text = [
    `etcd snapshots: the inventory has a backup section but the secret store in ${repo} ${r.unreadable ? `cannot be read (${r.unreadable}), so these entries are unavailable` : 'has no'}: ${r.missing.join(', ')}.`,
    `Next: ${commands.join('; ')} (campus IT supplies the S3 keys), then ${up} again;`,
    `or ${up} ${WITHOUT_BACKUP_CREDENTIALS} to install everything except the etcd snapshot timer (step 0037-etcd-snapshot) for now.`,
  ].join(' ');
  // One line: the folder as typed and the store's error shown with their control characters escaped, never sent.
  return showControls(text);
}

/** The plan without the etcd snapshot step, noted among the skipped steps (`up --without-backup-credentials`). */
export function withoutEtcdSnapshot(plan: Plan, why: string): Plan {
  return {
    ...plan,
    phases: plan.phases
      .map((p) => ({
        ...p,
        hosts: p.hosts
          .map((h) => ({ ...h, steps: h.steps.filter((st) => st.id !== ETCD_SNAPSHOT_STEP) }))
          .filter((h) => h.steps.length > 0),
      }))
      .filter((p) => p.hosts.length > 0),
    skipped: [...plan.skipped, `${ETCD_SNAPSHOT_STEP} skipped: ${why}`],
  };
}
