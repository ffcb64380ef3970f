// labs.protectedCidrs: a campus network typed as a host address with its prefix (10.200.1.5/16) is refused at
// its place with the network meant, as a subnet, pool, pod or service CIDR is (rule cidrHostBits).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../installer/core/diagnostics.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { EXAMPLE } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-protected-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const show = (ds: Diagnostic[]) => ds.map((d) => formatDiagnostic({ ...d, file: '' }).replace(/^:/, ''));

describe('labs.protectedCidrs', () => {
  const write = (list: string) => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const line = '  # protectedCidrs: [10.200.0.0/16]';
    expect(text).toContain(line);
    const file = join(tmp, 'inventory.yaml');
    writeFileSync(file, text.replace(line, `  protectedCidrs: ${list}`));
    return file;
  };

  it('a CIDR with host bits set is an error naming the network meant', () => {
    const r = validateInventoryFile(write('[10.200.0.0/16, 172.16.9.5/24]'));
    expect(show(r.errors)).toEqual([
      expect.stringMatching(
        /^\d+:\d+ labs\.protectedCidrs\[1\]: 172\.16\.9\.5\/24 has host bits set \(hint: did you mean 172\.16\.9\.0\/24\?\)$/,
      ),
    ]);
  });

  it('the example commented key, uncommented, validates', () => {
    const r = validateInventoryFile(write('[10.200.0.0/16]'));
    expect(show(r.errors)).toEqual([]);
  });
});

describe('labs.protectedCidrs: every address', () => {
  it('0.0.0.0/0 is refused: the chart would give internet: true labs every address (except: [])', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const file = join(tmp, 'all.yaml');
    writeFileSync(
      file,
      text.replace('  # protectedCidrs: [10.200.0.0/16]', '  protectedCidrs: [10.200.0.0/16, 0.0.0.0/0]'),
    );
    const errors = show(validateInventoryFile(file).errors);
    expect(errors).toEqual([
      expect.stringMatching(/^\d+:\d+ labs\.protectedCidrs\[1\]: 0\.0\.0\.0\/0 is every address: /),
    ]);
    expect(errors[0]).toContain('network.internet false');
  });
});

describe('a value listed twice (uniqueItems)', () => {
  it('is shown at its second listing, the items counted up', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const file = join(tmp, 'twice.yaml');
    writeFileSync(
      file,
      text.replace(
        '  # protectedCidrs: [10.200.0.0/16]',
        '  protectedCidrs: [10.200.0.0/16, 10.201.0.0/16, 10.200.0.0/16]',
      ),
    );
    expect(show(validateInventoryFile(file).errors)).toEqual([
      expect.stringMatching(
        /^\d+:\d+ labs\.protectedCidrs\[2\]: "10\.200\.0\.0\/16" is listed twice \(items 0 and 2\)$/,
      ),
    ]);
  });
});
