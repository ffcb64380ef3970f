// The builders the inventory is declared with: TypeBox types, so one declaration is at once the JSON
// Schema (what ajv checks and editors load), the TypeScript type (Static<>) and the defaults (`default`,
// applied by TypeBox's Value.Default in defaults.ts). Every key gets a description and every object is
// closed (additionalProperties: false), so the schema doubles as editor documentation and catches typos.
// Keys are required unless wrapped: opt(s) for an optional key, dflt(s, value) for one with a default.
import { Type, type Static, type TProperties, type TSchema } from 'typebox';
import { stringify } from 'yaml';
import { DNS_LABEL, IPV4, CIDR4, SECRET_REF, TIME_HHMM, WEEKDAYS } from './dsl.ts';

export type { Static };
type Extra = Record<string, unknown>;

export const str = (description: string, extra: Extra = {}) => Type.String({ description, ...extra });
export const int = (description: string, extra: Extra = {}) => Type.Integer({ description, ...extra });
export const num = (description: string, extra: Extra = {}) => Type.Number({ description, ...extra });
export const bool = (description: string, extra: Extra = {}) => Type.Boolean({ description, ...extra });
export const list = <T extends TSchema>(description: string, items: T, extra: Extra = {}) => Type.Array(items, { description, ...extra });
/** A string from a fixed set: `{type: string, enum}` (not TypeBox's anyOf of literals), so ajv reports one enum error. */
export const oneOf = <const V extends readonly string[]>(description: string, values: V) =>
  Type.Unsafe<V[number]>({ type: 'string', description, enum: [...values] });
export const obj = <P extends TProperties>(description: string, properties: P, extra: Extra = {}) =>
  Type.Object(properties, { description, additionalProperties: false, ...extra });
/** A JSON Schema written by hand where TypeBox's own builders would emit another shape; T is its type. */
export const raw = <T>(schema: Extra) => Type.Unsafe<T>(schema);

/** An optional key without a static default (absent, or derived from other keys: say how in the description). */
export const opt = <T extends TSchema>(s: T) => Type.Optional(s);

/** How a default is written in descriptions and in inventory.example.yaml's comments: YAML flow style. */
export const showDefault = (value: unknown): string =>
  stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trim();

/**
 * An optional key whose absence means `value`. The default is declared here only: the JSON Schema
 * carries it (`default`, for editors), its description ends with "Default: <value>", defaults.ts fills
 * it in and the example's comment is checked against it.
 */
export const dflt = <T extends TSchema>(s: T, value: Static<T>) => {
  const description = `${String((s as { description?: string }).description ?? '')} Default: ${showDefault(value)}`;
  // Type.Optional returns a copy (keeping TypeBox's hidden kind), which is then annotated.
  return Object.assign(Type.Optional(s), { description, default: value });
};

/**
 * An optional block whose absence means an empty block: `default: {}`, so each of its keys gets its own
 * default. Not repeated in the description (the keys say theirs).
 */
export const section = <T extends TSchema>(s: T) => Object.assign(Type.Optional(s), { default: {} });

// Shared formats, as patterns (see dsl.ts).
export const label = (description: string) => str(description, { pattern: DNS_LABEL, maxLength: 63 });
export const ipv4 = (description: string) => str(description, { pattern: IPV4 });
export const cidr4 = (description: string) => str(description, { pattern: CIDR4 });
export const secretRef = (description: string) =>
  str(`${description} A secret-store entry name (e.g. bgp/tor-r1), never the secret itself; generated when absent.`, { pattern: SECRET_REF });
export const hhmm = (description: string) => str(description, { pattern: TIME_HHMM });
export const weekday = (description: string) => oneOf(description, WEEKDAYS);
export const asn = (description: string) => int(description, { minimum: 1, maximum: 4294967295 });
