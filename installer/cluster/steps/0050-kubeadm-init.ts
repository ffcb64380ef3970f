import type { StepDef } from './types.ts';
import { isFirstControlPlane } from './types.ts';
import { kubeadmInitConfig } from '../artifacts.ts';
import { membershipData } from './membership.ts';

export const kubeadmInit: StepDef = {
  id: '0050-kubeadm-init',
  title: 'kubeadm init (first control plane), done when it is a working member',
  phase: 'init',
  timeoutSec: 900,
  template: '0050-kubeadm-init.sh.hbs',
  appliesTo: (site, node) => isFirstControlPlane(site, node),
  data: (site, node) => ({ ...membershipData(site, node), config: kubeadmInitConfig(site, node) }),
};
