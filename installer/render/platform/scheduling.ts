// Scheduling order between the platform and students' VMs (issue 21), shared by every component that
// places pods: three PriorityClasses (created by the priority-classes component in the crds wave, because
// the API server refuses a pod naming a class that does not exist yet) and the VM-host node label. When
// the cluster is full, the scheduler preempts lab VMs for platform pods, never the other way round; a lab
// VM never preempts anything (preemptionPolicy Never: it waits for room). Kubernetes' own
// system-node-critical / system-cluster-critical (2e9) stay above all three.
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';

export const PRIORITY = {
  /** Without it nobody is told or storage is not healed: Prometheus, Alertmanager, node-exporter, the monitoring and Rook operators. */
  platformCritical: { name: 'platform-critical', value: 1_000_000 },
  /** Platform services students and staff use (Harbor, Grafana, Loki). */
  platform: { name: 'platform', value: 100_000 },
  /**
   * Students' lab VMs (charts/vm-lab). Negative (allowed for user classes), so even a platform pod whose
   * chart sets no class (priority 0: cert-manager, MetalLB, ArgoCD, ingress-nginx, Keycloak) comes before a VM.
   */
  labVm: { name: 'lab-vm', value: -100 },
} as const;

/** Node label of VM hosts (kubelet --node-labels at join, see installer/cluster/artifacts.ts). */
export const VM_HOST_LABEL = 'labctl.dev/vm-host';
export const VM_HOST_SELECTOR = { [VM_HOST_LABEL]: 'true' } as const;

export function priorityClasses(): IPriorityClass[] {
  const cls = (
    p: { name: string; value: number },
    description: string,
    preemptionPolicy: 'Never' | 'PreemptLowerPriority',
  ): IPriorityClass => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: p.name, labels: { 'app.kubernetes.io/part-of': 'campus-lab-platform' } },
    value: p.value,
    globalDefault: false,
    preemptionPolicy,
    description,
  });
  return [
    cls(
      PRIORITY.platformCritical,
      'labctl: platform pods the site cannot be watched or its storage healed without (monitoring, storage operator).',
      'PreemptLowerPriority',
    ),
    cls(
      PRIORITY.platform,
      'labctl: platform services (Harbor, Grafana, Loki); preempt lab VMs when the cluster is full.',
      'PreemptLowerPriority',
    ),
    cls(PRIORITY.labVm, "labctl: students' lab VMs; preempted first, never preempt anything.", 'Never'),
  ];
}
