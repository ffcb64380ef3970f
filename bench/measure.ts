// One measured operation in a fresh process, so peak memory (maxRSS) belongs to that operation alone.
// Usage: node --import tsx bench/measure.ts validate|render|labs-validate <inventory> [<out-or-labs-dir>]
// Prints one JSON line: {ms, maxRssMiB, objects, bytes, files, errors}.
import { validateInventoryFile, requireSite } from '../installer/inventory/validate.ts';
import { readRenderInputs } from '../installer/render/inputs.ts';
import { renderSite } from '../installer/render/render.ts';
import { planWrite, writeRepo } from '../installer/render/write.ts';
import { validateLabs } from '../installer/labs/validate.ts';

const [op, inventory, dir] = process.argv.slice(2);
const t0 = performance.now();
let out: Record<string, number> = {};
if (op === 'validate') {
  const r = validateInventoryFile(inventory!);
  out = { errors: r.errors.length, objects: r.site?.nodes.length ?? 0 };
} else if (op === 'render') {
  const v = requireSite(inventory!);
  if ('errors' in v) throw new Error(`invalid inventory: ${v.errors[0]!.message}`);
  const r = await renderSite(v.site, readRenderInputs(v.site));
  const change = planWrite(dir!, r.files);
  writeRepo(dir!, r.files, change);
  out = {
    errors: r.diagnostics.filter((d) => d.severity === 'error').length,
    objects: r.stats.objects,
    bytes: r.stats.bytes,
    files: r.stats.files,
    written: change.added.length + change.changed.length + change.removed.length,
  };
} else if (op === 'labs-validate') {
  const r = validateLabs({ inventory: inventory!, inventoryRequired: true, labsDir: dir! });
  out = {
    errors: r.errors.length,
    files: r.files,
    objects: r.labs.reduce((n, l) => n + ((l as { students?: unknown[] }).students?.length ?? 0), 0),
  };
} else {
  throw new Error(`unknown operation ${op}`);
}
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...out }) + '\n');
