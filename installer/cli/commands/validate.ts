import { requireInventoryFile, validateInventoryFile } from '../../inventory/validate.ts';
import { ExitError } from '../../core/diagnostics.ts';
import { printDiagnostics, printJson, type OutputFormat } from '../output.ts';
import { showControls } from '../../core/show-controls.ts';

export interface ValidateOptions {
  file: string;
  output: OutputFormat;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `labctl validate`: exit 0 valid (warnings allowed), 1 invalid, 2 usage (no such file: a wrong argument, not a wrong inventory). */
export async function validateCommand(opts: ValidateOptions): Promise<void> {
  requireInventoryFile(opts.file);
  const r = validateInventoryFile(opts.file);
  if (opts.output === 'json') {
    printJson({ file: opts.file, valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings });
  } else {
    printDiagnostics([...r.errors, ...r.warnings]);
    if (r.errors.length === 0) {
      const s = r.site!;
      process.stdout.write(
        `${showControls(opts.file)}: valid (${plural(s.nodes.length, 'node', 'nodes')} in ${plural(s.racks.length, 'rack', 'racks')}, ${plural(s.bgp.routers.length, 'BGP router', 'BGP routers')}, ${plural(s.bgp.pools.length, 'pool', 'pools')}${r.warnings.length ? `, ${plural(r.warnings.length, 'warning', 'warnings')}` : ''})\n`,
      );
    }
  }
  if (r.errors.length > 0)
    throw new ExitError(opts.output === 'json' ? '' : `${showControls(opts.file)}: ${r.errors.length} error(s)`, 1);
}
