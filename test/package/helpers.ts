// Shared by the packaging tests: build the release artifacts with the same command CI and people use
// (installer/packaging/release.ts, reused while its inputs are unchanged), and compare rendered trees.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
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

/** `tsx installer/packaging/release.ts <what> --json`: the artifacts and whether they were rebuilt. */
export async function release<T = Record<string, any>>(what: 'pack' | 'sea' | 'image'): Promise<T> {
  const r = await run(join(ROOT, 'node_modules/.bin/tsx'), ['installer/packaging/release.ts', what, '--json'], {
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

let reference: Promise<Record<string, string>> | undefined;
/** The example rendered by the checkout (bin/labctl.js), the tree every installed labctl must match. */
export function referenceRender(): Promise<Record<string, string>> {
  reference ??= (async () => {
    const out = join(tmp('reference'), 'site');
    const r = await run(process.execPath, [join(ROOT, 'bin/labctl.js'), 'render', '-i', EXAMPLE, '-o', out]);
    if (r.code !== 0) throw new Error(`checkout render failed: ${r.stderr}`);
    return treeDigest(out);
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
