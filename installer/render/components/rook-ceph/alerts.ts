// Alerts on Ceph (the mgr's Prometheus exporter, deployed by Rook), with runbooks.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup, RERENDER } from '../../platform/alert-rules.ts';
import { ROOK_NAMESPACE } from '../../platform/storage.ts';

const NS = { ceph: ROOK_NAMESPACE };

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-ceph',
      alerts: [
        alert({
          name: 'CephHealthWarning',
          severity: 'warning',
          for: '15m',
          expr: 'ceph_health_status == 1',
          summary: 'Ceph cluster health is HEALTH_WARN',
          description: 'The Ceph cluster in {{ $labels.namespace }} has reported HEALTH_WARN for 15 minutes.',
          runbook: {
            meaning:
              'Ceph reports a degraded but working state: e.g. an OSD down, PGs degraded, clock skew, near-full OSDs.',
            check: [
              'Grafana dashboard "Ceph".',
              `\`kubectl -n ${NS.ceph} exec deploy/rook-ceph-tools -- ceph health detail\``,
              `\`kubectl -n ${NS.ceph} exec deploy/rook-ceph-tools -- ceph -s\``,
            ],
            fix: [
              'Act on the health detail: OSD down -> CephOSDDown; nearfull -> CephOSDNearFull; MON_CLOCK_SKEW -> NodeClockSkew.',
              'Recovery in progress: wait and watch `ceph -s`.',
            ],
            escalate: 'If the warning is not understood within a working day, hand over to the platform admins.',
          },
        }),
        alert({
          name: 'CephHealthError',
          severity: 'critical',
          for: '5m',
          expr: 'ceph_health_status == 2',
          summary: 'Ceph cluster health is HEALTH_ERR',
          description:
            'The Ceph cluster in {{ $labels.namespace }} has reported HEALTH_ERR for 5 minutes; volumes may be read-only or unavailable.',
          runbook: {
            meaning:
              'Ceph lost data availability (PGs inactive/down), OSDs are full, or monitors lost quorum. VM disks and PVCs may hang.',
            check: [
              `\`kubectl -n ${NS.ceph} exec deploy/rook-ceph-tools -- ceph health detail\``,
              '`ceph osd tree`, `ceph pg dump_stuck`, `ceph df`.',
            ],
            fix: [
              'Bring down OSD hosts back (see NodeDown).',
              'Full OSDs: delete data or add OSDs; temporarily `ceph osd set-full-ratio 0.97` only to allow deletions.',
            ],
            escalate:
              'Page the secondary and the platform admins now. Never delete OSDs or PGs without a second person.',
          },
        }),
        alert({
          name: 'CephOSDDown',
          severity: 'warning',
          for: '5m',
          expr: 'ceph_osd_up == 0',
          summary: 'Ceph {{ $labels.ceph_daemon }} is down',
          description:
            'Ceph {{ $labels.ceph_daemon }} has been down for 5 minutes; data on it is degraded and recovers onto other OSDs.',
          runbook: {
            meaning:
              'An OSD (one disk) is down. With 3 replicas across failure domains the data stays available, with less redundancy.',
            check: [
              `\`kubectl -n ${NS.ceph} get pods -l app=rook-ceph-osd -o wide\``,
              '`ceph osd tree down`',
              'On the host: `dmesg | grep -i error`, `smartctl -a <disk>`.',
            ],
            fix: [
              'OSD pod crash-looping: check its logs; restart the pod.',
              "Disk failed: replace it and follow Rook's OSD replacement procedure (purge the OSD, wipe, let the operator recreate).",
            ],
            escalate: 'Two OSDs down in different failure domains: page the secondary (risk of data unavailability).',
          },
        }),
        alert({
          name: 'CephOSDNearFull',
          severity: 'warning',
          for: '15m',
          expr: 'ceph_osd_stat_bytes_used / ceph_osd_stat_bytes > 0.80',
          summary: 'Ceph {{ $labels.ceph_daemon }} is more than 80% full',
          description:
            'Ceph {{ $labels.ceph_daemon }} uses more than 80% of its capacity; Ceph warns at 85% and stops writes at 95%.',
          runbook: {
            meaning: 'Storage is running out. When one OSD is full, the whole pool stops accepting writes.',
            check: ['`ceph osd df tree`, `ceph df`.', 'Grafana dashboard "Ceph" > capacity.'],
            fix: [
              'Delete unused PVCs, old VM snapshots and images.',
              `Rebalance: \`ceph balancer status\`; add disks (nodes[].disks in inventory.yaml), ${RERENDER}.`,
            ],
            escalate: 'Order disks before 85%: hand over to the platform admins with `ceph df`.',
          },
        }),
        alert({
          name: 'CephOSDFull',
          severity: 'critical',
          for: '5m',
          expr: 'ceph_osd_stat_bytes_used / ceph_osd_stat_bytes > 0.90',
          summary: 'Ceph {{ $labels.ceph_daemon }} is more than 90% full',
          description:
            'Ceph {{ $labels.ceph_daemon }} uses more than 90% of its capacity; backfill stops at 90% and writes stop at 95%.',
          runbook: {
            meaning: 'An OSD is about to block writes for every pool it serves.',
            check: ['`ceph osd df tree`, `ceph health detail`.'],
            fix: ['Free space now (delete PVCs/snapshots), reweight the fullest OSD (`ceph osd reweight <id> 0.9`).'],
            escalate: 'Page the secondary and inform the platform admins.',
          },
        }),
      ],
    },
  ];
}
