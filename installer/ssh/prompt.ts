// Reads one line typed at the terminal without showing it (passphrases, secret values). The terminal is
// put in raw mode before the prompt is written, so nothing typed after the prompt is echoed.
import { Interrupted, Problem } from '../core/diagnostics.ts';

export const isInteractive = (): boolean => !!process.stdin.isTTY;

export function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new Problem('readHidden needs a terminal');
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    process.stderr.write(prompt);
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          return;
        }
        if (ch === '\u0003') {
          done(new Interrupted('interrupted; nothing was changed'));
          return;
        } // Ctrl-C
        if (ch === '\u0004') {
          done();
          return;
        } // Ctrl-D
        if (ch === '\u007f' || ch === '\b') {
          value = value.slice(0, -1);
          continue;
        }
        if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
