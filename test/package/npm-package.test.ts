// The npm package as a person installs it: `npm pack`, then `npm install -g` into an empty prefix (its
// dependencies come from the registry), then labctl run from a folder outside the checkout.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runtimeFiles } from '../../installer/packaging/files.ts';
import { assemble } from '../../installer/packaging/release.ts';
import { nodeBinary } from '../../installer/packaging/sea.ts';
import { ROOT } from '../helpers.ts';
import {
  packageVersion,
  readmeBlock,
  referenceRender,
  release,
  run,
  runBlock,
  tmp,
  treeDigest,
  workDir,
  type Ran,
} from './helpers.ts';

let tarball = '';
let prefix = '';
let installMs = 0;
let readmeOut = '';
const labctl = (args: string[], cwd: string): Promise<Ran> =>
  // A clean environment: only the prefix's bin and the system's; no NODE_PATH, no checkout on any path.
  run(join(prefix, 'bin/labctl'), args, {
    cwd,
    env: { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: tmp('home') },
  });

beforeAll(async () => {
  const pack = (await release<{ pack: { file: string; built: boolean; ms: number } }>('pack')).pack;
  tarball = pack.file;
  console.log(`npm package: ${pack.built ? `packed in ${pack.ms} ms` : 'reused (inputs unchanged)'}`);
  prefix = tmp('prefix');
  const dir = tmp('download');
  assemble(dir, { tgz: tarball });
  // The README's block as written.
  const t = Date.now();
  // The machine's environment stays (its npm registry and CA settings); the prefix is an empty folder.
  const r = await runBlock(readmeBlock('npm install -g'), dir, {
    ...process.env,
    PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: tmp('home'),
    npm_config_prefix: prefix,
    npm_config_cache: join(homedir(), '.npm'),
    // Metadata already in that cache is used without asking the registry whether it changed (what is not
    // cached is fetched): the dependency ranges still resolve and install from the registry's packages,
    // without ~150 revalidation round trips. A dependency published since it was cached is not seen.
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });
  installMs = Date.now() - t;
  if (r.code !== 0) throw new Error(`the README's npm install block failed:\n${r.stdout}\n${r.stderr}`);
  readmeOut = r.stdout;
}, 1_200_000);

describe('npm package', () => {
  it('carries the prebuilt bundle and every runtime file, and no TypeScript source or test (the pack may be reused from an earlier run of the same inputs)', async () => {
    const list = (await run('tar', ['-tzf', tarball])).stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    expect(list).toContain('dist/bundle/main.js');
    expect(list).toContain('dist/build.json');
    for (const f of runtimeFiles(ROOT)) expect(list, f).toContain(f);
    expect(list.filter((f) => f.endsWith('.ts') || f.startsWith('test/') || f.startsWith('release/'))).toEqual([]);
    // After a pack in this run (or an earlier one of the same inputs), postpack removed dist/.
    expect(existsSync(join(ROOT, 'dist')), 'postpack removes dist/ so the checkout keeps running its sources').toBe(
      false,
    );
  });

  it(`installs with the README's npm install -g into an empty prefix, without dev dependencies (registry metadata npm has cached is not revalidated: prefer-offline)`, () => {
    expect(readmeOut).toContain('campus-lab-platform-' + packageVersion() + '.tgz: OK');
    expect(readmeOut).toContain('inventory.example.yaml: valid');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const has = (name: string) =>
      existsSync(join(prefix, 'lib/node_modules/campus-lab-platform/node_modules', name, 'package.json'));
    // @types/node is also a dependency of a runtime dependency (through @kubernetes/client-node), so it is there.
    for (const dev of Object.keys(pkg.devDependencies).filter((d) => d !== '@types/node'))
      expect(has(dev), dev).toBe(false);
    expect(has('commander')).toBe(true);
    console.log(`README npm block (checksum, npm install -g, validate): ${installMs} ms`);
  });

  it('runs labctl --help, --version and version from outside the checkout, from the installed files', async () => {
    const cwd = workDir('help');
    const help = await labctl(['--help'], cwd);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: labctl');
    expect((await labctl(['--version'], cwd)).stdout.trim()).toBe(packageVersion());
    const v = JSON.parse((await labctl(['version', '--output', 'json'], cwd)).stdout);
    expect(v.labctl).toMatchObject({ version: packageVersion(), install: 'npm package' });
    expect(v.labctl.files).toBe(join(prefix, 'lib/node_modules/campus-lab-platform'));
    expect(v.upstream.file.startsWith(v.labctl.files)).toBe(true);
    expect(v.upstream.components.find((c: any) => c.name === 'ingress-nginx')).toMatchObject({ version: '4.15.1' });
  });

  it('validates the example and reports a broken inventory with its location', async () => {
    const cwd = workDir('validate');
    const ok = await labctl(['validate'], cwd);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('inventory.yaml: valid');
    writeFileSync(
      join(cwd, 'bad.yaml'),
      readFileSync(join(cwd, 'inventory.yaml'), 'utf8').replace(/^(\s+)domain: (.*)$/m, '$1domian: $2'),
    );
    const bad = await labctl(['validate', 'bad.yaml'], cwd);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bad\.yaml:\d+:\d+ site\.domian: unknown key/m);
  });

  it('renders the example byte-identically to the checkout', async () => {
    const cwd = workDir('render');
    const r = await labctl(['render', '-o', 'site'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(treeDigest(join(cwd, 'site'))).toEqual(await referenceRender());
  });

  it('runs on Node 22 too (the pinned Node 22 the single executable is built from)', async () => {
    const node22 = nodeBinary(ROOT, join(ROOT, 'release/cache'), 'x64');
    const cwd = workDir('node22');
    const r = await run(
      node22,
      [join(prefix, 'lib/node_modules/campus-lab-platform/bin/labctl.js'), 'version', '--output', 'json'],
      { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).labctl).toMatchObject({ install: 'npm package', node: 'v22.23.5' });
    const v = await run(node22, [join(prefix, 'lib/node_modules/campus-lab-platform/bin/labctl.js'), 'validate'], {
      cwd,
      env: { PATH: '/usr/bin:/bin', HOME: cwd },
    });
    expect(v.code, v.stderr).toBe(0);
  });
});
