// A step's full output, kept on this machine: <state dir>/logs/<host>/<step>.log (0600, replaced each
// time the step runs), named by the failure message, so a failed step can be read whole after the run.
// Output is handled line by line: a value the step marks as secret (LABCTL_SECRET) is registered before
// its line is written, so the log never holds it, and the last line feeds the progress display.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { redact, registerSecret } from '../ssh/redact.ts';

export const stepLogFile = (logDir: string, node: string, step: string) => join(logDir, node, `${step}.log`);

export class StepLog {
  private fd: number | undefined;
  private partial: Record<'out' | 'err', string> = { out: '', err: '' };
  readonly file?: string;

  /** logDir undefined: nothing is written, lines still reach onLine. */
  constructor(
    logDir: string | undefined,
    node: string,
    step: string,
    private readonly onLine: (line: string) => void,
  ) {
    if (!logDir) return;
    mkdirSync(join(logDir, node), { recursive: true, mode: 0o700 });
    this.file = stepLogFile(logDir, node, step);
    this.fd = openSync(this.file, 'w', 0o600);
    this.put(`# labctl ${step} on ${node}, started ${new Date().toISOString()}\n`);
  }

  /** A chunk of the step's stdout or stderr. */
  write(stream: 'out' | 'err', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const l of lines) this.line(stream, l);
  }

  /** Flushes partial lines and closes the file with how the step ended. */
  close(outcome: string): void {
    for (const s of ['out', 'err'] as const)
      if (this.partial[s]) {
        this.line(s, this.partial[s]);
        this.partial[s] = '';
      }
    this.put(`# ${outcome}, ${new Date().toISOString()}\n`);
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private line(stream: 'out' | 'err', raw: string): void {
    const secret = /^LABCTL_SECRET \w+=(\S+)$/.exec(raw);
    if (secret) registerSecret(secret[1]!);
    const l = redact(raw.replace(/\r$/, ''));
    this.put(`${stream === 'err' ? '! ' : ''}${l}\n`);
    if (l.trim()) this.onLine(l.trim());
  }

  private put(s: string): void {
    if (this.fd !== undefined) writeSync(this.fd, s);
  }
}
