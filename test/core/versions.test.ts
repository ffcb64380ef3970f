// gitops/versions.yaml is edited by hand (the one place upstream versions are pinned). From the new-user
// trial: a pin without a version rendered an unpinned chart with exit 0, and broken YAML there was
// reported as a bug in labctl. Both are now the edit's error, naming the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../installer/core/diagnostics.ts';
import { checkedPins, parsePins } from '../../installer/core/versions.ts';
import { ROOT } from '../helpers.ts';

const text = readFileSync(join(ROOT, 'gitops/versions.yaml'), 'utf8');

describe('gitops/versions.yaml as read', () => {
  it('the pinned file passes: every component has a version', () => {
    const v = checkedPins(parsePins(text));
    expect(Object.keys(v.components).length).toBeGreaterThan(20);
  });

  it('a component without a version is refused, naming it', () => {
    const edited = text.replace(/(argo-cd: +\{[^}]*?), version: [^,}]+/, '$1');
    expect(edited).not.toBe(text);
    expect(() => checkedPins(parsePins(edited))).toThrow(Problem);
    expect(() => checkedPins(parsePins(edited))).toThrow(
      'gitops/versions.yaml: components.argo-cd.version is missing (every upstream version is pinned there)',
    );
  });

  it('broken YAML is located (file:line:col), not an internal error', () => {
    const broken = text.replace('version: 10.1.1,', 'version: 10.1.1,,, [');
    expect(() => parsePins(broken)).toThrow(Problem);
    expect(() => parsePins(broken)).toThrow(/^gitops\/versions\.yaml:11:\d+: invalid YAML: /);
  });
});
