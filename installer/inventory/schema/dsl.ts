// Small builders for JSON Schema (draft 2020-12). Every key gets a description and every object is
// closed (additionalProperties: false), so the schema doubles as editor documentation and catches typos.
export type Schema = Record<string, unknown>;

export const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
export const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
export const num = (description: string, extra: Schema = {}): Schema => ({ type: 'number', description, ...extra });
export const bool = (description: string, extra: Schema = {}): Schema => ({ type: 'boolean', description, ...extra });
export const list = (description: string, items: Schema, extra: Schema = {}): Schema => ({
  type: 'array',
  description,
  items,
  ...extra,
});
export const oneOf = (description: string, values: readonly string[]): Schema => ({
  type: 'string',
  description,
  enum: [...values],
});

export function obj(
  description: string,
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: Schema = {},
): Schema {
  return { type: 'object', description, properties, required, additionalProperties: false, ...extra };
}

// Shared formats: generic, so they live in core (core/schema-check.ts names them in its messages).
import { CIDR4, DNS_LABEL, DNS_NAME, IPV4, SECRET_REF, TIME_HHMM } from '../../core/patterns.ts';
export { CIDR4, DNS_LABEL, DNS_NAME, IPV4, SECRET_REF, TIME_HHMM };
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

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
