import type { StepDef } from './types.ts';
import { isControlPlane, isFirstControlPlane } from './types.ts';
import { PLACEHOLDER, kubeadmJoinConfig } from '../artifacts.ts';
import { membershipData } from './membership.ts';

const data: StepDef['data'] = (site, node) => ({
  ...membershipData(site, node),
  controlPlane: isControlPlane(node),
  config: kubeadmJoinConfig(site, node),
  tokenPlaceholder: PLACEHOLDER.joinToken,
  hashPlaceholder: PLACEHOLDER.caCertHash,
  keyPlaceholder: PLACEHOLDER.certificateKey,
});

export const joinControlPlane: StepDef = {
  id: '0060-kubeadm-join-control-plane',
  title: 'kubeadm join --control-plane, done when it is a working member',
  phase: 'join-control-plane',
  timeoutSec: 900,
  template: '0060-kubeadm-join.sh.hbs',
  appliesTo: (site, node) => isControlPlane(node) && !isFirstControlPlane(site, node),
  data,
  needs: ['joinToken', 'caCertHash', 'certificateKey'],
};

export const joinWorker: StepDef = {
  id: '0070-kubeadm-join',
  title: 'kubeadm join (worker), done when it is a registered node',
  phase: 'join-workers',
  timeoutSec: 900,
  template: '0060-kubeadm-join.sh.hbs',
  appliesTo: (_site, node) => !isControlPlane(node),
  data,
  needs: ['joinToken', 'caCertHash'],
};
