// The one validation pipeline: parse -> schema -> derived defaults -> semantic rules.
// Pure apart from reading the file; returns diagnostics and never prints.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, type Diagnostic } from '../core/diagnostics.ts';
import { loadYamlFile, parseYamlText, type LoadResult } from '../core/yaml-source.ts';
import { compile, schemaDiagnostics } from '../core/schema-check.ts';
import { inventorySchema } from './schema/index.ts';
import { validators } from '../validators/inventory.ts';
import { withDefaults } from './defaults.ts';
import { makeContext } from './rules/context.ts';
import { RULES } from './rules/index.ts';
import type { Inventory, Site } from './types.ts';

export interface ValidationResult {
  site?: Site;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function validateInventoryFile(file: string): ValidationResult {
  return fromLoad(loadYamlFile(file));
}

export function validateInventoryText(file: string, text: string | Buffer): ValidationResult {
  return fromLoad(parseYamlText(file, text));
}

function fromLoad(loaded: LoadResult): ValidationResult {
  if (!loaded.ok) return { errors: loaded.diagnostics, warnings: [] };
  const { source } = loaded;
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    return {
      errors: [
        {
          severity: 'error',
          file: source.file,
          ...source.locate([]),
          path: '',
          message: `expected a mapping of inventory sections (site, network, nodes, ...), got ${Array.isArray(source.data) ? 'a list' : typeof source.data === 'object' ? 'nothing' : 'a ' + typeof source.data}`,
        },
      ],
      warnings: [],
    };
  }
  const schemaErrors = schemaDiagnostics(source, compile(inventorySchema, validators));
  if (schemaErrors.length > 0) return { errors: schemaErrors, warnings: [] };
  const site = withDefaults(source.data as Inventory, source.file);
  const out: Diagnostic[] = [];
  const ctx = makeContext(site, source, out);
  for (const rule of Object.values(RULES)) rule(ctx);
  out.sort((a, b) => a.line - b.line || a.col - b.col);
  const errors = out.filter((d) => d.severity === 'error');
  const warnings = out.filter((d) => d.severity === 'warning');
  return { site: errors.length ? undefined : site, errors, warnings };
}

/** No inventory at all is a wrong argument (exit 2), not a wrong inventory: every command says it alike. */
export function requireInventoryFile(file: string): void {
  if (!existsSync(file))
    throw new UsageError(`${file}: no such file (labctl init writes a starting inventory; name another with -i FILE)`);
  // A folder (validate labs, -i site): the file in it is meant, or another file. It said "labs:1:1 is a
  // directory, expected a YAML file", exit 1, as if the inventory were wrong.
  if (statSync(file).isDirectory()) {
    const inside = join(file, 'inventory.yaml');
    throw new UsageError(
      existsSync(inside)
        ? `${file} is a folder: name the inventory in it, ${inside}`
        : `${file} is a folder, not an inventory file (inventory.yaml in the site repository; labctl init writes one)`,
    );
  }
}

/** For commands that need a valid site: the site, or the diagnostics that stop them. */
export function requireSite(file: string): { site: Site; warnings: Diagnostic[] } | { errors: Diagnostic[] } {
  requireInventoryFile(file);
  const r = validateInventoryFile(file);
  return r.site ? { site: r.site, warnings: r.warnings } : { errors: r.errors };
}
