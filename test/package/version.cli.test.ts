// `labctl version` in a checkout: the version from package.json, the install kind, and the pinned set
// identified by the digest of gitops/versions.yaml with each component's source.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, labctl } from '../helpers.ts';
import { packageVersion } from './helpers.ts';

describe('labctl version', () => {
  it('prints labctl, the install kind and the pinned upstream set with its sources (json and text)', async () => {
    const j = await labctl(['version', '--output', 'json']);
    expect(j.code, j.stderr).toBe(0);
    const v = JSON.parse(j.stdout);
    expect(v.labctl).toMatchObject({ version: packageVersion(), install: 'checkout', files: ROOT });
    const digest = createHash('sha256')
      .update(readFileSync(join(ROOT, 'gitops/versions.yaml')))
      .digest('hex');
    expect(v.upstream.set).toBe(`sha256:${digest.slice(0, 12)}`);
    expect(v.upstream.components.find((c: any) => c.name === 'harbor')).toEqual({
      name: 'harbor',
      version: '1.19.1',
      source: 'chart harbor from https://helm.goharbor.io',
    });
    const t = await labctl(['version']);
    expect(t.stdout.split('\n')[0]).toBe(`labctl ${packageVersion()} (checkout, Node ${process.version})`);
    expect(t.stdout).toMatch(/^ {2}kube-vip +v1\.2\.3 +image ghcr\.io\/kube-vip\/kube-vip$/m);
    expect((await labctl(['--version'])).stdout.trim()).toBe(packageVersion());
  });
});
