// render: Site -> the files of the site's GitOps repository. Pure (no writes); every object is
// validated before the caller may write anything.
import type { Diagnostic } from '../core/diagnostics.ts';
import type { Site } from '../inventory/types.ts';
import { application, componentDir, projects, rootApplication } from './app-of-apps.ts';
import { COMPONENTS } from './components/index.ts';
import type { Component, K8sObject, RenderContext, RenderInputs, SecretNeed, SiteContext } from './model.ts';
import type { ComponentModule } from './platform/component.ts';
import { gatherAlerts } from './platform/alert-rules.ts';
import { Problem } from '../core/diagnostics.ts';
import { validateObjects, type Located } from './validate-objects.ts';
import { toYaml, toYamlDocs } from './yaml.ts';
import { siteFiles } from './site-files.ts';
import { etcdBackupSecretNeeds } from './platform/backup.ts';

export interface RenderResult {
  /** path -> content, sorted by path. Empty when diagnostics has errors. */
  files: Map<string, string>;
  diagnostics: Diagnostic[];
  components: Component[];
  secrets: SecretNeed[];
  stats: { objects: number; files: number; bytes: number };
}

export const manifestFileName = (o: K8sObject) =>
  `${o.kind.toLowerCase()}-${o.metadata.namespace ? `${o.metadata.namespace}-` : ''}${o.metadata.name}.yaml`.replace(
    /[^a-z0-9.-]/g,
    '-',
  );

/**
 * What every component builder gets: the ingress layer `ingress.controller` names (a lookup over the
 * components that provide one) and every component's alerts and dashboards, for monitoring.
 */
export function renderContext(
  site: Site,
  inputs: RenderInputs,
  modules: readonly ComponentModule[] = COMPONENTS,
): RenderContext {
  const base: SiteContext = { site, ...inputs };
  const layers = modules.flatMap((m) => (m.ingressLayer ? [m.ingressLayer(base)] : []));
  const ingress = layers.find((l) => l.controller === site.ingress.controller);
  if (!ingress) {
    throw new Problem(
      `ingress.controller: ${JSON.stringify(site.ingress.controller)} is no ingress layer of this labctl (${layers
        .map((l) => l.controller)
        .sort()
        .join(', ')})`,
    );
  }
  return {
    ...base,
    ingress,
    observability: {
      alertGroups: gatherAlerts(modules.flatMap((m) => m.alerts?.(base) ?? [])),
      dashboards: modules.flatMap((m) => m.dashboards?.(base) ?? []),
    },
  };
}

/** The Applications of every component, by name; exposures become the ingress layer's objects in manifests. */
export function buildComponents(ctx: RenderContext, modules: readonly ComponentModule[] = COMPONENTS): Component[] {
  const out: Component[] = [];
  for (const m of modules) {
    const r = m.build(ctx);
    for (const c of r ? [r].flat() : []) {
      out.push(
        c.exposures?.length
          ? { ...c, manifests: [...(c.manifests ?? []), ...c.exposures.flatMap((e) => ctx.ingress.publish(e))] }
          : c,
      );
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The secrets the built components need (and the etcd backup), in one order: namespace/name/key. */
function secretNeedsOf(ctx: RenderContext, components: Component[]): SecretNeed[] {
  return [...components.flatMap((c) => c.secrets ?? []), ...etcdBackupSecretNeeds(ctx.site)].sort((a, b) =>
    `${a.namespace}/${a.name}/${a.key}`.localeCompare(`${b.namespace}/${b.name}/${b.key}`),
  );
}

/**
 * renderSite(...).secrets without the rest of a render: the `secrets` commands need only this list, and
 * serializing and validating every object (the larger part of a render) told them nothing more.
 */
export function secretNeeds(
  site: Site,
  inputs: RenderInputs,
  modules: readonly ComponentModule[] = COMPONENTS,
): SecretNeed[] {
  const ctx = renderContext(site, inputs, modules);
  return secretNeedsOf(ctx, buildComponents(ctx, modules));
}

/** `inputs`: from readRenderInputs (render/inputs.ts); render itself reads no file. */
export async function renderSite(
  site: Site,
  inputs: RenderInputs,
  modules: readonly ComponentModule[] = COMPONENTS,
): Promise<RenderResult> {
  const ctx = renderContext(site, inputs, modules);
  const components = buildComponents(ctx, modules);
  const files = new Map<string, string>();
  const located: Located[] = [];
  const diagnostics: Diagnostic[] = [];
  const put = (path: string, content: string) => {
    if (files.has(path))
      diagnostics.push({
        severity: 'error',
        file: path,
        line: 1,
        col: 1,
        path: '',
        message: 'rendered twice (two components write the same file)',
      });
    files.set(path, content);
  };
  const putObjects = (path: string, objs: K8sObject[]) => {
    objs.forEach((object) => located.push({ object, file: path }));
    put(path, toYamlDocs(objs));
  };

  const names = new Set<string>();
  for (const c of components) {
    if (names.has(c.name))
      diagnostics.push({
        severity: 'error',
        file: `apps/${c.name}.yaml`,
        line: 1,
        col: 1,
        path: '',
        message: `two components are named ${c.name}`,
      });
    names.add(c.name);
    putObjects(`apps/${c.name}.yaml`, [application(c, ctx)]);
    if (c.chart) put(`${componentDir(c.name)}/values.yaml`, toYaml(c.chart.values, { object: false }));
    for (const m of c.manifests ?? []) putObjects(`${componentDir(c.name)}/manifests/${manifestFileName(m)}`, [m]);
    if (c.remoteManifests?.length) {
      const resources = [...c.remoteManifests, ...(c.manifests ?? []).map((m) => `manifests/${manifestFileName(m)}`)];
      put(
        `${componentDir(c.name)}/kustomization.yaml`,
        toYaml(
          {
            apiVersion: 'kustomize.config.k8s.io/v1beta1',
            kind: 'Kustomization',
            ...(c.kustomizeNamespace ? { namespace: c.kustomizeNamespace } : {}),
            resources,
          },
          { object: false },
        ),
      );
    }
    for (const f of c.files ?? []) {
      put(f.path, f.content);
      f.objects?.forEach((object) => located.push({ object, file: f.path }));
    }
  }
  putObjects('apps/projects.yaml', projects(components, ctx));
  putObjects('bootstrap/root.yaml', rootApplication(ctx));
  const secrets = secretNeedsOf(ctx, components);
  for (const f of siteFiles(ctx, components, secrets, modules)) put(f.path, f.content);

  diagnostics.push(...(await validateObjects(located)));
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const bytes = [...sorted.values()].reduce((n, c) => n + Buffer.byteLength(c), 0);
  return {
    files: diagnostics.some((d) => d.severity === 'error') ? new Map() : sorted,
    diagnostics,
    components,
    secrets,
    stats: { objects: located.length, files: sorted.size, bytes },
  };
}
