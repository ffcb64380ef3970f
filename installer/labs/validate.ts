// The labs pipeline every labs command shares: load the inventory (when there is one), find and read the
// lab files, check them against the image catalog and the inventory. Pure apart from reading files.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Diagnostic, UsageError } from '../core/diagnostics.ts';
import { imageNames, imagesDir, listImages } from '../images/catalog.ts';
import { requireSite } from '../inventory/validate.ts';
import type { Site } from '../inventory/types.ts';
import { loadLabs, quotedAt } from './load.ts';
import { shellWord } from '../core/shell-words.ts';
import { checkLabs, type ImageFacts } from './rules.ts';
import type { Lab } from './types.ts';

export interface LabsOptions {
  /** Lab files or folders; default: the labs folder. */
  paths?: string[];
  /** Labs folder; default: the inventory's labs.path, else "labs", in the folder that holds the inventory. */
  labsDir?: string;
  inventory: string;
  /** The inventory was named on the command line: a missing file is an error, not a skipped check. */
  inventoryRequired: boolean;
  imagesRoot?: string;
}

export interface LabsResult {
  labs: Lab[];
  site?: Site;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  files: number;
  labsDir: string;
}

export function imageFacts(root = imagesDir()): ImageFacts {
  const { images } = listImages(root);
  return {
    names: imageNames(root),
    valid: new Map(images.map((i) => [i.name, { minDiskGiB: i.definition.minDiskGiB, version: i.version }])),
  };
}

export function validateLabs(o: LabsOptions): LabsResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  let site: Site | undefined;
  if (o.inventoryRequired || existsSync(o.inventory)) {
    const v = requireSite(o.inventory);
    if ('errors' in v) errors.push(...v.errors);
    else site = v.site;
  } else {
    warnings.push({
      severity: 'warning',
      file: o.inventory,
      line: 1,
      col: 1,
      path: '',
      message: 'no inventory here: course and VM host checks are skipped (give one with -i)',
    });
  }
  // The labs folder belongs to the site repository, the folder that holds the inventory: found from there
  // whatever the current folder (labctl labs validate -i ../site/inventory.yaml).
  const labsDir = o.labsDir ?? join(dirname(o.inventory), site?.labs.path ?? 'labs');
  // Neither an inventory nor a labs folder here (the checkout, a course folder): not a site repository.
  // Said as validate says a missing inventory (exit 2), not as a lab file "labs:1:1" not found.
  if (!o.paths?.length && !o.labsDir && !o.inventoryRequired && !site && !existsSync(labsDir))
    throw new UsageError(
      `no ${o.inventory} and no ${labsDir}/ folder here: run labctl labs in the site repository (the folder that holds the inventory and labs/), or name its inventory with -i FILE`,
    );
  // The inventory given as a lab file (labs validate inventory.yaml: "validate" is the inventory's command):
  // it was read as a lab and gave a dozen unknown keys. Said as a wrong argument, with the command meant.
  const inventoryGiven = o.paths?.find((p) => existsSync(o.inventory) && resolve(p) === resolve(o.inventory));
  if (inventoryGiven)
    throw new UsageError(
      `${inventoryGiven} is the site inventory, not a lab file: labctl validate ${shellWord(inventoryGiven)} checks it; the labs commands take lab files (${join(site?.labs.path ?? 'labs', '<course>', '<lab>.yaml')}) or their folders, by default all of them`,
    );
  // A path typed that does not exist is a wrong argument (exit 2), as a missing -i is; it was a lab error
  // "PATH:1:1 file or folder not found" and "1 error(s) in 0 lab file(s)", exit 1.
  // --labs DIR typed likewise (it gave the same 'DIR:1:1 file or folder not found').
  if (o.labsDir && !existsSync(o.labsDir))
    throw new UsageError(
      `--labs ${o.labsDir}: no such folder; --labs names the labs folder of the site repository (default: ${site?.labs.path ?? 'labs'} next to the inventory)`,
    );
  // A new site (labctl init, no render yet): the labs folder comes with the first render. It was
  // "labs:1:1 file or folder not found" in "0 lab file(s)", exit 1 (new-user trial).
  if (!o.paths?.length && !o.labsDir && site && !existsSync(labsDir))
    throw new UsageError(
      `${labsDir}/ does not exist yet: labctl render -i ${shellWord(o.inventory)} -o ${shellWord(dirname(o.inventory))} writes it (its README and the lab schema); course staff then add ${join(site.labs.path, '<course>', '<lab>.yaml')}`,
    );
  const missing = o.paths?.find((p) => !existsSync(p));
  if (missing)
    throw new UsageError(
      `${missing}: no such file or folder; the labs commands take lab files (${join(site?.labs.path ?? 'labs', '<course>', '<lab>.yaml')}) or their folders, by default all of them`,
    );
  const loaded = loadLabs(
    o.paths?.length ? o.paths : [labsDir],
    labsDir,
    site?.labs.courses.map((c) => c.name),
  );
  const checked = checkLabs({
    labs: [...loaded.labs, ...loaded.withErrors],
    images: imageFacts(o.imagesRoot),
    ...(site ? { site } : {}),
  });
  errors.push(...loaded.errors, ...checked.errors.filter((d) => !loaded.quoted.has(quotedAt(d))));
  warnings.push(...loaded.warnings, ...checked.warnings);
  const failed = new Set(checked.errors.map((e) => e.file));
  return {
    labs: loaded.labs.filter((l) => !failed.has(l.file)),
    site,
    errors: once(errors),
    warnings: once(warnings),
    files: loaded.files,
    labsDir,
  };
}

/**
 * Each finding once, so the count in the closing line is the number of lines printed above it. Keyed by
 * the raw fields, not the printed line: two file names that print alike (control characters shown escaped)
 * are two findings.
 */
function once(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const key = (d: Diagnostic) => JSON.stringify([d.severity, d.file, d.line, d.col, d.path, d.message, d.hint]);
  return ds.filter((d) => !seen.has(key(d)) && !!seen.add(key(d)));
}
