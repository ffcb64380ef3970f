// Shared by the labs tests: render charts/vm-lab with the real helm binary and parse its output.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import type { K8sObject, SiteContext } from '../../installer/render/model.ts';
import { toYaml } from '../../installer/render/yaml.ts';
import { chartSiteValues } from '../../installer/render/components/vm-labs/index.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';

export const CHART = join(ROOT, 'charts/vm-lab');
export const VALID = join(ROOT, 'test/fixtures/labs/valid');
export const INVALID = join(ROOT, 'test/fixtures/labs/invalid');

export function exampleCtx(): SiteContext {
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error('example inventory invalid');
  return { site: v.site as Site, ...readRenderInputs(v.site) };
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `labs-${prefix}-`));

/** The site values the ApplicationSet passes, as a values file. */
export function siteValuesFile(dir: string): string {
  const f = join(dir, 'site-values.yaml');
  writeFileSync(f, toYaml(chartSiteValues(exampleCtx()), { object: false }));
  return f;
}

/** Runs a program without blocking the test worker (vitest's RPC times out when a worker blocks for long). */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? ROOT,
        env: opts.env ?? process.env,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: 120_000,
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

export const helm = (args: string[], cwd = ROOT) => run('helm', args, { cwd });

/** helm template of the chart; values files in order (later wins), like ArgoCD's valueFiles then valuesObject. */
export async function template(
  release: string,
  namespace: string,
  valueFiles: string[],
  chart = CHART,
): Promise<K8sObject[]> {
  const r = await helm(['template', release, chart, '--namespace', namespace, ...valueFiles.flatMap((f) => ['-f', f])]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS())
    .filter((o): o is K8sObject => !!o);
}

export const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);

/** The Go template expressions our ApplicationSet uses, evaluated for one generated file; anything else fails. */
export function goTemplate(s: string, params: { path: string; basename: string; filename: string }): string {
  return s.replace(/\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (expr === '.path.basename') return params.basename;
    if (expr === '.path.path') return params.path;
    if (expr === '.path.filename') return params.filename;
    if (expr === 'trimSuffix ".yaml" .path.filename') return params.filename.replace(/\.yaml$/, '');
    throw new Error(`unknown template expression {{ ${expr} }}`);
  });
}
export const instantiate = (v: unknown, p: Parameters<typeof goTemplate>[1]): unknown =>
  typeof v === 'string'
    ? goTemplate(v, p)
    : Array.isArray(v)
      ? v.map((x) => instantiate(x, p))
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, instantiate(x, p)]))
        : v;

/** Go's path.Match for the patterns we render (`*` never crosses "/"). */
export const globRe = (g: string) =>
  new RegExp(
    `^${g
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
