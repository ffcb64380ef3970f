// bin/labctl.js runs an esbuild bundle of the sources (rebuilt whenever a source changes) or, with
// LABCTL_NO_BUNDLE=1, the sources through tsx. Both must behave the same.
import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, labctl } from './helpers.ts';

describe('labctl entry point', () => {
  it('the bundle and the tsx path render the same repository', () => {
    const a = mkdtempSync(join(tmpdir(), 'labctl-entry-'));
    expect(labctl(['render', '-i', EXAMPLE, '-o', a]).code).toBe(0);
    const viaTsx = labctl(['render', '--check', '-i', EXAMPLE, '-o', a], { env: { LABCTL_NO_BUNDLE: '1' } });
    expect(viaTsx.code, viaTsx.stdout + viaTsx.stderr).toBe(0);
    expect(viaTsx.stdout).toContain('is up to date');
  });

  it('builds the bundle under .build/<hash of the sources>/', () => {
    expect(labctl(['--version']).code).toBe(0);
    const dirs = readdirSync(join(ROOT, '.build')).filter((d) => /^[0-9a-f]{16}$/.test(d));
    expect(dirs.length).toBeGreaterThan(0);
    expect(dirs.some((d) => existsSync(join(ROOT, '.build', d, 'main.js')))).toBe(true);
  });
});
