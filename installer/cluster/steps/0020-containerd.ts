import type { StepDef } from './types.ts';
import { containerdConfig, containerdHosts } from '../artifacts.ts';

export const containerd: StepDef = {
  id: '0020-containerd', title: 'containerd (systemd cgroups, Harbor mirrors)', phase: 'prepare', timeoutSec: 900,
  template: '0020-containerd.sh.hbs',
  appliesTo: () => true,
  data: (site) => ({
    package: site.kubernetes.containerdPackage,
    configV2: containerdConfig(2), configV3: containerdConfig(3), hosts: containerdHosts(site),
  }),
};
