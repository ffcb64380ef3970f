// The only place that writes diagnostics for people: one line each, errors before warnings.
import type { Diagnostic } from '../core/diagnostics.ts';
import { formatDiagnostic, UsageError } from '../core/diagnostics.ts';
import { jsonControls } from '../core/show-controls.ts';

export type OutputFormat = 'text' | 'json';

/** Findings already written: a command that loads the inventory twice (render, then the secret store) says each thing once. */
const printed = new WeakMap<NodeJS.WritableStream, Set<string>>();

export function printDiagnostics(diags: Diagnostic[], stream: NodeJS.WritableStream = process.stderr): void {
  let seen = printed.get(stream);
  if (!seen) printed.set(stream, (seen = new Set()));
  for (const d of diags) {
    // Keyed by the raw fields, not the printed line: two file names that print alike (control characters
    // shown escaped) are two findings, and the counts that follow count both.
    const key = JSON.stringify([d.severity, d.file, d.line, d.col, d.path, d.message, d.hint]);
    if (seen.has(key)) continue;
    seen.add(key);
    stream.write(formatDiagnostic(d) + '\n');
  }
}

/** JSON.stringify escapes C0 itself; DEL, C1 and bidi controls are escaped too (same data for a JSON reader). */
export function printJson(value: unknown): void {
  process.stdout.write(jsonControls(JSON.stringify(value, null, 2)) + '\n');
}

export function parseFormat(v: string | undefined): OutputFormat {
  if (v === undefined || v === 'text') return 'text';
  if (v === 'json') return 'json';
  throw new UsageError(`--output ${v}: expected text or json`);
}
