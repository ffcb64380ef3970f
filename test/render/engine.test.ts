// The render engine as a whole: deterministic output, --check and diff, never clobbering files it
// does not own, and the app-of-apps contract (waves, projects, health check).
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EXAMPLE, fixture, labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite, secretNeeds } from '../../installer/render/render.ts';
import { APPLICATION_HEALTH_LUA } from '../../installer/render/components/argocd/index.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'labctl-render-'));
const site = (file: string) => {
  const r = requireSite(file);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.site;
};
const render = (s: ReturnType<typeof site>) => renderSite(s, readRenderInputs(s));
// The example's render, made once for the tests that only read it (a render is ~0.5 CPU-s).
let exampleRender: ReturnType<typeof render> | undefined;
const example = () => (exampleRender ??= render(site(EXAMPLE)));
const INVENTORIES = [EXAMPLE, fixture('inventory/valid/single-rack.yaml'), fixture('inventory/valid/airgapped.yaml')];

describe('render engine', () => {
  it.each(INVENTORIES)('renders %s with no invalid object, and the same bytes twice', async (inv) => {
    const a = await render(site(inv));
    const b = await render(site(inv));
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.stats.objects).toBeGreaterThan(5);
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [p, c] of a.files) expect(b.files.get(p), p).toBe(c);
    // The secrets commands take this list from secretNeeds (no serializing, no validation): the same list.
    const s = site(inv);
    expect(a.secrets.length).toBeGreaterThan(3);
    expect(secretNeeds(s, readRenderInputs(s))).toEqual(a.secrets);
  });

  it('output does not depend on the time zone or locale of the machine that renders', async () => {
    const outs: string[] = [];
    for (const [TZ, LANG] of [
      ['UTC', 'C'],
      ['Pacific/Auckland', 'de_DE.UTF-8'],
    ]) {
      const dir = tmp();
      const r = await labctl(['render', '-i', EXAMPLE, '-o', dir], { env: { TZ, LANG, LC_ALL: LANG } });
      expect(r.code, r.stderr).toBe(0);
      outs.push(dir);
    }
    const r = await labctl(['render', '--check', '-i', EXAMPLE, '-o', outs[1]!]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(outs[0]!, 'README.md'), 'utf8')).toBe(readFileSync(join(outs[1]!, 'README.md'), 'utf8'));
  });

  it('every YAML file parses, every object is an API object with a name', async () => {
    const r = await example();
    for (const [path, content] of r.files) {
      // Helm templates copied into the site repo (charts/*/templates) are Go templates, not YAML.
      if (!/\.ya?ml$/.test(path) || /^charts\/[^/]+\/templates\//.test(path)) continue;
      for (const doc of parseAllDocuments(content)) {
        expect(doc.errors, path).toEqual([]);
        const o = doc.toJS();
        if (path.startsWith('apps/') || path.includes('/manifests/') || path.startsWith('bootstrap/')) {
          expect(o.apiVersion, path).toBeTruthy();
          expect(o.metadata?.name, path).toBeTruthy();
        }
      }
    }
  });

  it('app-of-apps: every component has an Application with a sync wave, project and automated sync', async () => {
    const r = await example();
    const apps = r.components.map((c) => parseAllDocuments(r.files.get(`apps/${c.name}.yaml`)!)[0]!.toJS());
    for (const app of apps) {
      expect(app.kind).toBe('Application');
      expect(Number.isInteger(Number(app.metadata.annotations['argocd.argoproj.io/sync-wave']))).toBe(true);
      expect(['crds', 'operators', 'resources', 'platform', 'labs']).toContain(app.spec.project);
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.metadata.finalizers).toBeUndefined();
    }
    const wave = (n: string) =>
      Number(apps.find((a) => a.metadata.name === n)!.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('cert-manager')).toBeLessThan(wave('cert-manager-issuers'));
    expect(wave('cert-manager-issuers')).toBeLessThan(wave('ingress-nginx'));
    // Projects allow exactly the namespaces of their components.
    const projects = parseAllDocuments(r.files.get('apps/projects.yaml')!).map((d) => d.toJS());
    for (const p of projects) {
      const mine = r.components.filter((c) => c.tier === p.metadata.name).map((c) => c.namespace);
      for (const ns of mine) expect(p.spec.destinations.map((d: { namespace: string }) => d.namespace)).toContain(ns);
      expect(p.spec.destinations.some((d: { namespace: string }) => d.namespace === '*')).toBe(false);
    }
  });

  it('restores the Application health check in argocd-cm so waves wait for health', async () => {
    const r = await example();
    const values = parseAllDocuments(r.files.get('components/argocd/values.yaml')!)[0]!.toJS();
    expect(values.configs.cm['resource.customizations.health.argoproj.io_Application']).toBe(APPLICATION_HEALTH_LUA);
    expect(values.configs.cm['oidc.config']).toContain('clientSecret: $argocd-oidc:clientSecret');
  });
});

describe('labctl render / render --check / diff', () => {
  it('render --check passes on a fresh render and lists a changed file after an edit', async () => {
    const dir = tmp();
    expect((await labctl(['render', '-i', EXAMPLE, '-o', dir])).code).toBe(0);
    expect((await labctl(['render', '--check', '-i', EXAMPLE, '-o', dir])).code).toBe(0);
    writeFileSync(join(dir, 'apps/argocd.yaml'), 'edited\n');
    rmSync(join(dir, 'README.md'));
    const r = await labctl(['render', '--check', '-i', EXAMPLE, '-o', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('differs  apps/argocd.yaml');
    expect(r.stdout).toContain('missing  README.md');
  });

  it('diff shows what a render would change, without writing', async () => {
    const dir = tmp();
    expect((await labctl(['render', '-i', EXAMPLE, '-o', dir])).code).toBe(0);
    const inv = join(tmp(), 'inv.yaml');
    writeFileSync(
      inv,
      readFileSync(EXAMPLE, 'utf8')
        .replace('version: v1.36.4', 'version: v1.36.4')
        .replace('versions: {}', 'versions: {ingress-nginx: 4.15.0}'),
    );
    const before = readFileSync(join(dir, 'apps/ingress-nginx.yaml'), 'utf8');
    const r = await labctl(['diff', '-i', inv, '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('-      targetRevision: 4.15.1');
    expect(r.stdout).toContain('+      targetRevision: 4.15.0');
    expect(r.stdout).toMatch(/# 0 added, \d+ changed, 0 removed/);
    expect(readFileSync(join(dir, 'apps/ingress-nginx.yaml'), 'utf8')).toBe(before);
  });

  it('never overwrites a file it did not write, and keeps files it does not own', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'labs/os101'), { recursive: true });
    writeFileSync(join(dir, 'labs/os101/shell.yaml'), 'title: mine\n');
    writeFileSync(join(dir, 'README.md'), 'our own readme\n');
    const r = await labctl(['render', '-i', EXAMPLE, '-o', dir]);
    expect(r.code).toBe(1);
    // Never rendered there and not empty: refused as not a site repository (test/layout.cli.test.ts).
    expect(r.stderr).toContain('is not a site repository');
    expect(r.stderr).toContain('README.md');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('our own readme\n');
    expect((await labctl(['render', '-i', EXAMPLE, '-o', dir, '--overwrite'])).code).toBe(0);
    expect(readFileSync(join(dir, 'labs/os101/shell.yaml'), 'utf8')).toBe('title: mine\n');
  });

  it('removes a file it rendered before and no longer renders', async () => {
    const dir = tmp();
    const inv = join(tmp(), 'inv.yaml');
    writeFileSync(inv, readFileSync(fixture('inventory/valid/single-rack.yaml'), 'utf8'));
    expect((await labctl(['render', '-i', inv, '-o', dir])).code).toBe(0);
    expect(existsSync(join(dir, 'components/cert-manager-issuers/manifests/clusterissuer-site-issuer.yaml'))).toBe(
      true,
    );
    const state = JSON.parse(readFileSync(join(dir, '.labctl/rendered.json'), 'utf8')).files as string[];
    expect(state).toContain('apps/argocd.yaml');
    // Pretend an earlier labctl rendered an extra file: it is stale now and goes away.
    writeFileSync(join(dir, 'apps/old.yaml'), 'x\n');
    writeFileSync(join(dir, '.labctl/rendered.json'), JSON.stringify({ files: [...state, 'apps/old.yaml'] }));
    expect((await labctl(['render', '-i', inv, '-o', dir])).code).toBe(0);
    expect(existsSync(join(dir, 'apps/old.yaml'))).toBe(false);
  });

  it('refuses to render an invalid inventory and writes nothing', async () => {
    const dir = join(tmp(), 'out');
    const r = await labctl(['render', '-i', fixture('inventory/invalid/duplicate-address.yaml'), '-o', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('duplicate-address.yaml:23:38');
    expect(existsSync(dir)).toBe(false);
  });
});
