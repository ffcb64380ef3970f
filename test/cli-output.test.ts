// installer/cli/output.ts: each diagnostic is printed once per command, however often the command loads it.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../installer/core/diagnostics.ts';
import { printDiagnostics } from '../installer/cli/output.ts';

const sink = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, done) {
      chunks.push(String(c));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
};
const warn = (message: string): Diagnostic => ({
  severity: 'warning',
  file: 'inventory.yaml',
  line: 3,
  col: 1,
  path: 'monitoring.oncall.renderUntil',
  message,
});

describe('printDiagnostics', () => {
  it('prints a warning once when a command loads the inventory twice (render, then the secret store)', () => {
    const s = sink();
    printDiagnostics([warn('the rendered rotation ends soon')], s.stream);
    printDiagnostics([warn('the rendered rotation ends soon'), warn('another')], s.stream);
    expect(s.text()).toBe(
      'inventory.yaml:3:1 monitoring.oncall.renderUntil: warning: the rendered rotation ends soon\n' +
        'inventory.yaml:3:1 monitoring.oncall.renderUntil: warning: another\n',
    );
  });
});
