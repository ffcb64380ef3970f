// The one place upstream versions are read from: gitops/versions.yaml.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from './paths.ts';

export interface Component {
  repo?: string;
  chart?: string;
  version: string;
  appVersion?: string;
  oci?: boolean;
  image?: string;
  manifests?: string;
  /** Upstream release notes of a version (`{version}` is replaced): `labctl diff` links them on a change. */
  notes?: string;
}
export interface Versions {
  kubernetes: { default: string; supportedMinors: string[] };
  components: Record<string, Component>;
}

// bin/build.js puts the parsed file into the bundle (and rebuilds when the file changes), so a start
// does not parse YAML for it; run from the sources (tsx, vitest) it is read here.
declare const __LABCTL_PINNED_VERSIONS__: Versions | undefined;

let cached: Versions | undefined;
export function pinnedVersions(): Versions {
  cached ??=
    typeof __LABCTL_PINNED_VERSIONS__ === 'undefined'
      ? (parse(readFileSync(repoPath('gitops/versions.yaml'), 'utf8')) as Versions)
      : __LABCTL_PINNED_VERSIONS__;
  return cached;
}

/** Pinned versions with the inventory's overrides applied (unknown names are reported by validate). */
export function effectiveVersions(overrides: Record<string, string>): Versions {
  const base = pinnedVersions();
  const components: Record<string, Component> = {};
  for (const [name, c] of Object.entries(base.components))
    components[name] = overrides[name] ? { ...c, version: overrides[name]! } : c;
  return { kubernetes: base.kubernetes, components };
}

export const minorOf = (v: string) => v.replace(/^v/, '').split('.').slice(0, 2).join('.');
