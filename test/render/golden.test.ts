// Golden trees: the complete rendered repository for the example and the fixture sites, committed under
// test/golden/<name>/ so every change to the output is visible in review. Regenerate on purpose with
//   UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import { EXAMPLE, ROOT, fixture } from '../helpers.ts';

const SITES: Record<string, string> = {
  example: EXAMPLE,
  'single-rack': fixture('inventory/valid/single-rack.yaml'),
  airgapped: fixture('inventory/valid/airgapped.yaml'),
};

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('golden rendered trees', () => {
  it.each(Object.entries(SITES))('%s matches test/golden', async (name, inv) => {
    const v = requireSite(inv);
    if ('errors' in v) throw new Error(JSON.stringify(v.errors));
    const r = await renderSite(v.site, readRenderInputs(v.site));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const dir = join(ROOT, 'test/golden', name);
    if (process.env.UPDATE_GOLDEN) {
      rmSync(dir, { recursive: true, force: true });
      for (const [p, c] of r.files) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), c);
      }
    }
    expect(listFiles(dir)).toEqual([...r.files.keys()].sort());
    for (const [p, c] of r.files) expect(readFileSync(join(dir, p), 'utf8'), `test/golden/${name}/${p}`).toBe(c);
  });
});
