// The precompiled validators (installer/validators/*.ts, ajv standalone code made by `npm run schema`)
// must be current and must judge exactly as the schemas compiled at run time do: same verdict, same
// errors, on the example, the fixtures and mutants of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS, compile, schemaKey } from '../installer/core/schema-check.ts';
import { CRD_DIR, GROUPS, crdValidatorFiles, validatorFile, validatorText } from '../installer/validators/emit.ts';
import { validators as inventoryValidators } from '../installer/validators/inventory.ts';
import { validators as labValidators } from '../installer/validators/labs.ts';
import { validators as imageValidators } from '../installer/validators/images.ts';
import { CRD_VALIDATORS } from '../installer/validators/crds/index.ts';
import { inventorySchema } from '../installer/inventory/schema/index.ts';
import { labSchema, rosterSchema } from '../installer/labs/schema.ts';
import { imageSchema } from '../installer/images/schema.ts';
import { CRD_SCHEMAS } from '../installer/render/schemas/index.ts';
import { requireSite } from '../installer/inventory/validate.ts';
import { readRenderInputs } from '../installer/render/inputs.ts';
import { renderSite } from '../installer/render/render.ts';
import { MODELS } from '../installer/render/validate-objects.ts';
import type { K8sObject } from '../installer/render/model.ts';
import { repoPath } from '../installer/core/paths.ts';

const fresh = (schema: object) => new Ajv2020(AJV_OPTIONS).compile(schema);
const errs = (fn: ValidateFunction, data: unknown) => {
  const ok = fn(data);
  const list = (fn.errors ?? []).map((e: ErrorObject) => ({
    instancePath: e.instancePath,
    schemaPath: e.schemaPath,
    keyword: e.keyword,
    params: e.params,
    message: e.message,
  }));
  return { ok, list, parents: (fn.errors ?? []).map((e) => JSON.stringify(e.parentSchema)) };
};

/** Deterministic mutants of a document: every node given a wrong type, every mapping an unknown key and one key fewer. */
function* mutants(doc: unknown, limit: number): Generator<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(doc, []);
  const at = (root: any, p: (string | number)[]) => p.reduce((o, k) => o[k], root);
  let n = 0;
  for (const p of paths) {
    if (n >= limit) return;
    const v = at(doc, p);
    const variants: ((x: any, parent: any, key: string | number | undefined) => void)[] = [
      (_x, parent, key) => {
        if (parent)
          parent[key!] =
            typeof v === 'string'
              ? 12345
              : typeof v === 'number'
                ? 'x y'
                : Array.isArray(v)
                  ? { a: 1 }
                  : v && typeof v === 'object'
                    ? ['a']
                    : 'Q';
      },
      (x) => {
        if (x && typeof x === 'object' && !Array.isArray(x)) x.unknownKeyXyz = 1;
      },
      (x) => {
        if (x && typeof x === 'object' && !Array.isArray(x)) {
          const k = Object.keys(x)[0];
          if (k) delete x[k];
        }
      },
    ];
    for (const mutate of variants) {
      const copy = structuredClone(doc) as any;
      const parent = p.length ? at(copy, p.slice(0, -1)) : undefined;
      mutate(at(copy, p), parent, p.at(-1));
      n++;
      yield copy;
    }
  }
}

function agree(schema: object, pre: ValidateFunction, docs: Iterable<unknown>): { checked: number; invalid: number } {
  const runtime = fresh(schema);
  let checked = 0,
    invalid = 0;
  for (const d of docs) {
    const a = errs(pre, d),
      b = errs(runtime, d);
    expect(a).toEqual(b);
    checked++;
    if (!a.ok) invalid++;
  }
  return { checked, invalid };
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => join(e.parentPath, e.name));
const load = (f: string) => {
  try {
    return parse(readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
};

describe('precompiled validators', () => {
  it.each(Object.keys(GROUPS))('installer/validators/%s.ts is up to date (run npm run schema)', (group) => {
    expect(readFileSync(validatorFile(group), 'utf8')).toBe(validatorText(group));
  });

  it('installer/validators/crds/ holds exactly one up-to-date module per CRD kind and their index (run npm run schema)', () => {
    const want = crdValidatorFiles();
    const have = readdirSync(repoPath(CRD_DIR))
      .map((f) => `${CRD_DIR}/${f}`)
      .sort();
    expect(have).toEqual([...want.keys()].sort());
    for (const [rel, text] of want) expect(readFileSync(repoPath(rel), 'utf8'), rel).toBe(text);
    expect(want.size).toBe(Object.keys(CRD_SCHEMAS).length + 1);
  });

  it('compile() takes the precompiled validator of an unchanged schema, and never one of an edited schema', () => {
    expect(compile(inventorySchema, inventoryValidators)).toBe(inventoryValidators[schemaKey(inventorySchema)]);
    // A schema edited after generation (here: site names may no longer contain digits) is compiled instead.
    const edited = structuredClone(inventorySchema) as any;
    edited.properties.site.properties.name.pattern = '^[a-z-]+$';
    const fn = compile(edited, inventoryValidators);
    expect(Object.values(inventoryValidators)).not.toContain(fn);
    const example = parse(readFileSync(repoPath('inventory.example.yaml'), 'utf8'));
    example.site.name = 'lab2';
    expect(fn(example)).toBe(false);
    expect(fn.errors?.[0]?.instancePath).toBe('/site/name');
    // The precompiled one (the schema as generated) accepts it: it is indeed a different validator.
    expect(compile(inventorySchema, inventoryValidators)(example)).toBe(true);
  });

  it('the inventory validator agrees with ajv at run time on the example, every fixture and every mutant of the example', () => {
    const pre = inventoryValidators[schemaKey(inventorySchema)]!;
    const example = parse(readFileSync(repoPath('inventory.example.yaml'), 'utf8'));
    const fixtures = yamlFiles(repoPath('test/fixtures/inventory'))
      .map(load)
      .filter((d) => d !== undefined);
    expect(fixtures.length).toBeGreaterThan(20);
    const r = agree(inventorySchema, pre, [example, ...fixtures, ...mutants(example, 5000)]);
    expect(r.checked).toBeGreaterThan(1000);
    expect(r.invalid).toBeGreaterThan(400); // the mutants do break the schema
    // The comparison can fail: a validator made with other options (first error only) is caught.
    const weakened = new Ajv2020({ ...AJV_OPTIONS, allErrors: false }).compile(inventorySchema);
    expect(() => agree(inventorySchema, weakened, mutants(example, 5000))).toThrow();
  });

  it('the lab, roster and image validators agree with ajv at run time on fixtures, catalog and mutants', () => {
    const labs = yamlFiles(repoPath('test/fixtures/labs'))
      .filter((f) => !f.endsWith('roster.yaml'))
      .map(load);
    const rosters = yamlFiles(repoPath('test/fixtures/labs'))
      .filter((f) => f.endsWith('roster.yaml'))
      .map(load);
    const images = yamlFiles(repoPath('images'))
      .filter((f) => f.endsWith('image.yaml'))
      .map(load);
    expect(labs.length).toBeGreaterThan(5);
    expect(images.length).toBeGreaterThan(1);
    const lab = agree(labSchema, labValidators[schemaKey(labSchema)]!, [
      ...labs,
      ...labs.slice(0, 4).flatMap((l) => [...mutants(l, 400)]),
    ]);
    const roster = agree(rosterSchema, labValidators[schemaKey(rosterSchema)]!, [
      ...rosters,
      ...mutants(rosters[0], 100),
    ]);
    const image = agree(imageSchema, imageValidators[schemaKey(imageSchema)]!, [...images, ...mutants(images[0], 300)]);
    expect(lab.invalid).toBeGreaterThan(50);
    expect(roster.invalid).toBeGreaterThan(5);
    expect(image.invalid).toBeGreaterThan(25);
  });

  it('every CRD validator agrees with ajv at run time on the objects the example renders and their mutants', async () => {
    const v = requireSite(repoPath('inventory.example.yaml'));
    if (!('site' in v)) throw new Error('example invalid');
    const r = await renderSite(v.site, readRenderInputs(v.site));
    const objects: K8sObject[] = r.components.flatMap((c) => [
      ...(c.manifests ?? []),
      ...(c.files ?? []).flatMap((f) => f.objects ?? []),
    ]);
    const kinds = new Set<string>();
    for (const o of objects) {
      const key = `${o.apiVersion}/${o.kind}`;
      const schema = CRD_SCHEMAS[key];
      if (!schema || kinds.has(key)) continue;
      kinds.add(key);
      const pre = (await CRD_VALIDATORS[key]!()).validators[schemaKey(schema)];
      expect(pre, key).toBeTypeOf('function');
      const res = agree(schema, pre!, [o, ...mutants(JSON.parse(JSON.stringify(o)), 150)]);
      expect(res.invalid, key).toBeGreaterThan(0);
    }
    expect(kinds.size).toBeGreaterThan(8);
    // And every CRD schema has its precompiled validator, in its own module, rendered by the example or not.
    for (const [key, schema] of Object.entries(CRD_SCHEMAS)) {
      const mod = (await CRD_VALIDATORS[key]?.())?.validators;
      expect(mod?.[schemaKey(schema)], key).toBeTypeOf('function');
      expect(Object.keys(mod ?? {}), key).toHaveLength(1);
    }
  });

  it('the model table bundled into the CLI maps every kind to the very module its computed path names', async () => {
    const pkgOf = (apiVersion: string) =>
      apiVersion.startsWith('argoproj.io/')
        ? '@kubernetes-models/argo-cd'
        : apiVersion.startsWith('cert-manager.io/')
          ? '@kubernetes-models/cert-manager'
          : 'kubernetes-models';
    for (const [key, load] of Object.entries(MODELS)) {
      const kind = key.split('/').at(-1)!;
      const apiVersion = key.slice(0, -kind.length - 1);
      const viaTable = (await load())[kind];
      expect(viaTable, key).toBeTypeOf('function');
      expect(viaTable, key).toBe((await import(`${pkgOf(apiVersion)}/${apiVersion}/${kind}`))[kind]);
    }
    // Every core, ArgoCD and cert-manager kind the example renders is in the table (so in the bundle).
    const v = requireSite(repoPath('inventory.example.yaml'));
    if (!('site' in v)) throw new Error('example invalid');
    const r = await renderSite(v.site, readRenderInputs(v.site));
    const rendered = new Set(
      r.components
        .flatMap((c) => [...(c.manifests ?? []), ...(c.files ?? []).flatMap((f) => f.objects ?? [])])
        .map((o) => `${o.apiVersion}/${o.kind}`)
        .filter((k) => !CRD_SCHEMAS[k]),
    );
    expect([...rendered].filter((k) => !MODELS[k])).toEqual([]);
  });
});
