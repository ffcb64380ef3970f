// The layering rules of .dependency-cruiser.cjs and biome.jsonc, shown to fire: a scratch tree with one
// deliberate violation of each rule is checked with the project's own config, and so is the real tree.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const run = promisify(execFile);
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const BIOME = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');

async function cruise(cwd: string): Promise<{ code: number; lines: string[] }> {
  const args = [DEPCRUISE, 'installer', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'];
  const r = await run(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 }).then(
    (ok) => ({ code: 0, out: ok.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
  return {
    code: r.code,
    lines: r.out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(error|warn) /.test(l)),
  };
}

// One file per line: path -> content. Each violation is named in the comment next to it.
const SCRATCH: Record<string, string> = {
  'installer/core/ok.ts': 'export const ok = 1;\n',
  'installer/core/up.ts': "import '../render/platform/shared.ts';\n", // core imports upward
  'installer/inventory/ok.ts': "import '../core/ok.ts';\n", // allowed: inventory -> core
  'installer/inventory/up.ts': "import '../oncall/rotation.ts';\n", // inventory imports a non-core layer
  'installer/oncall/rotation.ts': 'export const r = 1;\n',
  'installer/render/platform/shared.ts': 'export const s = 1;\n',
  'installer/render/platform/a.ts': "import './b.ts';\nexport const a = 1;\n", // a cycle a -> b -> a
  'installer/render/platform/b.ts': "import './a.ts';\nexport const b = 1;\n",
  'installer/render/components/foo/index.ts':
    "import './values.ts';\nimport '../../platform/shared.ts';\nimport '../../../core/ok.ts';\nimport '../../model.ts';\n" +
    "import '../bar/index.ts';\n", // only the last import breaks a rule: foo -> bar
  'installer/render/components/foo/values.ts': 'export const v = 1;\n',
  'installer/render/components/bar/index.ts': 'export const bar = 1;\n',
  'installer/render/components/flat.ts': "import './other.ts';\n", // the flat layout of today: flat -> other
  'installer/render/components/other.ts': 'export const o = 1;\n',
  'installer/render/components/index.ts': "import './flat.ts';\nimport './foo/index.ts';\n", // allowed: the list
  'installer/render/model.ts': 'export const m = 1;\n',
  'installer/render/reads.ts': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", // a file read in render
  'installer/render/inputs.ts': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", // allowed
  'installer/render/env.ts': 'export const home = process.env.HOME;\n', // an environment variable in render
  // A component's inventory section: a leaf the inventory layer reads through one generated file.
  'installer/inventory/schema/build.ts': 'export const b = 1;\n',
  'installer/inventory/schema/component-section.ts': 'export const c = 1;\n',
  'installer/inventory/rules/context.ts': 'export type Rule = () => void;\n',
  'installer/inventory/schema/component-sections.ts':
    "import '../../render/components/foo/inventory.ts';\nimport '../../render/components/bar/inventory.ts';\n" +
    "import '../../render/components/foo/index.ts';\n", // only the last breaks a rule: the list -> a component
  'installer/render/components/foo/inventory.ts':
    "import '../../../inventory/schema/build.ts';\nimport '../../../inventory/schema/component-section.ts';\n" +
    "import type { Rule } from '../../../inventory/rules/context.ts';\nexport const r: Rule[] = [];\n", // allowed
  'installer/render/components/bar/inventory.ts':
    "import '../../../inventory/schema/build.ts';\nimport '../../platform/shared.ts';\nimport './values.ts';\n", // not a leaf: -> platform, -> own folder
  'installer/render/components/bar/values.ts': 'export const bv = 1;\n',
  'installer/inventory/defaults.ts': "import '../render/components/foo/inventory.ts';\n", // around the generated list
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-layering-'));
  for (const [path, content] of Object.entries(SCRATCH)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  copyFileSync(join(ROOT, 'biome.jsonc'), join(dir, 'biome.jsonc'));
  copyFileSync(join(ROOT, '.gitignore'), join(dir, '.gitignore')); // the config reads the ignore file
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import layering (dependency-cruiser, the project config)', () => {
  it('reports each deliberate violation, and nothing that is allowed', async () => {
    const r = await cruise(dir);
    expect(r.code).not.toBe(0);
    expect(r.lines.sort()).toEqual(
      [
        'error core-imports-upward: installer/core/up.ts → installer/render/platform/shared.ts',
        'error inventory-imports-upward: installer/inventory/up.ts → installer/oncall/rotation.ts',
        'error render-reads-no-files: installer/render/reads.ts → fs',
        'error no-circular: installer/render/platform/a.ts →',
        'error component-imports-component: installer/render/components/foo/index.ts → installer/render/components/bar/index.ts',
        'error component-imports-component: installer/render/components/flat.ts → installer/render/components/other.ts',
        'error inventory-imports-upward: installer/inventory/schema/component-sections.ts → installer/render/components/foo/index.ts',
        'error component-inventory-is-a-leaf: installer/render/components/bar/inventory.ts → installer/render/platform/shared.ts',
        'error component-inventory-is-a-leaf: installer/render/components/bar/inventory.ts → installer/render/components/bar/values.ts',
        'error inventory-reads-components-in-one-place: installer/inventory/defaults.ts → installer/render/components/foo/inventory.ts',
      ].sort(),
    );
  });

  it('the real tree has no error (core and inventory import nothing upward, no cycle, render reads no file)', async () => {
    const r = await cruise(ROOT);
    expect(r.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('no environment variable inside render (Biome noProcessEnv, the project config)', () => {
  it('flags process.env in render/ and not in render/inputs.ts', async () => {
    const r = await run(process.execPath, [BIOME, 'lint', '--reporter=github', 'installer/render'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    }).then(
      (ok) => ({ code: 0, out: ok.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.code).not.toBe(0);
    const hits = r.out.split('\n').filter((l) => l.includes('noProcessEnv'));
    expect(hits.map((l) => /file=([^,]+)/.exec(l)?.[1]?.replace(`${dir}/`, ''))).toEqual(['installer/render/env.ts']);
  });
});
