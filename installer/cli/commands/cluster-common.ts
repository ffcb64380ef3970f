// Shared by the cluster commands (preflight, plan, up, reset, status): a validated Site or exit 1.
import { requireSite } from '../../inventory/validate.ts';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import type { Site } from '../../inventory/types.ts';
import { shellWord } from '../../core/shell-words.ts';
import { showControls } from '../../core/show-controls.ts';

export function loadSite(file: string): Site {
  const r = requireSite(file);
  if ('errors' in r)
    throw new ExitError(
      `${showControls(file)}: ${r.errors.length} error(s); run labctl validate ${shellWord(file)}`,
      1,
      r.errors,
    );
  return r.site;
}

/** --nodes a,b,c: every name must be a node of the inventory. */
export function pickNodes(site: Site, names: string[] | undefined): string[] | undefined {
  if (!names) return undefined;
  const unknown = names.filter((n) => !site.nodes.some((x) => x.name === n));
  if (unknown.length) {
    // No "did you mean": node4 among node1..node3 is one edit from each, and most likely a node not yet listed.
    throw new UsageError(
      `--nodes: unknown node(s): ${showControls(unknown.join(', '))} (the inventory's nodes: ${site.nodes.map((n) => n.name).join(', ')})`,
    );
  }
  return names;
}
