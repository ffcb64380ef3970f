// What render reads besides the Site: the pinned versions with the inventory's overrides, the lab image
// catalog and the files of charts/vm-lab. The caller (the CLI, the hand-over) gathers them here and
// passes them in, so the render itself reads no file and no environment variable; with write.ts (the
// only writer) this module is the edge of render/, and `npm run lint` keeps file reads out of the rest.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Problem } from '../core/diagnostics.ts';
import { repoPath } from '../core/paths.ts';
import { effectiveVersions } from '../core/versions.ts';
import { imagesDir, listImages } from '../images/catalog.ts';
import type { Site } from '../inventory/types.ts';
import { CHART_DIR } from './components/vm-labs/index.ts';
import type { RenderInputs, RepoFile } from './model.ts';

/**
 * The inputs of one render. `imagesDir`: the image catalog folder (default: $LABCTL_IMAGES_DIR, else
 * images/ of this labctl). A catalog with errors stops here, before anything is rendered.
 */
export function readRenderInputs(site: Site, opts: { imagesDir?: string } = {}): RenderInputs {
  const catalog = listImages(opts.imagesDir ?? imagesDir());
  if (catalog.errors.length)
    throw new Problem(
      `the image catalog has ${catalog.errors.length} error(s); run labctl images validate`,
      catalog.errors,
    );
  return { versions: effectiveVersions(site.versions), images: catalog.images, labChart: labChartFiles() };
}

/** Every file of charts/vm-lab, verbatim (Helm's {{ }} are left alone), sorted by path. */
export function labChartFiles(): RepoFile[] {
  const root = repoPath(CHART_DIR);
  const out: RepoFile[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: `${CHART_DIR}/${relative(root, p)}`, content: readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}
