import type { StepDef } from './types.ts';
import {
  ARCHES,
  CONTAINERD_CONFIG,
  containerdConfig,
  containerdHosts,
  containerdRelease,
  downloadUrl,
} from '../artifacts.ts';
import { renderTemplate } from '../../render/text.ts';

export const containerd: StepDef = {
  id: '0020-containerd',
  title: 'containerd 2.x and runc from the pinned releases (sha256 checked)',
  phase: 'prepare',
  timeoutSec: 900,
  template: '0020-containerd.sh.hbs',
  appliesTo: () => true,
  data: (site) => {
    const rel = containerdRelease(site);
    const perArch = Object.fromEntries(
      ARCHES.map((a) => [
        a,
        {
          url: downloadUrl(rel, a, site.kubernetes.releaseMirror),
          sha256: rel.sha256[a],
          runcUrl: downloadUrl(rel.runc, a, site.kubernetes.releaseMirror),
          runcSha256: rel.runc.sha256[a],
        },
      ]),
    );
    return {
      version: rel.version,
      runcVersion: rel.runc.version,
      ...perArch,
      unit: renderTemplate('cluster/templates/containerd.service.hbs', { version: rel.version }),
      configFile: CONTAINERD_CONFIG,
      config: containerdConfig(site),
      hosts: containerdHosts(site),
    };
  },
};
