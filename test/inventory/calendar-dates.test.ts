// Inventory dates the schema's pattern lets through (any day 01-31) but the calendar has not: validate
// refuses them at their place; oncall said 'until Invalid DateTime' for such a renderUntil.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../installer/core/diagnostics.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { EXAMPLE } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-dates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const show = (ds: Diagnostic[]) => ds.map((d) => formatDiagnostic({ ...d, file: '' }).replace(/^:/, ''));

describe('on-call dates that are no day of the calendar', () => {
  it.each([
    ['renderUntil: "2027-09-06"', 'renderUntil: "2027-02-30"', 'monitoring.oncall.renderUntil: "2027-02-30"'],
    ['start: "2026-09-07"', 'start: "2026-09-31"', 'monitoring.oncall.rotation.start: "2026-09-31"'],
  ])('%s -> %s is an error at its place', (from, to, said) => {
    const text = readFileSync(EXAMPLE, 'utf8');
    expect(text).toContain(from);
    const file = join(tmp, 'inventory.yaml');
    writeFileSync(file, text.replace(from, to));
    expect(show(validateInventoryFile(file).errors)).toEqual([
      expect.stringMatching(
        new RegExp(`^\\d+:\\d+ ${said.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a day of the calendar`),
      ),
    ]);
  });
});
