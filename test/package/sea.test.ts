// The single executables: the x86-64 one runs here with an empty environment from a folder outside the
// checkout and renders the example byte-identically to the checkout. The arm64 one cannot run on this
// x86-64 machine (no emulator): it is checked structurally (an AArch64 ELF carrying the same blob with
// the SEA fuse flipped), which proves it is built the same way, not that it runs.
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../../installer/packaging/release.ts';
import { nodeBinary, SEA_FUSE } from '../../installer/packaging/sea.ts';
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
} from './helpers.ts';

let sea: { dir: string; files: { x64: string; arm64: string }; sums: string; blob: string; built: boolean; ms: number };
const exe = (args: string[], cwd: string, env: NodeJS.ProcessEnv = { HOME: tmp('home') }) =>
  run(sea.files.x64, args, { cwd, env });

beforeAll(async () => {
  sea = (await release<{ sea: typeof sea }>('sea')).sea;
  console.log(`single executables: ${sea.built ? `built in ${sea.ms} ms` : 'reused (inputs unchanged)'}`);
}, 1_200_000);

describe('single executable', () => {
  it('SHA256SUMS verifies both files with sha256sum -c', async () => {
    const r = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: sea.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${basename(sea.files.x64)}: OK`);
    expect(r.stdout).toContain(`${basename(sea.files.arm64)}: OK`);
  });

  it("x86-64: the README's block installs it to ~/.local/bin and renders the example", async () => {
    const dir = tmp('download');
    assemble(dir, { sea });
    const home = tmp('home');
    const r = await runBlock(readmeBlock('install -D'), dir, { HOME: home, PATH: '/usr/bin:/bin' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${basename(sea.files.x64)}: OK`);
    expect(treeDigest(join(dir, 'site'))).toEqual(await referenceRender());
  });

  it('x86-64: runs --help, version, validate and render with an empty environment, outside the checkout', async () => {
    const cwd = workDir('sea');
    const env = { HOME: join(cwd, 'home') }; // nothing else: no PATH, no node, no node_modules
    const help = await exe(['--help'], cwd, env);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: labctl');
    const v = JSON.parse((await exe(['version', '--output', 'json'], cwd, env)).stdout);
    expect(v.labctl).toMatchObject({ version: packageVersion(), install: 'single executable', node: 'v22.23.5' });
    expect(v.labctl.files.startsWith(join(cwd, 'home/.cache/labctl/'))).toBe(true);
    const ok = await exe(['validate'], cwd, env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toContain('DeprecationWarning');
    const r = await exe(['render', '-o', 'site'], cwd, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('DeprecationWarning');
    expect(treeDigest(join(cwd, 'site'))).toEqual(await referenceRender());
  });

  it('unpacks into the temporary folder when the home is unusable, and refuses a folder another user could write', async () => {
    const cwd = workDir('sea-tmp');
    const tmpRoot = join(cwd, 't');
    mkdirSync(tmpRoot);
    const env = { HOME: join(cwd, 'inventory.yaml'), TMPDIR: tmpRoot }; // a file: no .cache can be made under it
    const v = await exe(['version', '--output', 'json'], cwd, env);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).labctl.files.startsWith(join(tmpRoot, `labctl-${process.getuid!()}/`))).toBe(true);
    // A planted, world-writable folder in a shared /tmp could hold templates of someone else's choosing.
    const shared = join(cwd, 'shared');
    mkdirSync(join(shared, `labctl-${process.getuid!()}`), { recursive: true });
    chmodSync(join(shared, `labctl-${process.getuid!()}`), 0o777);
    const planted = await exe(['--help'], cwd, { HOME: join(cwd, 'inventory.yaml'), TMPDIR: shared });
    expect(planted.code).toBe(3);
    expect(planted.stderr).toContain(`is not a private folder of uid ${process.getuid!()}`);
  });

  it('arm64 (not run: no arm64 CPU or emulator here): an AArch64 ELF with the same blob injected and the fuse flipped', async () => {
    // ELF header: magic, 64-bit, little-endian, e_machine at byte 18 (183 = EM_AARCH64, 62 = EM_X86_64).
    const machine = (f: string) => {
      const h = readFileSync(f).subarray(0, 20);
      return h.subarray(0, 4).toString('latin1') === '\x7fELF' && h[4] === 2 && h[5] === 1 ? h.readUInt16LE(18) : -1;
    };
    expect(machine(sea.files.arm64)).toBe(183);
    expect(machine(sea.files.x64)).toBe(62);
    const blob = readFileSync(sea.blob);
    for (const f of [sea.files.x64, sea.files.arm64]) {
      const bin = readFileSync(f);
      expect(bin.indexOf(blob), `${f} carries the blob`).toBeGreaterThan(0);
      expect(bin.indexOf(`${SEA_FUSE}:1`), `${f} has the fuse flipped`).toBeGreaterThan(0);
    }
    // The untouched official binary has the fuse off and no blob: the two checks above can fail.
    const plain = readFileSync(nodeBinary(ROOT, join(ROOT, 'release/cache'), 'arm64'));
    expect(plain.indexOf(`${SEA_FUSE}:0`)).toBeGreaterThan(0);
    expect(plain.indexOf(blob.subarray(0, 4096))).toBe(-1);
    expect(dirname(sea.files.arm64)).toBe(sea.dir);
  });
});
