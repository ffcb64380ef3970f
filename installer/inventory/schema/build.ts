// The builders the inventory is declared with: TypeBox types, so one declaration is at once the JSON
// Schema (what ajv checks and editors load), the TypeScript type (Static<>) and the defaults (`default`,
// filled in by fillDefaults below). Every key gets a description and every object is
// closed (additionalProperties: false), so the schema doubles as editor documentation and catches typos.
// Keys are required unless wrapped: opt(s) for an optional key, dflt(s, value) for one with a default.
// Named imports, not the Type namespace: the bundle then carries these builders only (17 KB, not 210 KB).
import {
  Array as ArrayOf,
  Boolean as Bool,
  Integer,
  Number as Num,
  Object as ObjectOf,
  Optional,
  String as Str,
  Unsafe,
  type Static,
  type TProperties,
  type TSchema,
} from 'typebox';
import { DNS_LABEL, DNS_NAME, IPV4, CIDR4, SECRET_REF, TIME_HHMM, WEEKDAYS } from './dsl.ts';

export type { Static };
type Extra = Record<string, unknown>;

export const str = (description: string, extra: Extra = {}) => Str({ description, ...extra });
export const int = (description: string, extra: Extra = {}) => Integer({ description, ...extra });
export const num = (description: string, extra: Extra = {}) => Num({ description, ...extra });
export const bool = (description: string, extra: Extra = {}) => Bool({ description, ...extra });
export const list = <T extends TSchema>(description: string, items: T, extra: Extra = {}) =>
  ArrayOf(items, { description, ...extra });
/** A string from a fixed set: `{type: string, enum}` (not TypeBox's anyOf of literals), so ajv reports one enum error. */
export const oneOf = <const V extends readonly string[]>(description: string, values: V) =>
  Unsafe<V[number]>({ type: 'string', description, enum: [...values] });
export const obj = <P extends TProperties>(description: string, properties: P, extra: Extra = {}) =>
  ObjectOf(properties, { description, additionalProperties: false, ...extra });
/** A JSON Schema written by hand where TypeBox's own builders would emit another shape; T is its type. */
export const raw = <T>(schema: Extra) => Unsafe<T>(schema);

/** An optional key without a static default (absent, or derived from other keys: say how in the description). */
export const opt = <T extends TSchema>(s: T) => Optional(s);

/**
 * How a default is written in descriptions and in inventory.example.yaml's comments: YAML flow style.
 * A small writer rather than yaml's stringify, which cost ~2 ms a call at every start; the test of the
 * example reads each description's default back as YAML and compares it with the declared value.
 */
export const showDefault = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(showDefault).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${showDefault(x)}`)
      .join(', ')}}`;
  if (typeof v !== 'string') return String(v);
  const plain = /^[\w~/][\w./~:@-]*$/.test(v) && !/:$/.test(v) && !/^(true|false|null|~|[-+.\d][\d.e+-]*)$/i.test(v);
  return plain ? v : JSON.stringify(v);
};

/**
 * An optional key whose absence means `value`. The default is declared here only: the JSON Schema
 * carries it (`default`, for editors), its description ends with "Default: <value>", defaults.ts fills
 * it in and the example's comment is checked against it.
 */
export const dflt = <T extends TSchema>(s: T, value: Static<T>) => {
  const description = `${String((s as { description?: string }).description ?? '')} Default: ${showDefault(value)}`;
  // Optional returns a copy (keeping TypeBox's hidden kind), which is then annotated.
  return Object.assign(Optional(s), { description, default: value });
};

/**
 * An optional block whose absence means an empty block: `default: {}`, so each of its keys gets its own
 * default. Not repeated in the description (the keys say theirs).
 */
export const section = <T extends TSchema>(s: T) => Object.assign(Optional(s), { default: {} });

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema fragments of any shape, checked by TypeBox's own types at the call sites.
type Json = Record<string, any>;
/**
 * `value` with the declared defaults filled in, as TypeBox's Value.Default does for this schema's
 * subset (properties, items; a test holds the two equal): absent keys get a copy of their `default`, then
 * their own keys' defaults. Returns copies of the objects and lists it fills; never changes `value`.
 * Written here because loading typebox/value cost about 45 ms of CPU on every `labctl` run.
 */
export function fillDefaults(schema: Json, value: unknown): unknown {
  const v = value === undefined && 'default' in schema ? structuredClone(schema.default) : value;
  if (Array.isArray(v)) return schema.items ? v.map((x) => fillDefaults(schema.items, x)) : v;
  if (!v || typeof v !== 'object' || !schema.properties) return v;
  const out: Json = { ...v };
  for (const [k, sub] of Object.entries<Json>(schema.properties)) {
    const x = fillDefaults(sub, out[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

// Shared formats, as patterns (see dsl.ts).
export const label = (description: string) => str(description, { pattern: DNS_LABEL, maxLength: 63 });
export const ipv4 = (description: string) => str(description, { pattern: IPV4 });
export const cidr4 = (description: string) => str(description, { pattern: CIDR4 });
export const secretRef = (description: string) =>
  str(`${description} A secret-store entry name (e.g. bgp/tor-r1), never the secret itself; generated when absent.`, {
    pattern: SECRET_REF,
  });
export const hhmm = (description: string) => str(description, { pattern: TIME_HHMM });
export const weekday = (description: string) => oneOf(description, WEEKDAYS);
export const asn = (description: string) => int(description, { minimum: 1, maximum: 4294967295 });
/** A login name (Keycloak admins, the on-call roster, course staff). */
export const login = str('A login name.', { pattern: '^[a-z0-9][-a-z0-9_.]*$' });
/** The host name of a platform service, `<first>.<site.domain>` unless set. */
export const hostname = (svc: string, first: string) =>
  str(`Full host name of ${svc}; must be inside site.domain. Default: ${first}.<site.domain>`, { pattern: DNS_NAME });
