// CRD sources whose upstream keeps its CRDs in Go (scripts/crds/go-import.ts; sources kubevirt-vm and cdi):
// the Go map reader, the CRD shells against upstream's own data, and the ORIGIN notes. Offline: re-making the
// inputs from the Go module needs the module proxy (`generate.ts --check-import <source>`, README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inputDir, pinOf, readInputs, upstreamCrds, wrapSchema } from '../../scripts/crds/generate.ts';
import { goStrings } from '../../scripts/crds/go-import.ts';
import { SOURCES } from '../../scripts/crds/sources.ts';

const source = (name: string) => SOURCES.find((s) => s.name === name)!;

describe('goStrings (the raw strings of a Go map literal)', () => {
  const go = [
    'package components',
    '',
    'var CRDsValidation map[string]string = map[string]string{',
    '\t"a": `openAPIV3Schema:',
    '  type: object',
    '`,',
    '\t"b": `openAPIV3Schema:',
    '  description: a ` + "`" + `quoted` + "`" + ` word',
    '`,',
    '}',
    '',
  ].join('\n');

  it('returns each value byte for byte, with Go backquote escapes undone', () => {
    const m = goStrings(go, 'CRDsValidation');
    expect([...m.keys()]).toEqual(['a', 'b']);
    expect(m.get('a')).toBe('openAPIV3Schema:\n  type: object\n');
    expect(m.get('b')).toBe('openAPIV3Schema:\n  description: a `quoted` word\n');
  });

  it('refuses a file without that map', () => {
    expect(() => goStrings(go, 'CDICRDs')).toThrow(/no map literal var CDICRDs/);
  });
});

describe('kubevirt-vm: bare schemas from validations_generated.go in the CRD shells of crds.go', () => {
  const s = source('kubevirt-vm');

  it('each stored input is one bare openAPIV3Schema, wrapped unchanged', () => {
    const crds = upstreamCrds(s) as any[];
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'virtualmachines.kubevirt.io',
      'virtualmachineclusterinstancetypes.instancetype.kubevirt.io',
    ]);
    for (const [i, input] of readInputs(s, pinOf(s)).entries()) {
      const doc = parse(input.text);
      expect(Object.keys(doc)).toEqual(['openAPIV3Schema']);
      for (const v of crds[i].spec.versions) expect(v.schema).toEqual(doc);
    }
  });

  it("VirtualMachine's versions are the KubeVirt CRD's (both virtv1.ApiSupportedVersions in crds.go)", () => {
    const kv = (upstreamCrds(source('kubevirt')) as any[]).find((c) => c.spec.names.kind === 'KubeVirt');
    const vm = (upstreamCrds(s) as any[]).find((c) => c.spec.names.kind === 'VirtualMachine');
    const shape = (c: any) =>
      c.spec.versions.map((v: any) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        deprecated: !!v.deprecated,
        status: !!v.subresources?.status,
      }));
    expect(shape(vm)).toEqual(shape(kv));
    expect(vm.spec.scope).toBe(kv.spec.scope);
  });

  it('a shell gives the CRD its scope: the cluster-scoped instance type has no namespace in its metadata', () => {
    const crd = wrapSchema(s.shells!['virtualmachineclusterinstancetype.yaml']!, {
      openAPIV3Schema: { type: 'object' },
    }) as any;
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.versions).toEqual([
      { name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    ]);
  });
});

describe('ORIGIN notes of imported sources', () => {
  it.each(SOURCES.filter((s) => s.importer).map((s) => [s.name, s] as const))(
    '%s names the module at the pinned tag and its go.sum hash',
    (_, s) => {
      const origin = readFileSync(join(inputDir(s, pinOf(s)), 'ORIGIN'), 'utf8');
      expect(origin).toMatch(new RegExp(`^module ${s.importer!.module} ${pinOf(s)} h1:[A-Za-z0-9+/]{43}= `));
      if (s.importer!.kind === 'go-strings') expect(origin).toContain(`file ${s.importer!.path} sha256 `);
      else expect(origin).toContain(`controller-gen@${s.importer!.tool}`);
    },
  );

  it('cdi: the stored CRDs are controller-gen output of the pinned tag', () => {
    const s = source('cdi');
    for (const i of readInputs(s, pinOf(s)))
      expect(i.text, i.file).toContain(
        `controller-gen.kubebuilder.io/version: ${(s.importer as { tool: string }).tool}`,
      );
  });
});
