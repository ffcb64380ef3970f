// Every fixture under test/fixtures/inventory: valid ones validate clean, invalid ones produce exactly
// the messages their `# expect:` header lines name (and each opens with a `# fault:` comment).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../installer/core/diagnostics.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { EXAMPLE, fixture, labctl } from '../helpers.ts';

const dir = (kind: 'valid' | 'invalid') =>
  readdirSync(fixture('inventory', kind))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

describe('valid inventories', () => {
  it.each([EXAMPLE, ...dir('valid').map((f) => fixture('inventory', 'valid', f))])('%s has no errors', (file) => {
    const r = validateInventoryFile(file);
    expect(r.errors.map(formatDiagnostic)).toEqual([]);
    expect(r.site).toBeDefined();
  });
});

describe('invalid inventories give exact messages', () => {
  const files = dir('invalid');
  it('there are fixtures for the semantic rules and the parse errors', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });
  it.each(files)('%s', (name) => {
    const file = fixture('inventory', 'invalid', name);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^# fault: \S/);
    const expected = lines.filter((l) => l.startsWith('# expect: ')).map((l) => l.slice('# expect: '.length));
    expect(expected.length).toBeGreaterThan(0);
    const r = validateInventoryFile(file);
    const got = r.errors.map((d) => formatDiagnostic({ ...d, file: '' }).replace(/^:/, ''));
    expect(got).toEqual(expected);
    expect(r.site).toBeUndefined();
  });
  it('the CLI prints FILE:LINE:COL and exits 1', async () => {
    const r = await labctl(['validate', 'test/fixtures/inventory/invalid/duplicate-address.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'test/fixtures/inventory/invalid/duplicate-address.yaml:23:38 nodes[4].address: address 10.30.0.14 is already used by nodes[3].address (line 22)',
    );
  });
});
