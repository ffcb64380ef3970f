// CRD schemas generated from the pinned upstream CRDs (scripts/crds/): the committed modules are exactly
// what the script makes from the stored inputs, the inputs are the upstream bytes their SHA256SUMS name,
// and the conversion keeps what matters (and can fail where upstream refuses a value).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ajv } from '../../installer/core/schema-check.ts';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { CRD_SCHEMAS } from '../../installer/render/schemas/index.ts';
import { crdSchemas } from '../../scripts/crds/convert.ts';
import { generatedText, inputDir, outputPath, pinOf, readInputs } from '../../scripts/crds/generate.ts';
import { SOURCES } from '../../scripts/crds/sources.ts';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe('generated schema modules', () => {
  it.each(SOURCES.map((s) => [s.name, s] as const))(
    '%s is what scripts/crds/generate.ts makes from the stored inputs',
    (_, s) => {
      expect(readFileSync(outputPath(s), 'utf8')).toBe(generatedText(s));
    },
  );

  it('Gateway API comes from the version pinned in gitops/versions.yaml, standard channel', () => {
    const s = SOURCES.find((x) => x.name === 'gateway-api')!;
    expect(pinOf(s)).toBe(pinnedVersions().components['gateway-api']!.version);
    const text = readFileSync(outputPath(s), 'utf8');
    expect(text).toContain(
      `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${pinOf(s)}/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml`,
    );
    for (const i of readInputs(s, pinOf(s))) {
      expect(i.text).toContain(`gateway.networking.k8s.io/bundle-version: ${pinOf(s)}`);
      expect(i.text).toContain('gateway.networking.k8s.io/channel: standard');
      expect(text).toContain(`sha256 ${i.sha256}`);
    }
  });

  it('every generated schema is registered and compiles in ajv strict mode', () => {
    for (const s of SOURCES) {
      const mod = readFileSync(outputPath(s), 'utf8');
      const keys = [...mod.matchAll(/^ {2}"([^"]+\/[^"]+)": \{$/gm)].map((m) => m[1]!);
      expect(keys.length, s.name).toBeGreaterThan(0);
      for (const k of keys) {
        expect(CRD_SCHEMAS[k], k).toBeDefined();
        expect(() => ajv().compile(CRD_SCHEMAS[k]!), k).not.toThrow();
      }
    }
  });
});

describe('stored upstream inputs', () => {
  const s = SOURCES.find((x) => x.name === 'gateway-api')!;

  it('a changed byte in a stored file is refused with the file named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-inputs-'));
    tmp.push(dir);
    cpSync(inputDir(s, pinOf(s)), dir, { recursive: true });
    const f = join(dir, 'gateway.networking.k8s.io_httproutes.yaml.gz');
    const text = gunzipSync(readFileSync(f)).toString('utf8').replace('maxItems: 16', 'maxItems: 17');
    writeFileSync(f, gzipSync(text));
    expect(() => readInputs(s, pinOf(s), dir)).toThrow(
      /gateway\.networking\.k8s\.io_httproutes\.yaml\.gz: sha256 [0-9a-f]{64} does not match SHA256SUMS/,
    );
    // The untouched copy reads fine: the check is on content, not on the folder.
    expect(readInputs(s, pinOf(s)).length).toBe(s.files.length);
  });
});

describe('conversion from a CRD structural schema', () => {
  const crd = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.example.org' },
    spec: {
      group: 'example.org',
      scope: 'Namespaced',
      names: { kind: 'Thing' },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object', properties: {} } },
        },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                status: { type: 'object' },
                spec: { type: 'object', properties: props, ...extra },
              },
            },
          },
        },
      ],
    },
  });
  const check = (props: Record<string, unknown>, spec: unknown, extra: Record<string, unknown> = {}) => {
    const [x] = crdSchemas(crd(props, extra), 'storage');
    const fn = ajv().compile(x!.schema);
    return fn({ apiVersion: 'example.org/v1', kind: 'Thing', metadata: { name: 'a', namespace: 'b' }, spec })
      ? []
      : fn.errors!.map((e) => `${e.instancePath} ${e.message}`);
  };

  it('keys the storage version by group/version/kind; status and the other versions are left out', () => {
    const out = crdSchemas(crd({}), 'storage');
    expect(out.map((x) => x.key)).toEqual(['example.org/v1/Thing']);
    expect(Object.keys(out[0]!.schema.properties as object)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(crdSchemas(crd({}), 'served').map((x) => x.key)).toEqual([
      'example.org/v1alpha1/Thing',
      'example.org/v1/Thing',
    ]);
  });

  it('objects are closed, preserve-unknown-fields ones stay open', () => {
    expect(check({ a: { type: 'string' } }, { b: 1 })).toEqual(['/spec must NOT have additional properties']);
    expect(check({ a: { type: 'string' } }, { b: 1 }, { 'x-kubernetes-preserve-unknown-fields': true })).toEqual([]);
  });

  it('int-or-string takes both, with the pattern on the string only', () => {
    const q = { q: { 'x-kubernetes-int-or-string': true, pattern: '^[0-9]+Mi$' } };
    expect(check(q, { q: 5 })).toEqual([]);
    expect(check(q, { q: '5Mi' })).toEqual([]);
    expect(check(q, { q: '5 apples' }).length).toBeGreaterThan(0);
  });

  it("RE2's (?i) becomes a case-insensitive JavaScript pattern", () => {
    const p = { a: { type: 'string', pattern: '^(?i)(abort|warn)?$' } };
    expect(check(p, { a: 'Abort' })).toEqual([]);
    expect(check(p, { a: 'WARN' })).toEqual([]);
    expect(check(p, { a: 'drop' })).toEqual([
      '/spec/a must match pattern "^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$"',
    ]);
  });

  it('OpenAPI 3.0 exclusive bounds and nullable are translated, CEL rules counted', () => {
    const n = {
      n: { type: 'integer', minimum: 0, exclusiveMinimum: true, 'x-kubernetes-validations': [{ rule: 'self > 1' }] },
      s: { type: 'string', nullable: true },
    };
    expect(check(n, { n: 0 })).toEqual(['/spec/n must be > 0']);
    expect(check(n, { n: 1, s: null })).toEqual([]);
    expect(crdSchemas(crd(n), 'storage')[0]!.dropped.celRules).toBe(1);
  });

  it("the metadata of the project schemas replaces the CRD's open one: a bad name is refused", () => {
    const [x] = crdSchemas(crd({}), 'storage');
    const fn = ajv().compile(x!.schema);
    expect(fn({ apiVersion: 'example.org/v1', kind: 'Thing', metadata: { name: 'a' }, spec: {} })).toBe(false);
    expect(fn.errors!.map((e) => e.message)).toContain("must have required property 'namespace'");
  });
});
