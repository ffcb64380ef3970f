// The render engine's YAML writer (installer/render/yaml.ts) builds its text directly instead of through
// `yaml`'s Document (most of a render's time went there). The output must not move by a byte: here the
// direct writer is held to the Document-based reference on every object the golden sites render and on
// a corpus of awkward keys and values at every depth and position.
import { describe, expect, it } from 'vitest';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import { toYaml, toYamlReference } from '../../installer/render/yaml.ts';
import { EXAMPLE, fixture } from '../helpers.ts';

// Strings `yaml` writes plain, quoted (single or double), as block scalars (every chomping), escaped,
// or quoted because a YAML 1.1 reader would take them for something else.
const STRINGS = [
  '',
  ' ',
  'plain',
  'two words',
  'Two (words), k=v, user@host, a+b-c/d.e_f',
  'ends (',
  'x,',
  'a, b',
  'a: b',
  'a:b',
  'a :b',
  'ends:',
  'ends ',
  ' starts',
  '\tstarts',
  '- x',
  '-',
  '?',
  '? x',
  ':',
  ':x',
  '#x',
  'x #y',
  'x#y',
  '&anchor',
  '*alias',
  '!tag',
  '|x',
  '>x',
  '%x',
  '@x',
  '`x',
  "'x'",
  '"x"',
  'it\'s "both"',
  'back\\slash',
  '{a}',
  '[x]',
  'a,b',
  '---',
  '--- x',
  '...',
  'x\n---\ny',
  '%YAML 1.1\nx',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'true',
  'null',
  '~',
  'NULL',
  '<<',
  '0777',
  '0o17',
  '0x1F',
  '1_000',
  '12',
  '-3',
  '1.5',
  '1e3',
  '.inf',
  '-.Inf',
  '.nan',
  '1:20',
  '2026-11-30',
  '2026-11-30 10:00:00',
  'line1\nline2',
  'line1\nline2\n',
  'line1\nline2\n\n',
  'line1\n\nline2',
  '\nleading newline',
  '\n\nleading newlines\n',
  '  indented\nfirst line',
  'trailing spaces  \nnext',
  'next\n  more indented',
  'tab\there',
  'ends with tab\t',
  'line\n ',
  '\n',
  '\n\n',
  'unicode: é ü 日本',
  'control \u0001 char',
  'del \u007f',
  'nbsp\u00a0here',
  'line sep\u2028here',
  'zero\u0000byte',
  'emoji 😀',
  'lone \ud800 surrogate',
  'a'.repeat(200),
  `${'word '.repeat(60)}end`,
  `long line\n${'x'.repeat(300)}\n`,
  '#!/bin/bash\nset -eu\necho "$HOME" | tee /tmp/x # comment\n',
  '{{ .Values.x }}',
  '${VAR}',
  'key=value',
  'http://example.edu:8080/path?q=1#frag',
  '10.0.0.1/24',
  '{"json": [1, 2, {"a": null}]}',
];
const OTHERS: unknown[] = [
  0,
  -0,
  1,
  -1,
  1.5,
  1e21,
  1e-7,
  2 ** 53 + 2,
  Number.NaN,
  Infinity,
  -Infinity,
  true,
  false,
  null,
];

/** Every string as a key and as a value, in maps and sequences nested to three levels, with empty collections beside them. */
function corpus(): unknown[] {
  const values = [...STRINGS, ...OTHERS, [], {}, [[]], [{}], { e: [] }, [1, [2, [3]]], [{ a: 1, b: [] }]];
  const out: unknown[] = [];
  out.push({ values }, { list: values }, values, [values], [{ values }]);
  for (const s of STRINGS) {
    const keyed = { [s]: s, nested: { [s]: { [s]: [s, { [s]: s }] } } };
    out.push(
      keyed,
      [keyed],
      { a: [keyed, [s, [s]]] },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { [s]: s } },
    );
  }
  out.push({ ['k'.repeat(1100)]: 'long key' }, { a: ['x'.repeat(1100)] });
  return out;
}

async function renderedObjects(): Promise<unknown[]> {
  const objects: unknown[] = [];
  for (const inv of [
    EXAMPLE,
    fixture('inventory/valid/single-rack.yaml'),
    fixture('inventory/valid/airgapped.yaml'),
    fixture('inventory/valid/calico-gateway.yaml'),
  ]) {
    const v = requireSite(inv);
    if ('errors' in v) throw new Error(JSON.stringify(v.errors));
    const r = await renderSite(v.site, readRenderInputs(v.site));
    for (const c of r.components) {
      objects.push(...(c.manifests ?? []), ...(c.files ?? []).flatMap((f) => f.objects ?? []));
      if (c.chart) objects.push(c.chart.values);
    }
  }
  return objects;
}

describe('the YAML writer', () => {
  it("writes every object the golden sites render byte for byte as yaml's Document does", async () => {
    const objects = await renderedObjects();
    expect(objects.length).toBeGreaterThan(200);
    let bytes = 0;
    for (const o of objects) {
      const text = toYaml(o);
      expect(text).toBe(toYamlReference(o));
      bytes += text.length;
    }
    expect(bytes).toBeGreaterThan(500_000);
  });

  it("writes awkward keys and values at every depth as yaml's Document does", () => {
    const docs = corpus();
    for (const d of docs) {
      expect(toYaml(d), JSON.stringify(d).slice(0, 200)).toBe(toYamlReference(d));
      expect(toYaml(d, { object: false })).toBe(toYamlReference(d, { object: false }));
    }
    // The corpus reaches every way of writing a scalar: plain, both quotes, escapes and block scalars
    // with each chomping indicator, so a writer that got one of them wrong would be caught above.
    const all = docs.map((d) => toYaml(d)).join('\n');
    for (const form of [
      /: plain$/m,
      /: '/m,
      /: "/m,
      /\\x01/,
      /: \|-$/m,
      /: \|$/m,
      /: \|\+$/m,
      /: \|2-?$/m,
      /^ *"?yes"?: "yes"$/m,
      /\? k{1100}/,
    ])
      expect(all).toMatch(form);
  });

  it('is held to the reference strictly: a writer that skips the YAML 1.1 quoting is caught', () => {
    // The reference itself must tell the difference the test relies on.
    expect(toYamlReference({ a: 'no' })).toBe('a: "no"\n');
    expect(toYamlReference({ a: 'no' })).not.toBe('a: no\n');
    expect(toYaml({ a: 'no', b: ['0777', 'on'] })).toBe('a: "no"\nb:\n  - "0777"\n  - "on"\n');
  });
});
