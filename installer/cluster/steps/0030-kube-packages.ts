import type { StepDef } from './types.ts';

export const kubePackages: StepDef = {
  id: '0030-kube-packages', title: 'kubelet, kubeadm, kubectl from the package source', phase: 'prepare', timeoutSec: 900,
  template: '0030-kube-packages.sh.hbs',
  appliesTo: () => true,
  data: (site) => ({
    version: site.kubernetes.version, debVersion: site.kubernetes.version.replace(/^v/, ''),
    repo: site.kubernetes.packageRepo.endsWith('/') ? site.kubernetes.packageRepo : `${site.kubernetes.packageRepo}/`,
  }),
};
