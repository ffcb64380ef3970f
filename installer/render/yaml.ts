// The one YAML writer of the render engine. Fixed options make output byte-stable: apiVersion, kind,
// metadata first, every other key sorted, no line folding, documents joined with '---'.
//
// We write YAML 1.2, but Helm, ArgoCD and the Kubernetes API machinery read YAML 1.1 (go-yaml v2 via
// sigs.k8s.io/yaml), where a bare `no` is false, `0777` is 511 and `1_000` is 1000. So every string
// (key or value) that a YAML 1.1 reader would resolve to anything but that string is double-quoted.
// test/render/yaml11.test.ts reads every rendered file with a real YAML 1.1 reader to keep it so.
//
// The text is what `yaml`'s Document.toString writes (toYamlReference below), built directly: the
// block layout of maps and sequences here, every scalar by `yaml`'s own scalar writers. Building a
// Document of nodes and visiting it was most of a render's time. test/render/yaml-writer.test.ts holds
// the two to the same bytes on every rendered object and a corpus of awkward strings.
import { Document, visit } from 'yaml';
import { stringifyNumber, stringifyString, type StringifyContext } from 'yaml/util';
import { yaml11Ambiguous } from '../core/yaml11.ts';

const FIRST = ['apiVersion', 'kind', 'metadata'];
const META_FIRST = ['name', 'namespace', 'labels', 'annotations'];
const OPTIONS = { lineWidth: 0, indent: 2 } as const;

function sortKeys(value: unknown, top = false, meta = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const rank = (k: string) => {
    const list = top ? FIRST : meta ? META_FIRST : [];
    const i = list.indexOf(k);
    return i < 0 ? list.length : i;
  };
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v, false, top && k === 'metadata')]));
}

export function toYaml(value: unknown, opts: { object?: boolean } = {}): string {
  const top = opts.object ?? isObject(value);
  return (isBlock(value) && direct(value, top)) || reference(sortKeys(value, top));
}

export function toYamlDocs(objects: unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

/** The same text through `yaml`'s Document: what toYaml must equal, byte for byte. */
export function toYamlReference(value: unknown, opts: { object?: boolean } = {}): string {
  return reference(sortKeys(value, opts.object ?? isObject(value)));
}

function reference(sorted: unknown): string {
  const doc = new Document(sorted, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !node.type?.startsWith('QUOTE') && yaml11Ambiguous(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString(OPTIONS);
}

const isObject = (v: unknown) => !!v && typeof v === 'object' && 'apiVersion' in v && 'kind' in v;

// ---- the direct writer ----

/** Thrown for a value the direct writer leaves to the reference one (a key over 1024 characters, an odd type). */
class Unsupported extends Error {}

/** A sequence, or a mapping with a defined value: written as a block (anything else at the top is left to the reference). */
function isBlock(v: unknown): v is object {
  if (Array.isArray(v)) return v.length > 0;
  if (!v || typeof v !== 'object') return false;
  for (const k in v) if (Object.hasOwn(v, k) && (v as Record<string, unknown>)[k] !== undefined) return true;
  return false;
}

/** The keys of a mapping in sortKeys' order, without the undefined ones (sortKeys' order, without its copies). */
function sortedKeys(v: Record<string, unknown>, top: boolean, meta: boolean): string[] {
  const keys = Object.keys(v).filter((k) => v[k] !== undefined);
  const list = top ? FIRST : meta ? META_FIRST : [];
  const rank = (k: string) => {
    const i = list.indexOf(k);
    return i < 0 ? list.length : i;
  };
  return list.length
    ? keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    : keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

let base: StringifyContext | undefined;
const contexts = new Map<string, StringifyContext>();
/** The scalar writers' context at `indent` (never the top level), as Document.toString({lineWidth: 0, indent: 2}) makes it. */
function context(indent: string, implicitKey: boolean): StringifyContext {
  const id = `${implicitKey ? 'k' : 'v'}${indent.length}`;
  let ctx = contexts.get(id);
  if (!ctx) {
    base ??= {
      doc: new Document(),
      indentStep: '  ',
      inFlow: null,
      actualString: true,
      options: {
        blockQuote: true,
        defaultKeyType: null,
        defaultStringType: 'PLAIN',
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        lineWidth: OPTIONS.lineWidth,
        minContentWidth: 20,
        singleQuote: null,
      },
    } as unknown as StringifyContext;
    ctx = { ...base, indent, implicitKey } as StringifyContext;
    contexts.set(id, ctx);
  }
  return ctx;
}

// A string `yaml` certainly writes as it is: a letter first (no indicator, not a number), no colon, '#',
// quote, tab or line break, not ending in a space; true/false/null (any case) are YAML 1.1-ambiguous and
// quoted before this test.
const PLAIN = /^[A-Za-z](?:[A-Za-z0-9._/ (),=@+-]*[A-Za-z0-9._/)=@+-])?$/;

function scalar(v: unknown, indent: string, implicitKey: boolean): string {
  switch (typeof v) {
    case 'string': {
      const quote = yaml11Ambiguous(v);
      if (!quote && v.length <= 1024 && PLAIN.test(v)) return v;
      const item = { value: v, type: quote ? 'QUOTE_DOUBLE' : undefined };
      const s = stringifyString(item as Parameters<typeof stringifyString>[0], context(indent, implicitKey));
      if (implicitKey && s.length > 1024) throw new Unsupported(); // `yaml` writes an explicit `? key`
      return s;
    }
    case 'number':
      return stringifyNumber({ value: v } as Parameters<typeof stringifyNumber>[0]);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      throw new Unsupported();
  }
}

/**
 * A block collection at `indent`, as `yaml` writes it for a node whose context indent is `indent`; keys
 * in sortKeys' order (`top`: an object's apiVersion, kind, metadata first; `meta`: its metadata's name...).
 */
function block(v: object, indent: string, top = false, meta = false): string {
  const lines: string[] = [];
  if (Array.isArray(v)) {
    const itemIndent = `${indent}  `;
    for (const item of v) lines.push(`- ${node(item, itemIndent)}`);
  } else {
    const inner = `${indent}  `;
    const map = v as Record<string, unknown>;
    for (const k of sortedKeys(map, top, meta)) {
      const item = map[k];
      const key = `${scalar(k, inner, true)}:`;
      if (isBlock(item)) lines.push(`${key}\n${inner}${block(item, inner, false, top && k === 'metadata')}`);
      else lines.push(`${key} ${node(item, inner)}`);
    }
  }
  return lines.join(`\n${indent}`);
}

/** Any value at `indent`: a block collection, an empty one in flow style, or a scalar. */
function node(v: unknown, indent: string): string {
  if (v !== null && typeof v === 'object') {
    if (isBlock(v)) return block(v, indent);
    return Array.isArray(v) ? '[]' : '{}';
  }
  return scalar(v, indent, false);
}

function direct(value: object, top: boolean): string | null {
  try {
    return `${block(value, '', top)}\n`;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}
