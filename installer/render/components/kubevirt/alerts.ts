// Alerts on KubeVirt (virt-controller, virt-handler metrics), with runbooks; monitoring gathers them.
import type { SiteContext } from '../../model.ts';
import { alert, kc, type AlertGroup } from '../../platform/alert-rules.ts';

export function alerts({ site }: SiteContext): AlertGroup[] {
  const vmHosts = site.nodes
    .filter((n) => n.roles.includes('vm-host'))
    .map((n) => n.name)
    .sort();
  const virt = [
    alert({
      name: 'KubeVirtVMFailedToStart',
      severity: 'warning',
      for: '10m',
      expr: 'max by (namespace, name, status) (kubevirt_vm_info{status_group="error"}) == 1',
      summary: 'VM {{ $labels.namespace }}/{{ $labels.name }} failed to start ({{ $labels.status }})',
      description:
        'KubeVirt VM {{ $labels.namespace }}/{{ $labels.name }} has been in error state {{ $labels.status }} for 10 minutes.',
      runbook: {
        meaning:
          'A VM that should run cannot: unschedulable (no capacity, no KVM host), image pull error, data volume error, or crash loop.',
        check: [
          kc('kubectl -n <namespace> get vm <name> -o yaml') + ' (status.conditions, printableStatus)',
          kc('kubectl -n <namespace> get vmi,pods,dv'),
          kc('kubectl -n <namespace> describe pod virt-launcher-<name>-...'),
        ],
        fix: [
          "ErrorUnschedulable: free capacity on VM hosts or fix the lab template's resources.",
          'ErrImagePull: check the containerDisk image in Harbor.',
          'DataVolumeError: check CDI importer pods and Ceph.',
        ],
        escalate: 'For course VMs tell the course staff; for many VMs at once hand over to the platform admins.',
      },
    }),
  ];
  if (vmHosts.length) {
    virt.push(
      alert({
        name: 'KubeVirtHostWithoutKVM',
        severity: 'warning',
        for: '15m',
        expr: `max by (node) (kube_node_info{node=~"${vmHosts.join('|')}"}) unless on(node) (max by (node) (kube_node_status_allocatable{resource="devices_kubevirt_io_kvm"}) > 0)`,
        summary: 'VM host {{ $labels.node }} offers no /dev/kvm',
        description:
          'Node {{ $labels.node }} has the vm-host role but has not advertised devices.kubevirt.io/kvm for 15 minutes; no lab VM can run there.',
        runbook: {
          meaning:
            "virt-handler on the node found no usable /dev/kvm (virtualisation disabled in the BIOS, kvm module not loaded, or virt-handler not running), so the node's VM capacity is lost.",
          check: [
            'On the node: `ls -l /dev/kvm`, `lsmod | grep kvm`, `dmesg | grep -i kvm`.',
            kc('kubectl -n kubevirt get pods -l kubevirt.io=virt-handler -o wide'),
            kc('kubectl get node <node> -o jsonpath={.status.allocatable}'),
          ],
          fix: [
            'Enable VT-x/AMD-V in the BIOS, `modprobe kvm_intel` (or kvm_amd).',
            'Restart the virt-handler pod on the node.',
          ],
          escalate: 'BIOS changes need physical or BMC access: hand over to whoever runs the machine room.',
        },
      }),
    );
  }
  return [{ name: 'labctl-kubevirt', alerts: virt }];
}
