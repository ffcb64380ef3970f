// Every component of the platform. Each builder lives in its own module and returns a Component
// (or null when the inventory does not ask for it).
import type { ComponentBuilder } from '../model.ts';
import { argocd } from './argocd/index.ts';
import { calico } from './calico/index.ts';
import { certManager } from './cert-manager/index.ts';
import { images } from './images/index.ts';
import { ingressNginx } from './ingress-nginx/index.ts';
import { metallb } from './metallb/index.ts';
import { MONITORING_BUILDERS } from './monitoring/index.ts';
import { rookCeph } from './rook-ceph/index.ts';
import { cloudnativePg } from './cloudnative-pg/index.ts';
import { keycloak, keycloakOperator } from './keycloak/index.ts';
import { harbor } from './harbor/index.ts';
import { kubevirt } from './kubevirt/index.ts';
import { kubeletCsrApprover } from './kubelet-csr-approver/index.ts';
import { vmLabs } from './vm-labs/index.ts';
import { priorityClassesComponent } from './priority-classes/index.ts';

export const BUILDERS: ComponentBuilder[] = [
  argocd,
  calico,
  certManager,
  kubeletCsrApprover,
  images,
  ingressNginx,
  metallb,
  ...MONITORING_BUILDERS,
  rookCeph,
  cloudnativePg,
  keycloakOperator,
  keycloak,
  harbor,
  kubevirt,
  vmLabs,
  priorityClassesComponent,
];
