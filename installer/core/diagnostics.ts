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

// Errors the user can act on, by kind. Library code throws Problem, UsageError or Interrupted and never
// picks an exit code: installer/cli/main.ts is the one place that maps a kind to one (docs/architecture.md).

/**
 * Base of the errors the CLI prints without a stack. `code` is for installer/cli's own use only (an exit
 * code it chose); library code throws the kinds below, which carry none (test/exit-codes.test.ts).
 */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number = 1,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** A problem found in the input or the machine's state that the user can fix (the CLI exits 1). */
export class Problem extends ExitError {
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message, undefined, diagnostics);
    this.name = 'Problem';
  }
}

/** Bad command-line usage: a wrong option, argument or file name (the CLI exits 2). */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The user stopped labctl (Ctrl-C at a prompt); nothing was changed (the CLI exits 130, as shells do for SIGINT). */
export class Interrupted extends ExitError {
  constructor(message: string) {
    super(message);
    this.name = 'Interrupted';
  }
}
