// `labctl doctor`: which tools labctl can use on this machine, with versions.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { $ } from 'zx';
import { repoPath } from '../../core/paths.ts';
import { pinnedVersions } from '../../core/versions.ts';
import { requireInventoryFile, requireSite } from '../../inventory/validate.ts';
import { HELM_PROBE, KUBECTL_PROBE, judgeHelm, judgeKubectl, probe } from '../../cluster/local-tools.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { Problem } from '../../core/diagnostics.ts';
import { shellWord } from '../../core/shell-words.ts';
import { showControls } from '../../core/show-controls.ts';

interface Tool {
  name: string;
  args: string[];
  needed: string;
  required?: boolean;
}

export const TOOLS: Tool[] = [
  // The range package.json "engines" states and bin/node-support.js checks (test/cli-entry.test.ts: they agree).
  { name: 'node', args: ['--version'], needed: 'labctl itself (^20.19.0 || >=22.12.0)', required: true },
  { name: 'git', args: ['--version'], needed: 'render --check, the site repository' },
  { name: 'helm', args: ['version', '--short'], needed: 'up (CNI and ArgoCD install), chart tests' },
  { name: 'kubectl', args: ['version', '--client=true'], needed: 'up (Calico CRDs), reading the cluster by hand' },
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
  /** helm and kubectl: the version up needs, and why the one found is not it (the verdict preflight shows too). */
  expected?: string;
  reason?: string;
}

/**
 * The Kubernetes version kubectl is judged against, as preflight judges it: the inventory's
 * kubernetes.version when `inventory` is a valid inventory, else the pinned default (doctor runs anywhere).
 */
export function kubernetesFor(inventory: string): { version: string; from: string; why?: string } {
  const pinned = { version: pinnedVersions().kubernetes.default, from: 'gitops/versions.yaml' };
  if (!existsSync(inventory)) return { ...pinned, why: `no inventory at ${showControls(inventory)}` };
  const v = requireSite(inventory);
  if ('site' in v) return { version: v.site.kubernetes.version, from: showControls(inventory) };
  return {
    ...pinned,
    why: `${showControls(inventory)} is not a valid inventory (labctl validate -i ${shellWord(inventory)} says why)`,
  };
}

export async function checkTools(k8s = pinnedVersions().kubernetes.default): Promise<ToolStatus[]> {
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
        // helm and kubectl: the same probe and judgment as preflight (cluster/local-tools.ts).
        if (t.name === 'helm' || t.name === 'kubectl') {
          const env = { ...process.env, PATH };
          const v =
            t.name === 'helm'
              ? judgeHelm(await probe(HELM_PROBE, env))
              : judgeKubectl(await probe(KUBECTL_PROBE, env), k8s);
          return {
            name: t.name,
            ok: v.status === 'pass',
            ...(v.found ? { version: v.found } : {}),
            path: which.stdout.trim(),
            needed: t.needed,
            required: !!t.required,
            expected: v.expected,
            ...(v.reason ? { reason: v.reason } : {}),
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

export async function doctorCommand(opts: {
  output: OutputFormat;
  inventory: string;
  inventoryGiven?: boolean;
}): Promise<void> {
  // doctor runs anywhere, so a missing inventory.yaml means the pinned default; but an -i naming no file is a
  // typo, and judging kubectl against the default instead would say ok to what preflight then fails.
  if (opts.inventoryGiven) requireInventoryFile(opts.inventory);
  const k8s = kubernetesFor(opts.inventory);
  const tools = await checkTools(k8s.version);
  if (opts.output === 'json') printJson(tools);
  else {
    const w = Math.max(...tools.map((t) => t.name.length));
    for (const t of tools) {
      const status = t.ok ? `ok       ${t.version ?? ''}` : t.path ? `FAIL     ${t.version ?? ''}` : 'missing ';
      const why = t.hint ?? t.reason;
      process.stdout.write(`${t.name.padEnd(w)}  ${status.padEnd(28)} ${t.needed}${why ? ` (${why})` : ''}\n`);
    }
    process.stdout.write(
      `helm and kubectl judged for Kubernetes ${k8s.version} (${k8s.why ? `the pinned default: ${k8s.why}` : `kubernetes.version of ${k8s.from}`})\n`,
    );
  }
  // Missing tools are information (each command needs only some); a tool found but unusable fails (preflight
  // and up would stop on it), so a script running doctor sees it.
  const failed = tools.filter((t) => !t.ok && t.path);
  if (failed.length)
    throw new Problem(
      `${failed.map((t) => t.name).join(', ')}: found but not usable (FAIL above); up and preflight stop on it`,
    );
}
