import type { StepDef } from './types.ts';
import { isControlPlane } from './types.ts';
import { controlPlaneTimerFiles } from '../control-plane-timers.ts';

/** Before kubeadm: the timers find no etcd or certificates yet and say so; they need nothing from the cluster. */
export const controlPlaneTimers: StepDef = {
  id: '0035-control-plane-timers',
  title: 'control-plane timers (kubeadm certificate expiry metric, etcd defragmentation)',
  phase: 'prepare',
  timeoutSec: 120,
  template: '0035-control-plane-timers.sh.hbs',
  appliesTo: (_site, node) => isControlPlane(node),
  data: (site, node) => ({
    files: controlPlaneTimerFiles(site, node),
    timers: ['labctl-kubeadm-certs.timer', 'labctl-etcd-defrag.timer'],
  }),
};
