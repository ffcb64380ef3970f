// The only place that writes diagnostics for people: one line each, errors before warnings.
import type { Diagnostic } from '../core/diagnostics.ts';
import { formatDiagnostic, UsageError } from '../core/diagnostics.ts';

export type OutputFormat = 'text' | 'json';

export function printDiagnostics(diags: Diagnostic[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const d of diags) stream.write(formatDiagnostic(d) + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function parseFormat(v: string | undefined): OutputFormat {
  if (v === undefined || v === 'text') return 'text';
  if (v === 'json') return 'json';
  throw new UsageError(`--output ${v}: expected text or json`);
}
