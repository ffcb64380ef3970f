// Turns the openAPIV3Schema of an upstream CustomResourceDefinition into the JSON Schema labctl validates
// rendered objects with (ajv 2020, strict mode; installer/render/validate-objects.ts). Pure: same CRD in,
// same schema out. What the API server would check and ajv cannot is dropped and counted, so the
// generated header can say exactly what is left to the kube-apiserver test (test/kube/).
import type { Schema } from '../../installer/inventory/schema/dsl.ts';
import { metadata } from '../../installer/render/platform/crd-schema.ts';

type OpenApi = Record<string, unknown>;

/** What the conversion could not carry over, per CRD version (reported in the generated header). */
export interface Dropped {
  celRules: number;
  formats: Set<string>;
  patterns: number;
}

/** RE2's (?i) flag (Go) has no inline form in JavaScript: letters outside classes become [xX]. */
function caseless(p: string): string | undefined {
  let out = '';
  for (let i = 0, inClass = false; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      out += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    if (/[a-zA-Z]/.test(c)) {
      if (inClass) return undefined; // a class with letters would need case folding of its ranges
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else out += c;
  }
  return out;
}

/** The pattern as a JavaScript (ajv, flag u) regular expression, or undefined when it has none. */
function jsPattern(p: string): string | undefined {
  const q = p.includes('(?i)') ? caseless(p.replace('(?i)', '')) : p;
  if (q === undefined) return undefined;
  try {
    new RegExp(q, 'u');
    return q;
  } catch {
    return undefined;
  }
}

/** Keywords whose meaning is identical in OpenAPI v3.0 (CRD structural schemas) and JSON Schema 2020. */
const SAME = [
  'type',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'required',
  'uniqueItems',
] as const;

function convert(s: OpenApi, dropped: Dropped): Schema {
  const out: Schema = {};
  for (const k of SAME) if (s[k] !== undefined) out[k] = s[k];
  if (typeof s.pattern === 'string') {
    const p = jsPattern(s.pattern);
    if (p === undefined) {
      delete out.pattern;
      dropped.patterns++;
    } else out.pattern = p;
  }
  // OpenAPI 3.0 says exclusiveMinimum: true next to minimum; JSON Schema 2020 puts the bound in it.
  if (s.exclusiveMinimum === true) {
    out.exclusiveMinimum = s.minimum;
    delete out.minimum;
  }
  if (s.exclusiveMaximum === true) {
    out.exclusiveMaximum = s.maximum;
    delete out.maximum;
  }
  if (s['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  // Kubernetes formats (int32, int64, date-time, byte...) are unknown to ajv, which refuses unknown formats
  // in strict mode; the API server checks them.
  if (typeof s.format === 'string') dropped.formats.add(s.format);
  const cel = s['x-kubernetes-validations'];
  if (Array.isArray(cel)) dropped.celRules += cel.length;

  if (s['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    // Each check goes to the branch of its type (ajv's strict mode refuses a pattern beside no type).
    const str: Schema = { type: 'string' };
    if (out.pattern !== undefined) {
      str.pattern = out.pattern;
      delete out.pattern;
    }
    out.anyOf = [{ type: 'integer' }, str];
  }
  if (s.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // A pattern without a type: a branch of an int-or-string's allOf (Envoy Gateway's quantities). Kubernetes
  // applies it to strings only; ajv's strict mode wants the type named, so the branch says just that.
  if (out.pattern !== undefined && out.type === undefined && out.anyOf === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string', pattern: out.pattern }];
    delete out.pattern;
  }

  const props = s.properties as Record<string, OpenApi> | undefined;
  if (props)
    out.properties = Object.fromEntries(
      Object.keys(props)
        .sort()
        .map((k) => [k, convert(props[k]!, dropped)]),
    );
  const addl = s.additionalProperties;
  if (addl && typeof addl === 'object') out.additionalProperties = convert(addl as OpenApi, dropped);
  else if (addl === true) out.additionalProperties = true;
  // Closed like the project's hand-written schemas: an unknown field is a typo in a builder (the API server
  // refuses it too under strict field validation). preserve-unknown-fields objects stay open.
  else if (props && s['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  if (s.items && typeof s.items === 'object') out.items = convert(s.items as OpenApi, dropped);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) out[k] = (s[k] as OpenApi[]).map((b) => convert(b, dropped));
  }
  if (s.not && typeof s.not === 'object') out.not = convert(s.not as OpenApi, dropped);
  return out;
}

export interface CrdVersionSchema {
  /** `<group>/<version>/<Kind>`, the key of installer/render/schemas CRD_SCHEMAS. */
  key: string;
  schema: Schema;
  dropped: { celRules: number; formats: string[]; patterns: number };
}

/**
 * The schema of each version of a CRD (`which`: only the storage version, or every served one).
 * The root's metadata becomes the project's metadata schema (names checked, closed) and status is left
 * out: the platform never writes status.
 */
export function crdSchemas(crd: OpenApi, which: 'storage' | 'served'): CrdVersionSchema[] {
  if (crd.kind !== 'CustomResourceDefinition')
    throw new Error(`not a CustomResourceDefinition: kind ${String(crd.kind)}`);
  const spec = crd.spec as { group: string; scope: string; names: { kind: string }; versions: OpenApi[] };
  const namespaced = spec.scope === 'Namespaced';
  const out: CrdVersionSchema[] = [];
  for (const v of spec.versions) {
    if (which === 'storage' ? v.storage !== true : v.served !== true) continue;
    const root = (v.schema as { openAPIV3Schema: OpenApi }).openAPIV3Schema;
    const dropped: Dropped = { celRules: 0, formats: new Set(), patterns: 0 };
    const {
      status: _status,
      metadata: _metadata,
      apiVersion: _a,
      kind: _k,
      ...rest
    } = (root.properties ?? {}) as Record<string, OpenApi>;
    const apiVersion = `${spec.group}/${String(v.name)}`;
    const properties: Record<string, Schema> = {
      apiVersion: { const: apiVersion },
      kind: { const: spec.names.kind },
      metadata: metadata(namespaced),
    };
    for (const k of Object.keys(rest).sort()) properties[k] = convert(rest[k]!, dropped);
    const rootCel = root['x-kubernetes-validations'];
    if (Array.isArray(rootCel)) dropped.celRules += rootCel.length;
    const required = [
      'apiVersion',
      'kind',
      'metadata',
      ...((root.required as string[] | undefined) ?? []).filter((r) => r !== 'status'),
    ];
    out.push({
      key: `${apiVersion}/${spec.names.kind}`,
      schema: { type: 'object', properties, required: [...new Set(required)], additionalProperties: false },
      dropped: { celRules: dropped.celRules, formats: [...dropped.formats].sort(), patterns: dropped.patterns },
    });
  }
  return out;
}
