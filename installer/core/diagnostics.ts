// One shape for every problem labctl reports: `FILE:LINE:COL path: message`.
// The core returns these; only the CLI prints them.
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  col: number;
  /** Dotted path into the document, e.g. nodes[3].address; '' for the whole file. */
  path: string;
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const path = d.path ? ` ${d.path}:` : '';
  const tag = d.severity === 'warning' ? ' warning:' : '';
  return `${where}${path}${tag} ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`;
}

/** Path segments as written in messages: a.b[2].c */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** A problem the user can fix; the CLI prints the message (no stack) and exits with `code`. */
export class ExitError extends Error {
  constructor(message: string, readonly code: number = 1, readonly diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Bad command-line usage: exit code 2. */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
