// The sites the platform tests render: the example and every valid fixture, each rendered once.
import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import { EXAMPLE, fixture } from '../helpers.ts';

export function siteFiles(): Record<string, string> {
  const dir = fixture('inventory', 'valid');
  const valid = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
    : [];
  return {
    example: EXAMPLE,
    ...Object.fromEntries(valid.map((f) => [basename(f, '.yaml'), fixture('inventory', 'valid', f)])),
  };
}

export function loadSite(file: string): Site {
  const v = requireSite(file);
  if ('errors' in v) throw new Error(`${file}: ${JSON.stringify(v.errors)}`);
  return v.site;
}

const cache = new Map<string, Promise<{ site: Site; result: RenderResult }>>();
export function rendered(file: string): Promise<{ site: Site; result: RenderResult }> {
  let p = cache.get(file);
  if (!p) {
    p = (async () => {
      const site = loadSite(file);
      const result = await renderSite(site, readRenderInputs(site));
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) throw new Error(`${file}: render errors ${JSON.stringify(errors.slice(0, 5))}`);
      return { site, result };
    })();
    cache.set(file, p);
  }
  return p;
}
