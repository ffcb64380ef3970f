// Runs an ajv validator over a YamlSource and turns ajv's errors into located, readable diagnostics.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { closest } from 'fastest-levenshtein';
import type { Diagnostic } from './diagnostics.ts';
import { formatPath } from './diagnostics.ts';
import type { PathSeg, YamlSource } from './yaml-source.ts';
import { CIDR4, DNS_LABEL, DNS_NAME, IPV4, SECRET_REF, TIME_HHMM } from '../inventory/schema/dsl.ts';

const PATTERN_NAMES: Record<string, string> = {
  [IPV4]: 'an IPv4 address like 10.10.1.21',
  [CIDR4]: 'an IPv4 CIDR like 10.10.1.0/24',
  [DNS_LABEL]: 'an RFC 1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
  [DNS_NAME]: 'a DNS name like lab.example.edu (lowercase)',
  [SECRET_REF]: 'a secret-store entry name like bgp/tor-r1 (the name of a secret, never its value)',
  [TIME_HHMM]: 'a time HH:MM like 09:00',
};

let shared: Ajv2020 | undefined;
/** One ajv instance for the process: compiling a schema is the expensive part, so it happens once per schema. */
export function ajv(): Ajv2020 {
  shared ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  return shared;
}

const compiled = new Map<object, ValidateFunction>();
export function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) { fn = ajv().compile(schema); compiled.set(schema, fn); }
  return fn;
}

export function pointerToPath(pointer: string): PathSeg[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function getAt(data: unknown, path: readonly PathSeg[]): unknown {
  let cur: any = data;
  for (const seg of path) cur = cur == null ? undefined : cur[seg];
  return cur;
}

export const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
};

const typeName = (t: string) => ({ object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false' } as Record<string, string>)[t] ?? t;

export function schemaDiagnostics(source: YamlSource, validate: ValidateFunction): Diagnostic[] {
  if (validate(source.data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const d = describe(source, err);
    const k = `${d.line}:${d.col}:${d.message}`;
    if (!seen.has(k)) { seen.add(k); out.push(d); }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

function describe(source: YamlSource, err: ErrorObject): Diagnostic {
  const path = pointerToPath(err.instancePath);
  const value = getAt(source.data, path);
  const base = { severity: 'error' as const, file: source.file };
  const at = (p: PathSeg[], key = false) => ({ ...base, ...source.locate(p, { key }), path: formatPath(p) });
  const params = err.params as Record<string, any>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((err.parentSchema as any)?.properties ?? {});
      const guess = allowed.length ? closest(key, allowed) : undefined;
      return { ...at([...path, key], true), message: `unknown key ${JSON.stringify(key)}; expected one of: ${allowed.join(', ')}`, hint: guess ? `did you mean "${guess}"?` : undefined };
    }
    case 'required':
      return { ...at(path, true), message: `missing required key "${params.missingProperty}"` };
    case 'type':
      return { ...at(path), message: `expected ${typeName(String(params.type))}, got ${show(value)}` };
    case 'pattern': {
      const name = PATTERN_NAMES[String(params.pattern)];
      return { ...at(path), message: `${show(value)} is not ${name ?? `valid (pattern ${params.pattern})`}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return { ...at(path), message: `${show(value)} is not one of: ${allowed.join(', ')}`, hint: guess ? `did you mean "${guess}"?` : undefined };
    }
    case 'const':
      return { ...at(path), message: `${show(value)} is not supported; expected ${show(params.allowedValue)}` };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { ...at(path), message: `${show(value)} is out of range; expected a number ${params.comparison} ${params.limit}` };
    case 'minItems':
      return { ...at(path), message: `expected at least ${params.limit} item(s), got ${Array.isArray(value) ? value.length : 0}` };
    case 'maxLength': case 'minLength':
      return { ...at(path), message: `${show(value)} ${err.message}` };
    case 'uniqueItems':
      return { ...at([...path, params.i]), message: `${show(getAt(value, [params.i]))} is listed twice (items ${params.j} and ${params.i})` };
    default:
      return { ...at(path), message: `${show(value)}: ${err.message ?? err.keyword}` };
  }
}
