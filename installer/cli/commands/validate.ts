import { validateInventoryFile } from '../../inventory/validate.ts';
import { ExitError } from '../../core/diagnostics.ts';
import { printDiagnostics, printJson, type OutputFormat } from '../output.ts';

export interface ValidateOptions { file: string; output: OutputFormat }

/** `labctl validate`: exit 0 valid (warnings allowed), 1 invalid. */
export async function validateCommand(opts: ValidateOptions): Promise<void> {
  const r = validateInventoryFile(opts.file);
  if (opts.output === 'json') {
    printJson({ file: opts.file, valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings });
  } else {
    printDiagnostics([...r.errors, ...r.warnings]);
    if (r.errors.length === 0) {
      const s = r.site!;
      process.stdout.write(`${opts.file}: valid (${s.nodes.length} nodes in ${s.racks.length} racks, ${s.bgp.routers.length} BGP routers, ${s.bgp.pools.length} pools${r.warnings.length ? `, ${r.warnings.length} warning(s)` : ''})\n`);
    }
  }
  if (r.errors.length > 0) throw new ExitError(opts.output === 'json' ? '' : `${opts.file}: ${r.errors.length} error(s)`, 1);
}
