import type { StepDef } from './types.ts';
import { PROXY_URL, strictValue } from '../shell.ts';
import { MODULES_FILE, SYSCTL_FILE, kernelModules, modulesLoadConf, sysctlConf } from '../artifacts.ts';

export const osPrep: StepDef = {
  id: '0010-os-prep',
  title: 'OS preparation (apt proxy, kernel modules, sysctl, swap off)',
  phase: 'prepare',
  timeoutSec: 600,
  template: '0010-os-prep.sh.hbs',
  appliesTo: () => true,
  data: (site, node) => ({
    aptProxy: site.network.aptProxy
      ? `Acquire::http::Proxy "${strictValue(site, 'network.aptProxy', site.network.aptProxy, PROXY_URL, 'an http(s)://host[:port] proxy URL')}";\n`
      : '',
    modulesFile: MODULES_FILE,
    modulesConf: modulesLoadConf(node),
    modules: kernelModules(node),
    sysctlFile: SYSCTL_FILE,
    sysctlConf: sysctlConf(),
    // Rook needs lvm2 on nodes that hold OSDs.
    packages: node.roles.includes('storage') ? ['lvm2'] : [],
  }),
};
