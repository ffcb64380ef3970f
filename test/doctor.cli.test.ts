import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from './helpers.ts';

describe('labctl doctor', () => {
  it('reports each tool as ok with a version or as missing', async () => {
    const r = await labctl(['doctor', '--output', 'json']);
    expect(r.code).toBe(0);
    const tools = JSON.parse(r.stdout) as { name: string; ok: boolean; version?: string }[];
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    // node runs this very test; helm comes from .tools/bin (unpacked by .ci/tools.sh), on PATH in test/setup.ts.
    expect(byName.node!.ok).toBe(true);
    expect(byName.node!.version).toBe(process.version);
    expect(byName.helm!.ok).toBe(true);
    expect(byName.helm!.version).toMatch(/^v4\.\d+\.\d+/);
    // shellcheck prints a title line first and "version: 0.9.0" on the second: the version, not the title.
    if (byName.shellcheck!.ok) expect(byName.shellcheck!.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const t of tools.filter((x) => x.ok)) expect(t.version, t.name).toMatch(/\d+\.\d+/);
    // The real helm and kubectl of .tools/bin: doctor's verdict and version are preflight's (localChecks; the
    // example's kubernetes.version is the pinned default doctor uses without an inventory).
    const { localChecks } = await import('../installer/cluster/local-preflight.ts');
    const { loadSite } = await import('../installer/cli/commands/cluster-common.ts');
    const site = loadSite(EXAMPLE);
    const { pinnedVersions } = await import('../installer/core/versions.ts');
    expect(site.kubernetes.version).toBe(pinnedVersions().kubernetes.default);
    const local = await localChecks(site, { repo: mkdtempSync(join(tmpdir(), 'labctl-doctor-repo-')) });
    for (const id of ['helm', 'kubectl']) {
      const p = local.find((c) => c.id === id)!;
      expect({ ok: byName[id]!.ok, version: byName[id]!.version }, id).toEqual({
        ok: p.status === 'pass',
        version: p.found,
      });
    }
    // A tool that cannot exist is reported missing, not as an error; doctor runs in a folder without an inventory.
    const r2 = await labctl(['doctor'], {
      cwd: mkdtempSync(join(tmpdir(), 'labctl-doctor-noinv-')),
      env: { PATH: '/nonexistent' },
    });
    expect(r2.code, 'missing tools are information, not a failure').toBe(0);
    expect(r2.stdout).toMatch(
      /^helm and kubectl judged for Kubernetes v1\.\d+\.\d+ \(the pinned default: no inventory at inventory\.yaml\)$/m,
    );
    expect(r2.stdout).toMatch(/^git\s+missing/m);
    // helm only in this checkout's .tools/bin: missing, as preflight and up would find it, with the PATH fix.
    expect(r2.stdout).toMatch(/^helm\s+missing .*\.tools\/bin\/helm is not on PATH: export PATH=/m);
  });
});

// One judgment of helm and kubectl (installer/cluster/local-tools.ts) behind doctor and preflight: doctor
// said "ok" to a kubectl four minors from the cluster that preflight failed. No kubectl 1.32 is installed
// here: a script printing what `kubectl version --client -o json` of 1.32.4 prints stands in for it.
describe('doctor and preflight judge kubectl alike', () => {
  it('an old kubectl: doctor says FAIL with the reason preflight gives, and preflight stops before any server', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'labctl-old-kubectl-'));
    writeFileSync(
      join(bin, 'kubectl'),
      '#!/bin/sh\necho \'{"clientVersion":{"major":"1","minor":"32","gitVersion":"v1.32.4"}}\'\n',
      { mode: 0o755 },
    );
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const [doctor, preflight] = await Promise.all([
      labctl(['doctor', '-i', EXAMPLE, '--output', 'json'], { env }),
      labctl(['preflight', '-i', EXAMPLE], { env }),
    ]);
    const kubectl = (
      JSON.parse(doctor.stdout) as { name: string; ok: boolean; version?: string; reason?: string }[]
    ).find((t) => t.name === 'kubectl')!;
    expect(kubectl).toMatchObject({ ok: false, version: 'v1.32.4' });
    // Found but unusable: doctor fails too, so a script running it sees what preflight will stop on.
    expect(doctor.code).toBe(1);
    expect(doctor.stderr).toContain('labctl: kubectl: found but not usable (FAIL above); up and preflight stop on it');
    expect(kubectl.reason).toMatch(
      /^kubectl v1\.32\.4 is 4 minors away from the cluster's v1\.36\.\d+; install kubectl 1\.36$/,
    );
    expect(preflight.stdout).toContain(`local kubectl  FAIL v1.32.4 (expected 1.36 ± 1 minor`);
    expect(preflight.stdout).toContain(kubectl.reason!);
    expect(preflight.stderr).toContain('preflight failed on this machine (kubectl); no server was contacted');
  });
});

// -i names the inventory to judge kubectl against: one that does not exist is a typo, not "no inventory here".
// doctor said so only in its closing line (nothing in --output json), judged against the pinned default and
// exited 0, so a kubectl preflight would fail on the site's version was shown as ok.
describe('doctor -i naming no file', () => {
  it("is a usage error, exit 2, with the other commands' missing-inventory message; its hint works as written", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labctl-doctor-typo-'));
    for (const output of ['text', 'json']) {
      const r = await labctl(['doctor', '-i', 'typo.yaml', '--output', output], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        'labctl: typo.yaml: no such file (labctl init writes a starting inventory; name another with -i FILE)',
      );
      expect(r.stdout, 'nothing probed').toBe('');
    }
    // The hint: `labctl init` in that folder, then doctor judges against the inventory it wrote.
    const init = await labctl(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const r = await labctl(['doctor', '-i', 'inventory.yaml'], { cwd: dir });
    expect(r.code, r.stderr).not.toBe(2);
    expect(r.stdout).toMatch(
      /^helm and kubectl judged for Kubernetes v\S+ \(kubernetes\.version of inventory\.yaml\)$/m,
    );
  });
});
