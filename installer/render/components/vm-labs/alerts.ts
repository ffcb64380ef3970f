// Alerts on the students' lab VMs (KubeVirt metrics of course namespaces), with runbooks.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

const NS = { courses: 'course-.+' };

export function alerts(_ctx: SiteContext): AlertGroup[] {
  return [
    {
      name: 'labctl-labs',
      alerts: [
        alert({
          name: 'LabVMsNotRunning',
          severity: 'warning',
          for: '10m',
          expr: `count by (namespace) (max by (namespace, name) (kubevirt_vm_info{namespace=~"${NS.courses}",status_group=~"error|starting"}) == 1) > 0`,
          summary: "Students' VMs in {{ $labels.namespace }} are not running",
          description:
            'VMs of course namespace {{ $labels.namespace }} have been starting or failing for 10 minutes. Sent only during lab hours.',
          runbook: {
            meaning:
              'Students cannot use their lab VMs: they were asked to run but are stuck starting or in an error state. Alertmanager sends this only during monitoring.labHours.',
            check: [
              kc('kubectl -n <namespace> get vm') + ' (STATUS column)',
              'Grafana dashboard "Labs" for the course.',
              'KubeVirtVMFailedToStart alerts for single VMs.',
            ],
            fix: [
              'Capacity: stop idle VMs of other courses or add VM hosts.',
              'Broken lab template or image: fix it in labs/<course>/ of the site repository.',
            ],
            escalate:
              'Tell the course staff (labs.courses[].staff) what is going on; hand over to the platform admins if the platform is at fault.',
          },
        }),
      ],
    },
  ];
}
