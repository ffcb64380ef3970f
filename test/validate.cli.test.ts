import { describe, expect, it } from 'vitest';
import { EXAMPLE, fixture, labctl } from './helpers.ts';

describe('labctl validate (CLI)', () => {
  it('accepts the bundled example inventory with exit 0', async () => {
    const r = await labctl(['validate', EXAMPLE]);
    // Warnings may appear (e.g. the on-call horizon nearing its end as the calendar moves on); errors may not.
    expect(r.stderr).not.toMatch(/^\S+:\d+:\d+ (?!.*warning:)/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(12 nodes in 3 racks/);
  });

  it('reports a missing file as a usage error (exit 2, as its --help says) with no stack trace', async () => {
    const r = await labctl(['validate', 'does-not-exist.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('labctl: does-not-exist.yaml: no such file');
    expect(r.stderr).toContain('(run labctl validate --help for usage)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await labctl(['validate', '--help'])).stdout.replace(/\s+/g, ' ')).toContain(
      'exit 0 valid, 1 invalid, 2 usage',
    );
    // The default file, inventory.yaml in the current folder, is the same case.
    expect((await labctl(['validate'], { cwd: '/' })).code).toBe(2);
  });

  it('counts in words that agree with the number (1 rack, 1 BGP router, 1 pool)', async () => {
    const r = await labctl(['validate', fixture('inventory/valid/single-rack.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid \(\d+ nodes in 1 rack, 1 BGP router, 1 pool[,)]/);
  });

  it('exits 2 on a usage error', async () => {
    expect((await labctl(['validate', '--output', 'xml', EXAMPLE])).code).toBe(2);
    expect((await labctl(['no-such-command'])).code).toBe(2);
  });

  it('prints JSON with --output json', async () => {
    const r = await labctl(['validate', EXAMPLE, '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.valid).toBe(true);
    expect(j.errors).toEqual([]);
  });
});
