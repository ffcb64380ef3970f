// The keys the release artifacts (and the tests' shared copies of them) are reused under: a change to any
// input gives another key, so a stale package, executable or image is never taken for a current one.
// Checked on a small stand-in checkout (not a Git repository: no commit in the key).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_DIRS, RUNTIME_FILES } from '../../installer/packaging/files.ts';
import { inputKey, packKey } from '../../installer/packaging/release.ts';
import { tmp } from './helpers.ts';

function checkout(): string {
  const root = tmp('keys');
  for (const d of [...RUNTIME_DIRS, 'installer/cli', 'bin']) mkdirSync(join(root, d), { recursive: true });
  for (const f of RUNTIME_FILES) writeFileSync(join(root, f), `${f}\n`);
  writeFileSync(join(root, 'package.json'), '{"name":"campus-lab-platform","version":"0.1.0"}\n');
  writeFileSync(join(root, 'package-lock.json'), '{}\n');
  writeFileSync(join(root, 'tsconfig.json'), '{}\n');
  writeFileSync(join(root, 'gitops/versions.yaml'), 'a: 1\n');
  writeFileSync(join(root, 'installer/cli/main.ts'), 'export {};\n');
  writeFileSync(join(root, 'bin/labctl.js'), '#!/usr/bin/env node\n');
  return root;
}

describe('release keys', () => {
  it('are the same for the same inputs and differ when a source, runtime file, the lockfile, tsconfig.json or bin/ changes', () => {
    const root = checkout();
    const keys = () => ({ input: inputKey(root), pack: packKey(root) });
    const first = keys();
    expect(keys()).toEqual(first);
    expect(first.input).toMatch(/^[0-9a-f]{16}$/);

    const changes: [string, string, { input: boolean; pack: boolean }][] = [
      ['installer/cli/main.ts', 'export const x = 1;\n', { input: true, pack: true }],
      ['installer/cli/new.ts', 'export {};\n', { input: true, pack: true }],
      ['gitops/versions.yaml', 'a: 2\n', { input: true, pack: true }],
      ['package-lock.json', '{"lockfileVersion":3}\n', { input: true, pack: true }],
      // How esbuild compiles the sources (found by the attacker trial: an edit here reused the old build).
      ['tsconfig.json', '{"compilerOptions":{"useDefineForClassFields":false}}\n', { input: true, pack: true }],
      // bin/ is in the npm package, not in the single executable or the image.
      ['bin/labctl.js', '#!/usr/bin/env node\n// changed\n', { input: false, pack: true }],
    ];
    let before = first;
    for (const [file, text, differs] of changes) {
      writeFileSync(join(root, file), text);
      const after = keys();
      expect(after.input !== before.input, `${file}: inputKey`).toBe(differs.input);
      expect(after.pack !== before.pack, `${file}: packKey`).toBe(differs.pack);
      before = after;
    }
  });
});
