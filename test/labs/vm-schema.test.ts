// The lab VMs and disks charts/vm-lab renders (real helm) against the KubeVirt and CDI schemas generated
// from the pinned upstream CRDs (scripts/crds, sources kubevirt-vm and cdi): what the chart writes passes,
// and a misspelt field, a wrong type, a field the generated schema leaves out (sources.ts `omit`) or a
// missing required field is refused, naming the field. The same objects on a real kube-apiserver with the
// real CRDs: test/kube/golden-apply.test.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { K8sObject } from '../../installer/render/model.ts';
import { validateObjects } from '../../installer/render/validate-objects.ts';
import { KUBEVIRT_VM_SCHEMAS } from '../../installer/render/schemas/generated/kubevirt-vm.ts';
import { CDI_SCHEMAS } from '../../installer/render/schemas/generated/cdi.ts';
import { CRD_SCHEMAS } from '../../installer/render/schemas/index.ts';
import { VALID, byKind, siteValuesFile, template, tmp } from './helpers.ts';

let dir: string;
let persistent: K8sObject[];
let ephemeral: K8sObject[];
beforeAll(async () => {
  dir = tmp('vm-schema');
  const site = siteValuesFile(dir);
  persistent = await template('firewalls', 'course-x-firewalls', [site, join(VALID, 'netsec/firewalls.yaml')]);
  ephemeral = await template('scanning', 'course-x-scanning', [
    site,
    join(VALID, 'netsec/roster.yaml'),
    join(VALID, 'netsec/scanning.yaml'),
  ]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problems = async (o: K8sObject) =>
  (await validateObjects([{ object: o, file: 'helm-template' }])).map((d) => `${d.path}: ${d.message}`);
const copy = (o: K8sObject) => structuredClone(o) as K8sObject & { spec: any };

describe('lab VMs and disks against the generated upstream schemas', () => {
  it('the kinds the chart writes are checked by the generated schemas, not hand-written ones', () => {
    for (const k of [
      'kubevirt.io/v1/VirtualMachine',
      'instancetype.kubevirt.io/v1beta1/VirtualMachineClusterInstancetype',
    ])
      expect(CRD_SCHEMAS[k], k).toBe(KUBEVIRT_VM_SCHEMAS[k]);
    for (const k of ['DataVolume', 'DataSource', 'DataImportCron', 'CDI'])
      expect(CRD_SCHEMAS[`cdi.kubevirt.io/v1beta1/${k}`], k).toBe(CDI_SCHEMAS[`cdi.kubevirt.io/v1beta1/${k}`]);
  });

  it('every VirtualMachine and DataVolume the chart renders passes', async () => {
    const objs = [...persistent, ...ephemeral].filter((o) => o.kind === 'VirtualMachine' || o.kind === 'DataVolume');
    expect(byKind(persistent, 'VirtualMachine').length).toBeGreaterThan(0);
    expect(byKind(ephemeral, 'DataVolume')).toHaveLength(1);
    expect(await validateObjects(objs.map((object) => ({ object, file: 'helm-template' })))).toEqual([]);
  });

  it('a misspelt field in a VM is refused, naming the object and where', async () => {
    const vm = copy(byKind(persistent, 'VirtualMachine')[0]!);
    const nic = vm.spec.template.spec.domain.devices.interfaces[0];
    nic.masquarade = nic.masquerade;
    delete nic.masquerade;
    expect(await problems(vm)).toEqual([
      `spec.template.spec.domain.devices.interfaces[0]: VirtualMachine course-x-firewalls/${vm.metadata.name}: must NOT have additional properties (masquarade)`,
    ]);
  });

  it('a wrong type in a VM is refused', async () => {
    const vm = copy(byKind(persistent, 'VirtualMachine')[0]!);
    vm.spec.template.spec.terminationGracePeriodSeconds = 'sixty';
    vm.spec.template.spec.domain.devices.autoattachSerialConsole = 'yes';
    const p = await problems(vm);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spec\.template\.spec\.terminationGracePeriodSeconds: .*must be integer$/),
        expect.stringMatching(/^spec\.template\.spec\.domain\.devices\.autoattachSerialConsole: .*must be boolean$/),
      ]),
    );
    // In the disk each VM clones: an array written as a string.
    const dvt = copy(byKind(persistent, 'VirtualMachine')[0]!);
    dvt.spec.dataVolumeTemplates[0].spec.storage.accessModes = 'ReadWriteOnce';
    expect(await problems(dvt)).toEqual([
      `spec.dataVolumeTemplates[0].spec.storage.accessModes: VirtualMachine course-x-firewalls/${dvt.metadata.name}: must be array`,
    ]);
  });

  it('a field the generated schema leaves out (sources.ts omit) is refused, not passed unchecked', async () => {
    const vm = copy(byKind(persistent, 'VirtualMachine')[0]!);
    vm.spec.template.spec.affinity = { nodeAffinity: {} };
    expect(await problems(vm)).toEqual([
      `spec.template.spec: VirtualMachine course-x-firewalls/${vm.metadata.name}: must NOT have additional properties (affinity)`,
    ]);
  });

  it('a DataVolume with a misspelt storage field or without a sourceRef kind is refused', async () => {
    const dv = copy(byKind(ephemeral, 'DataVolume')[0]!);
    dv.spec.storage.storageClass = dv.spec.storage.storageClassName;
    delete dv.spec.storage.storageClassName;
    delete dv.spec.sourceRef.kind;
    const p = await problems(dv);
    expect(p).toEqual(
      expect.arrayContaining([
        'spec.storage: DataVolume course-x-scanning/golden: must NOT have additional properties (storageClass)',
        "spec.sourceRef: DataVolume course-x-scanning/golden: must have required property 'kind'",
      ]),
    );
  });
});
