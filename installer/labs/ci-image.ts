// The image the rendered site CI runs labctl in: labctl's CI image (installer/packaging/image.ts) in the
// site's own Harbor, tagged with the labctl version that rendered the site, so `render --check` in CI
// runs exactly that version. It lives in the Harbor project `platform` when the inventory has one,
// otherwise in the first project listed (default `labs`).
import { labctlVersion } from '../core/build-info.ts';

export interface CiImage {
  ref: string;
  registry: string;
  project: string;
  private: boolean;
  version: string;
}

export function ciImage(registry: { hostname: string; projects: { name: string; public: boolean }[] }): CiImage {
  const project = registry.projects.find((p) => p.name === 'platform') ??
    registry.projects[0] ?? { name: 'labs', public: false };
  const version = labctlVersion();
  return {
    ref: `${registry.hostname}/${project.name}/labctl:${version}`,
    registry: registry.hostname,
    project: project.name,
    private: !project.public,
    version,
  };
}
