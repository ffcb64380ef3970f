// The seam between the schemas and the words their pattern errors are said in (installer/core/schema-check.ts
// PATTERN_NAMES, keyed by the pattern's exact text): a schema edit that changes a pattern would silently bring
// back "not valid (pattern ^[0-9]{4}-...)" for it. Every worded pattern must be one some schema uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATTERN_NAMES } from '../../installer/core/schema-check.ts';
import { ROOT } from '../helpers.ts';

const SCHEMAS = [
  'inventory.schema.json',
  'installer/labs/lab.schema.json',
  'installer/labs/roster.schema.json',
  'installer/images/image.schema.json',
];

function patterns(v: unknown, out = new Set<string>()): Set<string> {
  if (v && typeof v === 'object') {
    const p = (v as { pattern?: unknown }).pattern;
    if (typeof p === 'string') out.add(p);
    for (const x of Object.values(v)) patterns(x, out);
  }
  return out;
}

describe('pattern errors said in words', () => {
  it('every worded pattern is a pattern of the emitted schemas (inventory, lab, roster, image)', () => {
    const used = new Set<string>();
    for (const f of SCHEMAS) for (const p of patterns(JSON.parse(readFileSync(join(ROOT, f), 'utf8')))) used.add(p);
    expect(used.size).toBeGreaterThan(20);
    expect(Object.keys(PATTERN_NAMES).filter((k) => !used.has(k))).toEqual([]);
  });
  it('every pattern of the emitted schemas is said in words (a new pattern without words would reach users as a regular expression)', () => {
    const used = new Set<string>();
    for (const f of SCHEMAS) for (const p of patterns(JSON.parse(readFileSync(join(ROOT, f), 'utf8')))) used.add(p);
    expect([...used].filter((p) => !(p in PATTERN_NAMES))).toEqual([]);
  });
});
