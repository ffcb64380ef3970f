import { describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from './helpers.ts';

describe('labctl validate (CLI)', () => {
  it('accepts the bundled example inventory with exit 0', async () => {
    const r = await labctl(['validate', EXAMPLE]);
    // Warnings may appear (e.g. the on-call horizon nearing its end as the calendar moves on); errors may not.
    expect(r.stderr).not.toMatch(/^\S+:\d+:\d+ (?!.*warning:)/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(12 nodes in 3 racks/);
  });

  it('reports a missing file with exit 1 and no stack trace', async () => {
    const r = await labctl(['validate', 'does-not-exist.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does-not-exist.yaml:1:1 file not found');
    expect(r.stderr).not.toMatch(/\n\s+at /);
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
