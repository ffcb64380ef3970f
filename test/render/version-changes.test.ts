// `labctl diff` names the upstream versions a change moves, each with the release notes gitops/versions.yaml
// knows for it (issue 15: component upgrades stay GitOps, reviewed before ArgoCD applies them). Run as the
// user runs it: render the example into a site folder, override two versions, diff.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, labctl } from '../helpers.ts';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { formatVersionChanges, versionChanges } from '../../installer/render/version-changes.ts';

const dir = mkdtempSync(join(tmpdir(), 'labctl-version-notes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('labctl diff: upstream version changes', () => {
  it('lists a chart and an upstream manifest bump with their release notes, and nothing when nothing moves', async () => {
    copyFileSync(EXAMPLE, join(dir, 'inventory.yaml'));
    expect((await labctl(['render'], { cwd: dir })).code).toBe(0);
    const same = await labctl(['diff'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('upstream version changes');
    const inv = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
    expect(inv).toMatch(/^versions: \{\}$/m);
    writeFileSync(
      join(dir, 'inventory.yaml'),
      inv.replace(/^versions: \{\}$/m, 'versions: {velero: 12.2.0, kubevirt: v1.9.1}'),
    );
    const r = await labctl(['diff'], { cwd: dir });
    expect(r.code).toBe(0);
    const v = pinnedVersions().components;
    expect(r.stdout).toContain(
      `#   velero: velero ${v.velero!.version} -> 12.2.0  read first: https://github.com/vmware-tanzu/helm-charts/releases/tag/velero-12.2.0\n`,
    );
    expect(r.stdout).toContain(
      `#   kubevirt: kubevirt ${v.kubevirt!.version} -> v1.9.1  read first: https://github.com/kubevirt/kubevirt/releases/tag/v1.9.1\n`,
    );
    expect(r.stdout.match(/^# {3}\S/gm)).toHaveLength(2); // only what moved
  });

  it('a component added or removed shows as (new) / (removed); a pin without notes has no link', () => {
    const app = (chart: string, rev: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  sources:\n    - {chart: ${chart}, repoURL: https://example.org/charts, targetRevision: ${rev}}\n`;
    const files = (m: Record<string, string>) => ({ paths: Object.keys(m), read: (p: string) => m[p] });
    const changes = versionChanges(
      files({ 'apps/x.yaml': app('old', '1.0.0') }),
      files({ 'apps/x.yaml': app('new', '2.0.0') }),
      pinnedVersions(),
    );
    expect(formatVersionChanges(changes)).toBe(
      '# upstream version changes:\n#   x: new (new) -> 2.0.0\n#   x: old 1.0.0 -> (removed)\n',
    );
  });
});
