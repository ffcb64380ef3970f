// Every component of the platform. Each builder lives in its own module and returns a Component
// (or null when the inventory does not ask for it).
import type { ComponentBuilder } from '../model.ts';
import { argocd } from './argocd.ts';
import { calico } from './calico.ts';
import { certManager } from './cert-manager.ts';
import { images } from './images.ts';
import { ingressNginx } from './ingress-nginx.ts';
import { metallb } from './metallb.ts';
import { MONITORING_BUILDERS } from './monitoring.ts';
import { rookCeph } from './rook-ceph.ts';
import { cloudnativePg } from './cloudnative-pg.ts';
import { keycloak, keycloakOperator } from './keycloak.ts';
import { harbor } from './harbor.ts';
import { kubevirt } from './kubevirt.ts';
import { kubeletCsrApprover } from './kubelet-csr-approver.ts';
import { vmLabs } from './vm-labs.ts';
import { priorityClassesComponent } from './priority-classes.ts';

export const BUILDERS: ComponentBuilder[] = [
  argocd,
  calico,
  priorityClassesComponent,
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
];
