// The rendered image catalog: a DataImportCron + DataSource per image in vm-images, validated against
// the CDI schemas (written from CDI's API types). No Kubernetes API server or CDI runs here: these tests
// check the objects, not an import.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { listImages } from '../../installer/images/catalog.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderContext, renderSite } from '../../installer/render/render.ts';
import { images, imageObjects, pollSchedule, PULL_SECRET } from '../../installer/render/components/images/index.ts';
import { validateObjects } from '../../installer/render/validate-objects.ts';
import type { Component, K8sObject } from '../../installer/render/model.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';

function exampleSite(): Site {
  const r = requireSite(EXAMPLE);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  return r.site;
}
const catalog = listImages(`${ROOT}/images`);

describe('vm-images component', () => {
  it('renders, for the example site, a DataImportCron and a managed DataSource per catalog image', async () => {
    const site = exampleSite();
    const result = await renderSite(site, readRenderInputs(site));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const files = [...result.files.keys()].filter((p) => p.startsWith('components/vm-images/'));
    expect(files).toEqual(
      catalog.images
        .flatMap((i) => [`components/vm-images/manifests/dataimportcron-vm-images-${i.name}.yaml`])
        .concat(catalog.images.map((i) => `components/vm-images/manifests/datasource-vm-images-${i.name}.yaml`))
        .sort(),
    );
    for (const img of catalog.images) {
      const [cron] = parseAllDocuments(
        result.files.get(`components/vm-images/manifests/dataimportcron-vm-images-${img.name}.yaml`)!,
      ).map((d) => d.toJS());
      expect(cron.spec.template.spec.source.registry).toEqual({
        url: `docker://${site.hosts.harbor}/labs/${img.name}:${img.version}`,
        pullMethod: 'pod',
        secretRef: PULL_SECRET,
      });
      expect(cron.spec.managedDataSource).toBe(img.name);
      expect(cron.spec.template.spec.storage.resources.requests.storage).toBe(`${img.definition.minDiskGiB}Gi`);
      const [ds] = parseAllDocuments(
        result.files.get(`components/vm-images/manifests/datasource-vm-images-${img.name}.yaml`)!,
      ).map((d) => d.toJS());
      // CDI only updates a DataSource carrying this label with the cron's name.
      expect(ds.metadata.labels['cdi.kubevirt.io/dataImportCron']).toBe(cron.metadata.name);
      expect(ds.metadata.namespace).toBe('vm-images');
    }
    const app = parseAllDocuments(result.files.get('apps/vm-images.yaml')!)[0]!.toJS();
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('15');
    expect(app.spec.ignoreDifferences).toEqual([
      { group: 'cdi.kubevirt.io', kind: 'DataSource', jsonPointers: ['/spec/source'] },
    ]);
    expect(app.spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(['RespectIgnoreDifferences=true', 'SkipDryRunOnMissingResource=true']),
    );
  });

  it('asks for the Harbor pull credentials as a site-supplied secret (the example project is private), never a value', () => {
    const c = images(renderContext(exampleSite(), readRenderInputs(exampleSite()))) as Component;
    expect(c.secrets!.map((s) => [s.namespace, s.name, s.key, s.generate.kind])).toEqual([
      ['vm-images', PULL_SECRET, 'accessKeyId', 'external'],
      ['vm-images', PULL_SECRET, 'secretKey', 'external'],
    ]);
    expect(JSON.stringify(c.manifests)).not.toMatch(/password|token/i);
  });

  it('a public labs project needs no pull secret', () => {
    const site = exampleSite();
    const pub: Site = { ...site, registry: { ...site.registry, projects: [{ name: 'labs', public: true }] } };
    const c = images(renderContext(pub, readRenderInputs(exampleSite()))) as Component;
    expect(c.secrets).toEqual([]);
    const cron = c.manifests!.find((m) => m.kind === 'DataImportCron')!;
    expect((cron.spec as any).template.spec.source.registry.secretRef).toBeUndefined();
  });

  it('a site without a labs project gets a clear error', () => {
    const site = exampleSite();
    const none: Site = { ...site, registry: { ...site.registry, projects: [{ name: 'platform', public: false }] } };
    expect(() => images(renderContext(none, readRenderInputs(exampleSite())))).toThrow(
      /registry\.projects has no project "labs"; lab images are pushed to harbor\.lab\.example\.edu\/labs\/<name>/,
    );
  });

  it('the CDI schemas accept our objects and reject a wrong one (the check can fail)', async () => {
    const img = catalog.images[0]!;
    const objs = imageObjects(img, 'harbor.example.edu');
    expect(await validateObjects(objs.map((object) => ({ object, file: 'x.yaml' })))).toEqual([]);
    // The schemas are CDI's own CRDs (scripts/crds, source cdi): a misspelt field, a wrong type, a missing
    // required field. (pullMethod's values and the cron syntax are checked by CDI's webhook, not its CRD.)
    const bad = structuredClone(objs[0]!) as K8sObject & { spec: any };
    bad.spec.template.spec.source.registry.pullMetod = 'pod';
    bad.spec.importsToKeep = 'two';
    delete bad.spec.managedDataSource;
    const diags = await validateObjects([{ object: bad, file: 'bad.yaml' }]);
    expect(diags.map((d) => `${d.path}: ${d.message}`)).toEqual(
      expect.arrayContaining([
        `spec.template.spec.source.registry: DataImportCron vm-images/${img.name}: must NOT have additional properties (pullMetod)`,
        `spec.importsToKeep: DataImportCron vm-images/${img.name}: must be integer`,
        `spec: DataImportCron vm-images/${img.name}: must have required property 'managedDataSource'`,
      ]),
    );
  });

  it('spreads the hourly polls by name, deterministically', () => {
    expect(pollSchedule('netlab')).toBe(pollSchedule('netlab'));
    expect(pollSchedule('netlab')).toMatch(/^([0-5]?[0-9]) \* \* \* \*$/);
    const minutes = new Set(catalog.images.map((i) => pollSchedule(i.name)));
    expect(minutes.size).toBe(catalog.images.length);
  });
});
