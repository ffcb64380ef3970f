import type { StepDef } from './types.ts';
import { isControlPlane, isFirstControlPlane } from './types.ts';
import { PLACEHOLDER, kubeVipPod } from '../artifacts.ts';

const data: StepDef['data'] = (site, node) => {
  const firstInit = isFirstControlPlane(site, node);
  return {
    vip: site.kubernetes.apiVip,
    firstInit,
    interface: node.interface ?? '',
    address: node.address,
    manifest: kubeVipPod(site, node, firstInit),
    placeholder: PLACEHOLDER.vipInterface,
  };
};

/** Before kubeadm init on the first control plane (the VIP must answer when init checks the endpoint). */
export const kubeVip: StepDef = {
  id: '0040-kube-vip',
  title: 'kube-vip static pod for the API VIP',
  phase: 'init',
  timeoutSec: 120,
  template: '0040-kube-vip.sh.hbs',
  data,
  appliesTo: (site, node) => isFirstControlPlane(site, node),
};

/** After the join on the other control planes (admin.conf exists only then). */
export const kubeVipJoined: StepDef = {
  id: '0065-kube-vip',
  title: 'kube-vip static pod for the API VIP',
  phase: 'join-control-plane',
  timeoutSec: 120,
  template: '0040-kube-vip.sh.hbs',
  data,
  appliesTo: (site, node) => isControlPlane(node) && !isFirstControlPlane(site, node),
};
