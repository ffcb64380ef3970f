// Alerts on the etcd snapshots (issue 15): every control plane's timer writes the time of its last
// successful snapshot as a node-exporter textfile metric (installer/cluster/etcd-snapshot.ts); a failed
// run leaves the old time, so "too old" covers failures and a stopped timer alike.
import type { Site } from '../../../inventory/types.ts';
import { alert, type AlertGroup } from '../../platform/alert-rules.ts';
import {
  ETCD_SNAPSHOT_SERVICE,
  ETCD_SNAPSHOT_SUCCESS_METRIC,
  ETCD_SNAPSHOT_TIMER,
  etcdRepository,
  snapshotMaxAgeSeconds,
} from '../../platform/backup.ts';

/** "13h" for 46800 s; seconds when not whole hours. */
const duration = (s: number) => (s % 3600 === 0 ? `${s / 3600}h` : `${s}s`);

export function etcdSnapshotAlerts(site: Site, onNode: (e: string) => string): AlertGroup[] {
  if (!site.backup) return [];
  const maxAge = snapshotMaxAgeSeconds(site);
  const schedule = site.backup.etcd.schedule;
  const repo = etcdRepository(site);
  const check = [
    `On the node: \`systemctl status ${ETCD_SNAPSHOT_TIMER} ${ETCD_SNAPSHOT_SERVICE}\`, \`journalctl -u ${ETCD_SNAPSHOT_SERVICE} --since -2d\` (the script says which step failed).`,
    `What the repository holds: on a control plane, as root, \`set -a; . /etc/labctl/etcd-backup.env; set +a; restic snapshots --tag etcd\` (${repo}).`,
    'Can the node reach the S3 endpoint? `curl -sS -o /dev/null -w "%{http_code}\\n" <endpoint>` from the node.',
  ];
  const fix = [
    `Run one now and watch it: \`systemctl start ${ETCD_SNAPSHOT_SERVICE}; journalctl -fu ${ETCD_SNAPSHOT_SERVICE}\`.`,
    '"wrong password or no key found": the node has another backup-etcd-password than the repository; run `labctl up` from the site repository so it gets the stored one (never `restic init` a second repository).',
    'S3 refused the keys (AccessDenied, InvalidAccessKeyId): campus IT rotated them; `labctl secrets set backup-s3-access-key --replace backup-s3-access-key` (and the secret key), commit, `labctl up`.',
    '"repository is already locked" for hours: a run died holding the lock; `restic unlock` on a control plane (it removes only stale locks).',
    'etcd not running on the node: see EtcdNoLeader / NodeDown first.',
  ];
  return [
    {
      name: 'labctl-backup-etcd',
      alerts: [
        alert({
          name: 'EtcdSnapshotTooOld',
          severity: 'warning',
          for: '10m',
          expr: onNode(`(time() - ${ETCD_SNAPSHOT_SUCCESS_METRIC}) > ${maxAge}`),
          summary: 'The last etcd snapshot of {{ $labels.node }} is older than the schedule allows',
          description: `The last successful etcd snapshot of control plane {{ $labels.node }} is more than ${duration(maxAge)} old (twice the longest gap of the schedule "${schedule}" plus an hour): at least two runs failed or did not run.`,
          runbook: {
            meaning: `Every control plane sends an encrypted etcd snapshot to ${repo} on the schedule "${schedule}". Without a recent one, a lost control plane can only be restored to an old state (lab VMs, namespaces and Secrets created since are lost).`,
            check,
            fix,
            escalate:
              'If no control plane has a snapshot younger than a day, inform the platform admins the same working day: take one by hand (`labctl backup now`) before any risky change.',
          },
        }),
        alert({
          name: 'EtcdSnapshotNeverSucceeded',
          severity: 'warning',
          for: duration(maxAge),
          expr: `max by (node) (kube_node_role{role="control-plane"}) unless on(node) ${onNode(ETCD_SNAPSHOT_SUCCESS_METRIC)}`,
          summary: 'Control plane {{ $labels.node }} has no successful etcd snapshot',
          description: `Control plane {{ $labels.node }} has been a control plane for ${duration(maxAge)} and has never reported a successful etcd snapshot (no ${ETCD_SNAPSHOT_SUCCESS_METRIC}).`,
          runbook: {
            meaning: `The metric appears after the first successful snapshot. Its absence means the timer was never installed on the node (labctl up did not run step 0037-etcd-snapshot there, e.g. a control plane added by hand), or every run has failed since.`,
            check: [`\`systemctl list-timers ${ETCD_SNAPSHOT_TIMER}\` on the node: is the timer there?`, ...check],
            fix: [
              'Timer missing: `labctl up` from the site repository (it installs it on every control plane).',
              ...fix,
            ],
            escalate: 'Inform the platform admins within a working day.',
          },
        }),
      ],
    },
  ];
}
