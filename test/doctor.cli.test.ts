import { describe, expect, it } from 'vitest';
import { labctl } from './helpers.ts';

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
    // A tool that cannot exist is reported missing, not as an error.
    const r2 = await labctl(['doctor'], { env: { PATH: '/nonexistent' } });
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/^git\s+missing/m);
    // helm only in this checkout's .tools/bin: missing, as preflight and up would find it, with the PATH fix.
    expect(r2.stdout).toMatch(/^helm\s+missing .*\.tools\/bin\/helm is not on PATH: export PATH=/m);
  });
});
