// Shared by the packaging tests: build the release artifacts with the same command CI and people use
// (installer/packaging/release.ts, reused while its inputs are unchanged: one build per set of inputs,
// whichever file asks first), and compare rendered trees.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { layoutSize } from '../../installer/packaging/image.ts';
import { imageBuilt, inputKey, packBuilt, RELEASE, seaBuilt } from '../../installer/packaging/release.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the worker (vitest's RPC times out when a worker blocks for long). */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? ROOT,
        env: opts.env ?? process.env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeout ?? 300_000,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : null
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The artifacts of `tsx installer/packaging/release-cli.ts <what> --json` and whether they were rebuilt. A
 * finished build of the current inputs (release/<what>/<key>/, content-addressed) is looked up here
 * first, the way release.ts looks it up, without starting tsx; otherwise release.ts builds it.
 */
export async function release<T = Record<string, any>>(what: 'pack' | 'sea' | 'image'): Promise<T> {
  const image = what === 'image' ? imageBuilt(ROOT) : undefined;
  const built =
    what === 'pack'
      ? packBuilt(ROOT)
      : what === 'sea'
        ? seaBuilt(ROOT)
        : image && { ...image, bytes: layoutSize(image.dir) };
  if (built) return { [what]: built } as T;
  const r = await run(join(ROOT, 'node_modules/.bin/tsx'), ['installer/packaging/release-cli.ts', what, '--json'], {
    timeout: 1_200_000,
  });
  if (r.code !== 0) throw new Error(`release.ts ${what} failed (${r.code}):\n${r.stderr.slice(-4000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `labctl-pkg-${prefix}-`));

/** A working folder outside the checkout holding a copy of the example inventory as inventory.yaml. */
export function workDir(prefix: string): string {
  const d = tmp(prefix);
  copyFileSync(EXAMPLE, join(d, 'inventory.yaml'));
  return d;
}

/** Every file of a tree with the sha256 of its bytes, by relative path. */
export function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The inputs of a checkout render of the example: every file bin/labctl.js and the sources it bundles
 *  read (release.ts's inputKey: installer/, the runtime files, the lockfile, the commit), bin/, the example
 *  and the Node version. A change to any of them gives another key, so a stale reference is never used. */
function referenceKey(): string {
  const h = createHash('sha256').update(inputKey(ROOT)).update(process.version);
  for (const f of readdirSync(join(ROOT, 'bin')).sort()) h.update(f).update(readFileSync(join(ROOT, 'bin', f)));
  return h.update(readFileSync(EXAMPLE)).digest('hex').slice(0, 16);
}

let reference: Promise<Record<string, string>> | undefined;
/**
 * The example rendered by the checkout (bin/labctl.js), the tree every installed labctl must match. Three
 * files compare against it, so its digest is kept in release/reference/<key>.json: one render per set of
 * inputs instead of one per file and run.
 */
export function referenceRender(): Promise<Record<string, string>> {
  reference ??= (async () => {
    const file = join(RELEASE, 'reference', `${referenceKey()}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const out = join(tmp('reference'), 'site');
    const r = await run(process.execPath, [join(ROOT, 'bin/labctl.js'), 'render', '-i', EXAMPLE, '-o', out]);
    if (r.code !== 0) throw new Error(`checkout render failed: ${r.stderr}`);
    const digest = treeDigest(out);
    // Written whole and renamed: a file reading it at the same time sees all of it or none.
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(digest));
    renameSync(`${file}.${process.pid}`, file);
    return digest;
  })();
  return reference;
}

export const packageVersion = () =>
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The ```sh blocks of the README's "## Install" section, in order. */
export function readmeInstallBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Install\n'),
    readme.indexOf('\n## ', readme.indexOf('\n## Install\n') + 5),
  );
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The README block that contains `needle` (fails when the README no longer has it). */
export function readmeBlock(needle: string): string {
  const b = readmeInstallBlocks().find((x) => x.includes(needle));
  if (!b) throw new Error(`README.md's Install section has no sh block with ${needle}`);
  return b;
}

/** Runs a README block as written, with bash -e (each line must succeed). */
export const runBlock = (block: string, cwd: string, env: NodeJS.ProcessEnv) =>
  run('/bin/bash', ['-euo', 'pipefail', '-c', block], { cwd, env, timeout: 900_000 });
