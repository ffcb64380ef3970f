// `labctl doctor`: which tools labctl can use on this machine, with versions.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { $ } from 'zx';
import { repoPath } from '../../core/paths.ts';
import { printJson, type OutputFormat } from '../output.ts';

interface Tool {
  name: string;
  args: string[];
  needed: string;
  required?: boolean;
}

export const TOOLS: Tool[] = [
  { name: 'node', args: ['--version'], needed: 'labctl itself (>= 20)', required: true },
  { name: 'git', args: ['--version'], needed: 'render --check, the site repository' },
  { name: 'helm', args: ['version', '--short'], needed: 'up (CNI and ArgoCD install), chart tests' },
  { name: 'kubectl', args: ['version', '--client=true'], needed: 'reading the cluster by hand' },
  { name: 'ssh', args: ['-V'], needed: 'preflight/up (node-ssh is built in; ssh is for jump hosts and debugging)' },
  { name: 'shellcheck', args: ['--version'], needed: 'tests of the step scripts' },
  { name: 'promtool', args: ['--version'], needed: 'tests of alert rules' },
  { name: 'amtool', args: ['--version'], needed: 'tests of the Alertmanager configuration' },
  { name: 'skopeo', args: ['--version'], needed: 'images push' },
  { name: 'qemu-img', args: ['--version'], needed: 'images build' },
  { name: 'virt-customize', args: ['--version'], needed: 'images build (optional offline customisation)' },
  { name: 'cloud-init', args: ['--version'], needed: 'images validate (cloud-init schema of user-data)' },
];

export interface ToolStatus {
  name: string;
  ok: boolean;
  version?: string;
  path?: string;
  needed: string;
  required: boolean;
  /** A missing tool that this checkout's .tools/bin holds (unpacked by .ci/tools.sh): how to put it on PATH. */
  hint?: string;
}

export async function checkTools(): Promise<ToolStatus[]> {
  // PATH only: up and preflight run tools from PATH, so doctor must not call a tool "ok" that they cannot
  // find. One that only this checkout's .tools/bin holds (.ci/tools.sh) is missing, with the way to add it.
  const PATH = process.env.PATH ?? '';
  const tools = repoPath('.tools/bin');
  // A few probes at a time, each with a generous bound: all twelve at once (two shells each) on a busy
  // two-core machine pushed some past their time limit, and they were then shown without a version.
  const limit = pLimit(4);
  return Promise.all(
    TOOLS.map((t) =>
      limit(async () => {
        const which = await $({ nothrow: true, quiet: true, env: { ...process.env, PATH } })`command -v ${t.name}`;
        if (which.exitCode !== 0) {
          const inTools = existsSync(join(tools, t.name));
          return {
            name: t.name,
            ok: false,
            needed: t.needed,
            required: !!t.required,
            ...(inTools ? { hint: `${join(tools, t.name)} is not on PATH: export PATH="${tools}:$PATH"` } : {}),
          };
        }
        const out = await $({
          nothrow: true,
          quiet: true,
          env: { ...process.env, PATH },
          timeout: '30s',
        })`${t.name} ${t.args}`;
        // The version is not always on the first line (shellcheck: a title line, then "version: 0.9.0").
        const text = (out.stdout + out.stderr).trim();
        const version = /v?\d+\.\d+(\.\d+)?[^\s,]*/.exec(text)?.[0] ?? text.split('\n')[0] ?? '';
        return { name: t.name, ok: true, version, path: which.stdout.trim(), needed: t.needed, required: !!t.required };
      }),
    ),
  );
}

export async function doctorCommand(opts: { output: OutputFormat }): Promise<void> {
  const tools = await checkTools();
  if (opts.output === 'json') {
    printJson(tools);
    return;
  }
  const w = Math.max(...tools.map((t) => t.name.length));
  for (const t of tools) {
    const status = t.ok ? `ok       ${t.version ?? ''}` : 'missing ';
    process.stdout.write(`${t.name.padEnd(w)}  ${status.padEnd(28)} ${t.needed}${t.hint ? ` (${t.hint})` : ''}\n`);
  }
}
