// Velero's objects (components/velero) on a real kube-apiserver with the REAL upstream Velero v1.18.1 CRDs
// installed (the stored inputs of scripts/crds, source velero), server-side applied with strict field
// validation as ArgoCD syncs them: the storage location, both Schedules (namespace globs, the opted-out
// course excluded) and a Backup and Restore as the backup CLI would send them. The API server also checks
// what ajv leaves out (formats). Not here: Velero itself (no controller runs, nothing is backed up).
import { beforeAll, describe, expect, it } from 'vitest';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import type { Component, K8sObject } from '../../installer/render/model.ts';
import { renderContext } from '../../installer/render/render.ts';
import { velero } from '../../installer/render/components/velero/index.ts';
import { upstreamCrds } from '../../scripts/crds/generate.ts';
import { SOURCES } from '../../scripts/crds/sources.ts';
import { EXAMPLE } from '../helpers.ts';
import { applyObjects } from './apply.ts';
import { kubectlOk, waitEstablished } from './client.ts';

let objects: K8sObject[];

beforeAll(async () => {
  const v = requireSite(EXAMPLE);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  const site = {
    ...v.site,
    backup: v.site.backup, // the example's, defaults filled in
    labs: { ...v.site.labs, courses: [{ name: 'net' }, { name: 'net-sec', backup: false }, { name: 'os101' }] },
  } as Site;
  const c = velero(renderContext(site, readRenderInputs(site))) as Component;
  objects = c.manifests ?? [];
  const crds = upstreamCrds(SOURCES.find((s) => s.name === 'velero')!) as K8sObject[];
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=velero-test', '-f', '-'], {
    stdin: crds.map((x) => JSON.stringify(x)).join('\n'),
  });
  await waitEstablished(crds.map((c) => c.metadata.name));
  const r = await applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'velero' } } as K8sObject]);
  if (r.refused.length) throw new Error(r.refused.join('\n'));
}, 180_000);

describe('velero objects on kube-apiserver with the upstream CRDs (server-side apply, strict validation)', () => {
  it('the storage location and both Schedules are accepted as rendered', async () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'BackupStorageLocation/default',
      'Schedule/platform',
      'Schedule/labs',
    ]);
    const r = await applyObjects(objects);
    expect(r.refused).toEqual([]);
    expect(r.ok).toBe(3);
    const got = await kubectlOk([
      'get',
      'schedules.velero.io',
      '-n',
      'velero',
      'labs',
      '-o',
      'jsonpath={.spec.template.includedNamespaces} {.spec.template.excludedNamespaces}',
    ]);
    expect(got).toBe('["course-net-*","course-os101-*"] ["course-net-sec-*"]');
  });

  it('a Backup from the platform schedule and a Restore of it are accepted; a misspelt field is refused (the check can fail)', async () => {
    const template = (objects[1]!.spec as { template: Record<string, unknown> }).template;
    const backup = {
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name: 'platform-now', namespace: 'velero', labels: { 'velero.io/schedule-name': 'platform' } },
      spec: template,
    } as K8sObject;
    const restore = {
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      metadata: { name: 'platform-now-restore', namespace: 'velero' },
      spec: { backupName: 'platform-now', includedNamespaces: ['keycloak'], restorePVs: true },
    } as K8sObject;
    expect((await applyObjects([backup, restore])).refused).toEqual([]);
    const bad = structuredClone(backup) as K8sObject & { spec: Record<string, unknown> };
    bad.metadata.name = 'misspelt';
    bad.spec.defaultVolumesToFsBackupp = true;
    expect((await applyObjects([bad])).refused.join('\n')).toMatch(
      /spec.defaultVolumesToFsBackupp: field not declared in schema/,
    );
  });
});
