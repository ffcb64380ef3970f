// The Ceph dashboard (the mgr's Prometheus exporter); monitoring ships it to Grafana.
import type { SiteContext } from '../../model.ts';
import { dashboard, type Dashboard } from '../../platform/dashboards.ts';

export function dashboards(ctx: SiteContext): Dashboard[] {
  return [
    dashboard(
      'labctl-ceph',
      'Ceph',
      [
        { title: 'Health (0 ok, 1 warn, 2 error)', type: 'stat', w: 6, h: 4, queries: [['max(ceph_health_status)']] },
        { title: 'OSDs up', type: 'stat', w: 6, h: 4, queries: [['sum(ceph_osd_up)']] },
        { title: 'OSDs in', type: 'stat', w: 6, h: 4, queries: [['sum(ceph_osd_in)']] },
        {
          title: 'Raw capacity used',
          type: 'gauge',
          unit: 'percentunit',
          w: 6,
          h: 4,
          max: 1,
          queries: [['sum(ceph_osd_stat_bytes_used) / sum(ceph_osd_stat_bytes)']],
        },
        {
          title: 'OSD fill level',
          unit: 'percentunit',
          max: 1,
          queries: [['ceph_osd_stat_bytes_used / ceph_osd_stat_bytes', '{{ceph_daemon}}']],
        },
        {
          title: 'Pool usage',
          unit: 'bytes',
          queries: [['ceph_pool_stored * on(pool_id) group_left(name) ceph_pool_metadata', '{{name}}']],
        },
        {
          title: 'Client IOPS',
          unit: 'iops',
          queries: [
            ['sum(rate(ceph_pool_rd[5m]))', 'read'],
            ['sum(rate(ceph_pool_wr[5m]))', 'write'],
          ],
        },
        {
          title: 'Client throughput',
          unit: 'Bps',
          queries: [
            ['sum(rate(ceph_pool_rd_bytes[5m]))', 'read'],
            ['sum(rate(ceph_pool_wr_bytes[5m]))', 'write'],
          ],
        },
      ],
      ctx.site.site.timezone,
    ),
  ];
}
