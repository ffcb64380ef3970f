// The path of a lab file through the rendered site repository: the ApplicationSet's Git files generator
// picks it up, its Application points helm at the chart copy with the roster and the lab file as values,
// and the result is validated objects. ArgoCD itself does not run here: the generator's glob and the Go
// template expressions the ApplicationSet uses are evaluated by this test (it fails on any expression
// it does not know), and the real helm renders what the Application would.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labctlVersion } from '../../installer/core/build-info.ts';
import { parse, parseAllDocuments } from 'yaml';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import { validateObjects } from '../../installer/render/validate-objects.ts';
import { toYaml } from '../../installer/render/yaml.ts';
import { pinnedVersions } from '../../installer/core/versions.ts';
import type { K8sObject } from '../../installer/render/model.ts';
import { ROOT } from '../helpers.ts';
import { VALID, byKind, exampleCtx, globRe, instantiate, template, tmp } from './helpers.ts';

let result: RenderResult;
let repo: string;
beforeAll(async () => {
  result = await renderSite(exampleCtx().site, exampleCtx());
  repo = tmp('site');
  for (const [p, c] of result.files) {
    mkdirSync(dirname(join(repo, p)), { recursive: true });
    writeFileSync(join(repo, p), c);
  }
  cpSync(join(VALID, 'netsec'), join(repo, 'labs/netsec'), { recursive: true });
  cpSync(join(VALID, 'os101'), join(repo, 'labs/os101'), { recursive: true });
}, 120_000);
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const file = (p: string) => {
  const c = result.files.get(p);
  if (c === undefined) throw new Error(`${p} not rendered`);
  return c;
};
const objects = (p: string) => parseAllDocuments(file(p)).map((d) => d.toJS() as K8sObject);

describe('the rendered site repository', () => {
  it('renders KubeVirt and CDI from the pinned release manifests, their CRs and the instance types', () => {
    const v = pinnedVersions().components;
    expect(parse(file('components/kubevirt/kustomization.yaml')).resources).toEqual([
      `${v.kubevirt!.manifests}/${v.kubevirt!.version}/kubevirt-operator.yaml`,
    ]);
    expect(parse(file('components/cdi/kustomization.yaml')).resources).toEqual([
      `${v.cdi!.manifests}/${v.cdi!.version}/cdi-operator.yaml`,
    ]);
    const kv = objects('components/kubevirt-config/manifests/kubevirt-kubevirt-kubevirt.yaml')[0] as any;
    expect(kv.spec.configuration.developerConfiguration).toMatchObject({
      cpuAllocationRatio: 4,
      memoryOvercommit: 100,
    });
    expect(kv.spec.uninstallStrategy).toBe('BlockUninstallIfWorkloadsExist');
    expect(
      (objects('components/kubevirt-config/manifests/cdi-cdi.yaml')[0] as any).spec.config.scratchSpaceStorageClass,
    ).toBe('ceph-block');
    expect(
      (objects('components/kubevirt-config/manifests/virtualmachineclusterinstancetype-lab-large.yaml')[0] as any).spec,
    ).toEqual({ cpu: { guest: 4 }, memory: { guest: '8Gi' } });
    const config = parse(file('apps/kubevirt-config.yaml'));
    expect(config.spec.syncPolicy.syncOptions).toContain('SkipDryRunOnMissingResource=true');
    expect(Number(config.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(
      Number(parse(file('apps/kubevirt.yaml')).metadata.annotations['argocd.argoproj.io/sync-wave']),
    );
  });

  it('copies charts/vm-lab byte for byte and ships the lab schemas, a README and both CI pipelines', () => {
    for (const p of ['Chart.yaml', 'values.yaml', 'templates/students.yaml', 'templates/_helpers.tpl']) {
      expect(file(`charts/vm-lab/${p}`)).toBe(readFileSync(join(ROOT, 'charts/vm-lab', p), 'utf8'));
    }
    expect(JSON.parse(file('labs/lab.schema.json')).title).toBe('labctl lab template');
    expect(file('labs/README.md')).toContain(
      '| netsec | Network Security | course-netsec-staff | course-netsec-students |',
    );
    const gl = parse(file('.gitlab-ci.yml'));
    expect(gl.labs.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(gl.labs.image).toEqual({
      name: `harbor.lab.example.edu/platform/labctl:${labctlVersion()}`,
      entrypoint: [''],
    });
    expect(gl.labs.script).toEqual([
      'labctl version',
      'labctl labs validate -i "$LABCTL_INVENTORY" --labs labs',
      'labctl labs capacity -i "$LABCTL_INVENTORY" --labs labs',
      'labctl render -i "$LABCTL_INVENTORY" -o . --check',
    ]);
    const gh = parse(file('.github/workflows/labs.yaml'));
    expect(Object.keys(gh.on)).toEqual(['pull_request']);
    expect(gh.jobs.labs.container.image).toBe(`harbor.lab.example.edu/platform/labctl:${labctlVersion()}`);
    expect(gh.jobs.labs.steps.map((s: any) => s.name ?? s.uses)).toEqual([
      'actions/checkout@v4',
      'labctl version',
      'labs validate',
      'labs capacity',
      'render --check',
    ]);
  });

  it('renders the ApplicationSet and its AppProject as validated objects under apps/ (synced by the root Application)', async () => {
    const objs = objects('apps/labs-applicationset.yaml');
    // One AppProject per course of the inventory (netsec, os101), then the ApplicationSet.
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'AppProject/course-netsec',
      'AppProject/course-os101',
      'ApplicationSet/labs',
    ]);
    expect(await validateObjects(objs.map((object) => ({ object, file: 'apps/labs-applicationset.yaml' })))).toEqual(
      [],
    );
    const root = objects('bootstrap/root.yaml').find((o) => o.kind === 'AppProject') as any;
    expect(root.spec.namespaceResourceWhitelist).toContainEqual({ group: 'argoproj.io', kind: 'ApplicationSet' });
  });

  it('turns every lab file (not roster.yaml) into an Application whose helm render is valid objects for every student', async () => {
    const appset = objects('apps/labs-applicationset.yaml').find((o) => o.kind === 'ApplicationSet') as any;
    const gen = appset.spec.generators[0].git;
    const include = gen.files.filter((f: any) => !f.exclude).map((f: any) => globRe(f.path));
    const exclude = gen.files.filter((f: any) => f.exclude).map((f: any) => globRe(f.path));
    const candidates = [
      'labs/netsec/firewalls.yaml',
      'labs/netsec/scanning.yaml',
      'labs/netsec/roster.yaml',
      'labs/os101/shell.yaml',
      'labs/README.md',
      'labs/lab.schema.json',
    ];
    const picked = candidates.filter(
      (p) =>
        existsSync(join(repo, p)) && include.some((r: RegExp) => r.test(p)) && !exclude.some((r: RegExp) => r.test(p)),
    );
    expect(picked).toEqual(['labs/netsec/firewalls.yaml', 'labs/netsec/scanning.yaml', 'labs/os101/shell.yaml']);

    const vmsPerApp: Record<string, number> = {};
    const projectPerApp: Record<string, [string, string]> = {};
    for (const p of picked) {
      const app = instantiate(appset.spec.template, {
        path: posix.dirname(p),
        basename: posix.basename(posix.dirname(p)),
        filename: posix.basename(p),
      }) as any;
      const src = app.spec.source;
      expect(src.repoURL).toBe(appset.spec.generators[0].git.repoURL);
      const chart = join(repo, src.path);
      // ArgoCD resolves valueFiles relative to the chart path, skips missing ones (ignoreMissingValueFiles), then applies valuesObject.
      const values = src.helm.valueFiles.map((v: string) => join(chart, v)).filter((f: string) => existsSync(f));
      expect(values.every((f: string) => !relative(repo, f).startsWith('..'))).toBe(true);
      const vo = join(repo, `.values-object-${src.helm.releaseName}.yaml`);
      writeFileSync(vo, toYaml(src.helm.valuesObject, { object: false }));
      const objs = await template(src.helm.releaseName, app.spec.destination.namespace, [...values, vo], chart);
      const diags = await validateObjects(objs.map((object) => ({ object, file: p })));
      expect(diags.map((d) => d.message)).toEqual([]);
      vmsPerApp[`${app.metadata.name} -> ${app.spec.destination.namespace}`] = byKind(objs, 'VirtualMachine').length;
      projectPerApp[app.metadata.name] = [app.spec.project, src.helm.valuesObject.course];
    }
    expect(projectPerApp).toEqual({
      'lab-netsec.firewalls': ['course-netsec', 'netsec'],
      'lab-netsec.scanning': ['course-netsec', 'netsec'],
      'lab-os101.shell': ['course-os101', 'os101'],
    });
    expect(vmsPerApp).toEqual({
      'lab-netsec.firewalls -> course-netsec-firewalls': 3,
      'lab-netsec.scanning -> course-netsec-scanning': 4,
      'lab-os101.shell -> course-os101-shell': 1,
    });
  });

  it("keeps students' VMs when ArgoCD reconciles: runStrategy is ignored, resources stay when a lab file goes", () => {
    const appset = objects('apps/labs-applicationset.yaml').find((o) => o.kind === 'ApplicationSet') as any;
    expect(appset.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    expect(appset.spec.template.spec.ignoreDifferences).toEqual([
      { group: 'kubevirt.io', kind: 'VirtualMachine', jsonPointers: ['/spec/runStrategy'] },
    ]);
    expect(appset.spec.template.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });
});
