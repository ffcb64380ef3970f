// Version overrides are checked against the component's version format (installer/inventory/rules/version-format.ts).
import { describe, expect, it } from 'vitest';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { kindOf, versionFormatProblem } from '../../installer/inventory/rules/version-format.ts';

const c = (name: string) => pinnedVersions().components[name]!;

describe('version format of a component', () => {
  it('every pinned version has the format of its own component (the formats fit gitops/versions.yaml)', () => {
    for (const [name, comp] of Object.entries(pinnedVersions().components))
      expect(versionFormatProblem(name, comp, comp.version), name).toBeNull();
  });

  it('knows charts, images and releases', () => {
    expect(kindOf(c('cert-manager'))).toBe('chart');
    expect(kindOf(c('kube-vip'))).toBe('image');
    expect(kindOf(c('kubevirt'))).toBe('release');
    expect(kindOf(c('containerd'))).toBe('release');
  });

  it.each([
    ['cert-manager', '1.21.0', 'published with a leading "v"'],
    ['ingress-nginx', 'v4.15.0', 'published without a leading "v"'],
    ['ingress-nginx', '4.15', 'expected MAJOR.MINOR.PATCH'],
    ['ingress-nginx', 'latest', 'expected MAJOR.MINOR.PATCH'],
    ['kubevirt', 'v1.9', 'expected MAJOR.MINOR.PATCH'],
    ['kube-vip', 'v1.2.4 latest', 'is not an image tag'],
    ['kube-vip', '-v1', 'is not an image tag'],
    ['harbor-config-python', 'a'.repeat(129), 'is not an image tag'],
  ])('%s %j: %s', (name, version, why) => {
    expect(versionFormatProblem(name, c(name), version)).toContain(why);
  });

  it.each([
    ['cert-manager', 'v1.22.0-alpha.1'],
    ['ingress-nginx', '4.15.0'],
    ['kube-vip', 'v1.2.4'],
    ['harbor-config-python', '3.14-alpine'],
    ['containerd', '2.2.2'],
  ])('%s %j is accepted', (name, version) => {
    expect(versionFormatProblem(name, c(name), version)).toBeNull();
  });
});
