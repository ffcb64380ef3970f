// The component contract (installer/render/platform/component.ts, docs/components.md): the list of
// components is the folders (generated index, never stale), no component imports another, and adding a
// component is one folder plus one line in gitops/versions.yaml: a throwaway component is added to a
// temporary copy of labctl and rendered there, with its Application, chart values, its exposure
// published by the ingress layer, its alert and runbook, its dashboard and its CRD schema.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { componentFolders, componentIndexSource } from '../../installer/render/emit-components.ts';
import { COMPONENTS } from '../../installer/render/components/index.ts';
import { ALERT_GROUP_ORDER, alert, gatherAlerts } from '../../installer/render/platform/alert-rules.ts';
import { renderContext } from '../../installer/render/render.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';

const COMPONENTS_DIR = join(ROOT, 'installer/render/components');

function exampleSite(): Site {
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  return v.site;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Imports of a component file that land in another component's folder (relative specifiers resolved). */
function crossComponentImports(file: string, text: string, componentsDir = COMPONENTS_DIR): string[] {
  const own = relative(componentsDir, file).split('/')[0];
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)]
    .map((m) => resolve(dirname(file), m[1]!))
    .filter(
      (t) =>
        t.startsWith(componentsDir + '/') &&
        relative(componentsDir, t).includes('/') &&
        relative(componentsDir, t).split('/')[0] !== own,
    )
    .map((t) => relative(componentsDir, t));
}

describe('component folders', () => {
  it('components/index.ts lists exactly the folders (regenerate with `npm run schema`)', () => {
    expect(readFileSync(join(COMPONENTS_DIR, 'index.ts'), 'utf8')).toBe(componentIndexSource());
    expect(COMPONENTS.map((m) => m.name)).toEqual(componentFolders());
  });

  it('no component imports another component (the check finds a planted import)', () => {
    const found = tsFiles(COMPONENTS_DIR)
      .filter((f) => dirname(f) !== COMPONENTS_DIR)
      .flatMap((f) => crossComponentImports(f, readFileSync(f, 'utf8')).map((t) => `${relative(ROOT, f)} -> ${t}`));
    expect(found).toEqual([]);
    const planted = join(COMPONENTS_DIR, 'harbor/index.ts');
    expect(crossComponentImports(planted, "import { STORAGE_CLASSES } from '../rook-ceph/index.ts';")).toEqual([
      'rook-ceph/index.ts',
    ]);
    expect(crossComponentImports(planted, "import { STORAGE_CLASSES } from '../../platform/storage.ts';")).toEqual([]);
  });

  it('the shared contracts (platform/) import no component', () => {
    const platform = join(ROOT, 'installer/render/platform');
    const found = tsFiles(platform).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)]
        .map((m) => resolve(dirname(f), m[1]!))
        .filter((t) => t.startsWith(COMPONENTS_DIR + '/'))
        .map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`),
    );
    expect(found).toEqual([]);
  });

  it('ingress-nginx is known only to its own folder (and the generated list)', () => {
    const hits = tsFiles(join(ROOT, 'installer/render'))
      .filter(
        (f) => !f.startsWith(join(COMPONENTS_DIR, 'ingress-nginx') + '/') && f !== join(COMPONENTS_DIR, 'index.ts'),
      )
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((l, i) => [f, i + 1, l] as const),
      )
      // Comments may name it; code may not.
      .filter(([, , l]) => /nginx/i.test(l.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '')))
      .map(([f, n, l]) => `${relative(ROOT, f)}:${n}: ${l.trim()}`);
    expect(hits).toEqual([]);
  });
});

// The example of docs/components.md, as written there: a component with a pinned chart, a published
// service, an alert with its runbook, a dashboard, and a custom resource with its schema.
const DOC = readFileSync(join(ROOT, 'docs/components.md'), 'utf8');
const block = (tag: string) => {
  const m = new RegExp(`<!-- ${tag}:begin -->\\n\`\`\`[a-z]+\\n([\\s\\S]*?)\`\`\`\\n<!-- ${tag}:end -->`).exec(DOC);
  if (!m) throw new Error(`docs/components.md has no ${tag} block`);
  return m[1]!;
};
const TOY = block('component-example');
const VERSIONS_LINE = block('versions-example');

describe('adding a component is one folder plus one line in gitops/versions.yaml', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'labctl-component-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A copy of labctl's own files (what render reads), with node_modules linked. */
  function copyOfLabctl(): string {
    const root = join(tmp, `labctl-${readdirSync(tmp).length}`);
    for (const d of ['installer', 'gitops', 'charts', 'images'])
      cpSync(join(ROOT, d), join(root, d), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    return root;
  }

  function changedFiles(root: string): string[] {
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((n) => {
        const p = join(d, n);
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    return ['installer', 'gitops', 'charts', 'images']
      .flatMap((d) => walk(join(root, d)))
      .map((p) => relative(root, p))
      .filter((p) => {
        try {
          return readFileSync(join(ROOT, p), 'utf8') !== readFileSync(join(root, p), 'utf8');
        } catch {
          return true;
        }
      })
      .sort();
  }

  async function addToy(root: string, toy = TOY) {
    mkdirSync(join(root, 'installer/render/components/guestbook'));
    writeFileSync(join(root, 'installer/render/components/guestbook/index.ts'), toy);
    const versions = join(root, 'gitops/versions.yaml');
    writeFileSync(versions, readFileSync(versions, 'utf8').replace(/^components:\n/m, `components:\n${VERSIONS_LINE}`));
    // What `npm run schema` does: the copy's own generator over the copy's folders.
    const emit = (await import(
      join(root, 'installer/render/emit-components.ts')
    )) as typeof import('../../installer/render/emit-components.ts');
    const dir = join(root, 'installer/render/components');
    writeFileSync(join(dir, 'index.ts'), emit.componentIndexSource(dir));
  }

  it("renders the new component: Application, values, the layer's Ingress, alert + runbook, dashboard, validated CR", async () => {
    const root = copyOfLabctl();
    await addToy(root);
    expect(changedFiles(root)).toEqual([
      'gitops/versions.yaml',
      'installer/render/components/guestbook/index.ts',
      'installer/render/components/index.ts',
    ]);

    const { renderSite } = (await import(
      join(root, 'installer/render/render.ts')
    )) as typeof import('../../installer/render/render.ts');
    const { readRenderInputs: inputsOf } = (await import(
      join(root, 'installer/render/inputs.ts')
    )) as typeof import('../../installer/render/inputs.ts');
    const r = await renderSite(exampleSite(), inputsOf(exampleSite()));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const app = parse(r.files.get('apps/guestbook.yaml')!);
    expect(app.spec.sources[0]).toMatchObject({ chart: 'guestbook', targetRevision: '1.0.0' });
    expect(parse(r.files.get('components/guestbook/values.yaml')!).storage.s3.endpoint).toMatch(/rook-ceph-rgw/);
    const ing = parse(r.files.get('components/guestbook/manifests/ingress-guestbook-guestbook.yaml')!);
    expect(ing.spec.rules[0].host).toBe(`guestbook.${exampleSite().site.domain}`);
    expect(ing.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('site-issuer');
    const rule = parse(
      r.files.get('components/kube-prometheus-stack/manifests/prometheusrule-monitoring-labctl-guestbook.yaml')!,
    );
    expect(rule.spec.groups[0].rules[0].alert).toBe('GuestbookDown');
    expect(r.files.get('runbooks/GuestbookDown.md')).toContain('Nobody can sign the guestbook.');
    expect(r.files.get('runbooks/README.md')).toContain('[GuestbookDown](GuestbookDown.md)');
    expect(
      r.files.has('components/kube-prometheus-stack/manifests/configmap-monitoring-dashboard-guestbook.yaml'),
    ).toBe(true);
    expect(r.files.has('components/guestbook/manifests/greeting-guestbook-welcome.yaml')).toBe(true);
  });

  it('its custom resource is checked against the schema it declares (a wrong field fails the render)', async () => {
    const root = copyOfLabctl();
    const misspelt = TOY.replace("spec: { message: 'Hello' }", "spec: { mesage: 'Hello' }");
    expect(misspelt).not.toBe(TOY);
    await addToy(root, misspelt);
    const { renderSite } = (await import(
      join(root, 'installer/render/render.ts')
    )) as typeof import('../../installer/render/render.ts');
    const { readRenderInputs: inputsOf } = (await import(
      join(root, 'installer/render/inputs.ts')
    )) as typeof import('../../installer/render/inputs.ts');
    const r = await renderSite(exampleSite(), inputsOf(exampleSite()));
    expect(r.files.size).toBe(0);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)).toContain(
      'components/guestbook/manifests/greeting-guestbook-welcome.yaml',
    );
  });
});

describe("monitoring gathers the components' alerts", () => {
  const a = (name: string) =>
    alert({
      name,
      severity: 'warning',
      expr: 'vector(1)',
      summary: 's',
      description: 'd',
      runbook: { meaning: 'm', check: ['c'], fix: ['f'], escalate: 'e' },
    });

  it('merges groups of the same name in component order, orders groups as the on-call reads them', () => {
    const out = gatherAlerts([
      { name: 'labctl-zz-new', alerts: [a('NewOne')] },
      { name: 'labctl-services', alerts: [a('ArgoOne')] },
      { name: 'labctl-nodes', alerts: [a('NodeOne')] },
      { name: 'labctl-services', alerts: [a('HarborOne')] },
      { name: 'labctl-empty', alerts: [] },
    ]);
    expect(out.map((g) => [g.name, g.alerts.map((x) => x.name)])).toEqual([
      ['labctl-nodes', ['NodeOne']],
      ['labctl-services', ['ArgoOne', 'HarborOne']],
      ['labctl-zz-new', ['NewOne']],
    ]);
    expect(ALERT_GROUP_ORDER.indexOf('labctl-nodes')).toBeLessThan(ALERT_GROUP_ORDER.indexOf('labctl-services'));
  });

  it('refuses an alert two components declare (one runbook page per alert name)', () => {
    expect(() =>
      gatherAlerts([
        { name: 'labctl-a', alerts: [a('Same')] },
        { name: 'labctl-b', alerts: [a('Same')] },
      ]),
    ).toThrow(/alert Same is declared twice/);
  });

  it("the example's alerts come from the components that own the metrics", () => {
    const ctx = renderContext(exampleSite(), readRenderInputs(exampleSite()));
    const owner = (alertName: string) =>
      COMPONENTS.find((m) => m.alerts?.(ctx).some((g) => g.alerts.some((x) => x.name === alertName)))?.name;
    expect([
      owner('IngressHigh5xxRate'),
      owner('CephOSDDown'),
      owner('KeycloakDown'),
      owner('NodeDown'),
      owner('MetalLBBGPSessionDown'),
    ]).toEqual(['ingress-nginx', 'rook-ceph', 'keycloak', 'monitoring', 'metallb']);
    expect(ctx.observability.alertGroups.flatMap((g) => g.alerts).length).toBe(
      COMPONENTS.flatMap((m) => m.alerts?.(ctx) ?? []).flatMap((g) => g.alerts).length,
    );
  });
});
