import type { StepDef } from './types.ts';
import { REPO_URL, strictValue } from '../shell.ts';

export const kubePackages: StepDef = {
  id: '0030-kube-packages',
  title: 'kubelet, kubeadm, kubectl at the pinned version (held; a held older version is moved)',
  phase: 'prepare',
  timeoutSec: 900,
  template: '0030-kube-packages.sh.hbs',
  appliesTo: () => true,
  data: (site) => {
    const raw = site.kubernetes.packageRepo.endsWith('/')
      ? site.kubernetes.packageRepo
      : `${site.kubernetes.packageRepo}/`;
    const repo = strictValue(site, 'kubernetes.packageRepo', raw, REPO_URL, 'a package repository URL');
    return {
      repo,
      debVersion: site.kubernetes.version.replace(/^v/, ''),
      sourcesLine: `deb [signed-by=/etc/apt/keyrings/labctl-kubernetes.asc] ${repo} /\n`,
    };
  },
};
