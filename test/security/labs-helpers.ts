// Shared by the labs attack tests: a rendered site repository with course folders, the Application the
// ApplicationSet would generate for a lab file (its Go template evaluated from the FILE PATH, as ArgoCD
// does), and the real helm rendering that Application: value files in ArgoCD's order (roster, lab file),
// then the Application's valuesObject, which wins over both.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderSite } from '../../installer/render/render.ts';
import type { K8sObject } from '../../installer/render/model.ts';
import { toYaml } from '../../installer/render/yaml.ts';
import { EXAMPLE, labctl } from '../helpers.ts';
import { CHART, exampleCtx, helm, instantiate, tmp } from '../labs/helpers.ts';

export interface SiteRepo {
  dir: string;
  appset: any;
  projects: any[];
  files: Map<string, string>;
}

/** Renders the example site into a temp dir (the site repository as ArgoCD would clone it). */
export async function siteRepo(prefix: string): Promise<SiteRepo> {
  const result = await renderSite(exampleCtx().site, exampleCtx());
  const dir = tmp(prefix);
  for (const [p, c] of result.files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  const objs = parseAllDocuments(result.files.get('apps/labs-applicationset.yaml')!).map((d) => d.toJS());
  return {
    dir,
    appset: objs.find((o) => o.kind === 'ApplicationSet'),
    projects: objs.filter((o) => o.kind === 'AppProject'),
    files: result.files,
  };
}

/** Writes a course file into the site repository (labs/<course>/<name>). */
export function put(repo: SiteRepo, rel: string, text: string): string {
  const f = join(repo.dir, rel);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
}

/** Removes every course folder, so each attack starts from a clean labs/. */
export function clearLabs(repo: SiteRepo): void {
  for (const e of readdirSync(join(repo.dir, 'labs'), { withFileTypes: true }))
    if (e.isDirectory()) rmSync(join(repo.dir, 'labs', e.name), { recursive: true, force: true });
}

/** The Application the ApplicationSet generates for a lab file path like labs/netsec/firewalls.yaml. */
export function appFor(repo: SiteRepo, rel: string): any {
  return instantiate(repo.appset.spec.template, {
    path: posix.dirname(rel),
    basename: posix.basename(posix.dirname(rel)),
    filename: posix.basename(rel),
  });
}

export interface HelmRun {
  code: number | null;
  stderr: string;
  stdout: string;
  objects: K8sObject[];
}

/**
 * helm template of the Application for a lab file, exactly as the Application says: chart path, release
 * name, namespace, value files (missing ones skipped: ignoreMissingValueFiles), valuesObject last.
 * `chart` replaces the chart directory (a weakened copy); `valuesObject` replaces the Application's.
 */
export async function helmApp(
  repo: SiteRepo,
  rel: string,
  opts: { chart?: string; valuesObject?: Record<string, unknown> } = {},
): Promise<HelmRun> {
  const app = appFor(repo, rel);
  const src = app.spec.source;
  const chartDir = join(repo.dir, src.path);
  const values = src.helm.valueFiles.map((v: string) => join(chartDir, v)).filter((f: string) => existsSync(f));
  const vo = join(repo.dir, `.values-object-${src.helm.releaseName}.yaml`);
  writeFileSync(vo, toYaml(opts.valuesObject ?? src.helm.valuesObject, { object: false }));
  const r = await helm([
    'template',
    src.helm.releaseName,
    opts.chart ?? chartDir,
    '--namespace',
    app.spec.destination.namespace,
    ...[...values, vo].flatMap((f) => ['-f', f]),
  ]);
  // Parsed when a test reads them: the output for 1001 students is thousands of documents, seconds of
  // synchronous parsing (10.7 s under load) that the tests checking only the exit code do not need.
  let objects: K8sObject[] | undefined;
  return {
    ...r,
    get objects() {
      objects ??=
        r.code === 0
          ? parseAllDocuments(r.stdout)
              .map((d) => d.toJS())
              .filter((o): o is K8sObject => !!o)
          : [];
      return objects;
    },
  };
}

/** `labctl labs validate` on the site repository's labs folder, as the rendered CI runs it. */
export const validate = (repo: SiteRepo) =>
  labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', join(repo.dir, 'labs')]);

/**
 * A deliberately weakened copy of charts/vm-lab: without values.schema.json (helm checks nothing) and,
 * unless keepQuoting, with every `| toJson` dropped, as the chart was before this boundary existed.
 */
export function weakChart(
  opts: { keepQuoting?: boolean; keepSchema?: boolean; edit?: (file: string, text: string) => string } = {},
): string {
  const dir = tmp('weak-chart');
  cpSync(CHART, dir, { recursive: true });
  if (!opts.keepSchema) rmSync(join(dir, 'values.schema.json'));
  for (const f of readdirSync(join(dir, 'templates'))) {
    const p = join(dir, 'templates', f);
    let text = readFileSync(p, 'utf8');
    // The user-data line stays JSON: it is one multi-line value, quoted since before this boundary.
    if (!opts.keepQuoting)
      text = text
        .split('\n')
        .map((l) => (l.includes('vm-lab.userdata') ? l : l.replace(/ \| toJson \}\}/g, ' }}')))
        .join('\n');
    if (opts.edit) text = opts.edit(f, text);
    writeFileSync(p, text);
  }
  return dir;
}

/** A minimal valid lab file for course `course` (one student), with extra YAML lines appended. */
export const labText = (course: string, extra = '', students = 'students: [alice]') =>
  [
    'apiVersion: 1',
    'title: Attack',
    `course: ${course}`,
    'image: ubuntu-24.04',
    'size: small',
    students,
    extra,
    '',
  ].join('\n');

/** Every key anywhere in an object tree, and every string value, for "nothing like this was rendered" checks. */
export function walk(o: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(o)) o.forEach((x) => walk(x, visit));
  else if (o && typeof o === 'object')
    for (const [k, v] of Object.entries(o)) {
      visit(k, v);
      walk(v, visit);
    }
}
