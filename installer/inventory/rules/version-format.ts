// The version format of each pinned component, so that an override under `versions:` is refused by
// validate (file:line:col) instead of failing later in Helm, a registry or a download URL. The format
// comes from how the component is fetched (gitops/versions.yaml): a Helm chart takes a SemVer 2 version,
// an image a tag, a release download (manifests, containerd) a SemVer release name. The leading "v" must
// match the pinned one: charts and releases are published either with it or without it, never both.
import type { Component } from '../../core/versions.ts';

// semver.org's regular expression (2.0.0), with an optional leading v.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// The OCI distribution spec's tag grammar.
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export type VersionKind = 'chart' | 'image' | 'release';

export const kindOf = (c: Component): VersionKind =>
  c.chart ? 'chart' : c.image && !c.manifests ? 'image' : 'release';

/** Why `version` cannot be a version of component `c` (pinned as c.version), or null when it can. */
export function versionFormatProblem(name: string, c: Component, version: string): string | null {
  const kind = kindOf(c);
  if (kind === 'image') {
    return OCI_TAG.test(version)
      ? null
      : `${JSON.stringify(version)} is not an image tag of ${c.image}: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-" (pinned: ${c.version})`;
  }
  const what = kind === 'chart' ? `a Helm chart version of ${c.chart}` : `a release of ${name}`;
  if (!SEMVER.test(version))
    return `${JSON.stringify(version)} is not ${what}: expected MAJOR.MINOR.PATCH as SemVer (pinned: ${c.version})`;
  const wantV = c.version.startsWith('v');
  if (wantV !== version.startsWith('v')) {
    return `${JSON.stringify(version)} is not ${what}: its versions are published ${wantV ? 'with' : 'without'} a leading "v" (pinned: ${c.version})`;
  }
  return null;
}
