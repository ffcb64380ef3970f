// Reads the documentation of inventory.example.yaml key by key (the yaml Document API, comments as the
// parser attaches them) and compares it with the inventory declaration. The conventions it enforces,
// stated in the example's header:
//  - A key is documented by the comment lines right above it (for a list: also those between `key:` and
//    its first item). The text starts with REQUIRED or OPTIONAL, as the schema has it.
//  - A key the example does not set is shown commented out (`# key: value`, nested keys indented below
//    it), documented by the comment lines above it like a real key.
//  - Keys inside a list item or a flow mapping are documented by table rows in the parent key's comment:
//    `#   <key>  REQUIRED|OPTIONAL  text` (indented; a dotted path for deeper keys: `ssh.port`).
//  - A default is stated as `Default: <value>` on one line, the value in YAML flow style, optionally
//    followed by a remark in parentheses. Where the declaration has a default it must be stated and
//    equal; where the declaration describes a derived default ("Default: ..." in its description) one
//    must be stated; a key without a default must not claim one. Blocks whose default is only `{}` (their
//    keys have the defaults) state none.
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parse, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

type Json = Record<string, any>;
export interface SchemaKey {
  required: boolean;
  default?: unknown;
  hasDefault: 'static' | 'described' | 'none' | 'block';
}

/** Every key path of the schema (`nodes[].ssh.port`), with whether it is required and its default. */
export function schemaKeys(schema: Json): Map<string, SchemaKey> {
  const out = new Map<string, SchemaKey>();
  const walk = (s: Json, path: string) => {
    if (s.type === 'array' || s.items) return walk(s.items ?? {}, `${path}[]`);
    const required = new Set<string>(s.required ?? []);
    for (const [k, sub] of Object.entries<Json>(s.properties ?? {})) {
      const p = path ? `${path}.${k}` : k;
      const isBlock =
        'default' in sub && isDeepStrictEqual(sub.default, {}) && sub.type === 'object' && !!sub.properties;
      out.set(p, {
        required: required.has(k),
        ...('default' in sub ? { default: sub.default } : {}),
        hasDefault: isBlock
          ? 'block'
          : 'default' in sub
            ? 'static'
            : /\bDefault:/.test(String(sub.description ?? ''))
              ? 'described'
              : 'none',
      });
      walk(sub, p);
    }
  };
  walk(schema, '');
  return out;
}

export interface ExampleDoc {
  docs: Map<string, string>;
  used: Set<string>;
  problems: string[];
}

const KEY_LINE = /^([a-z][A-Za-z0-9]*):(\s|$)/;
const ROW = /^(\s+)([a-z][A-Za-z0-9]*(?:\[\]|\.[a-z][A-Za-z0-9]*)*)\s+((?:REQUIRED|OPTIONAL)\b.*)$/;

/** Splits a comment into commented-out YAML fragments (each with the doc lines above it) and the doc after the last. */
function splitComment(text: string | null | undefined): { fragments: { doc: string; yaml: string }[]; doc: string } {
  const lines = (text ?? '').split('\n').map((l) => (l.startsWith(' ') ? l.slice(1) : l));
  const fragments: { doc: string; yaml: string }[] = [];
  let doc: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A key's doc is the paragraph right above it: an empty comment line starts a new one.
    if (!lines[i]!.trim()) {
      doc = [];
      continue;
    }
    if (!KEY_LINE.test(lines[i]!)) {
      doc.push(lines[i]!);
      continue;
    }
    const yaml = [lines[i]!];
    while (i + 1 < lines.length && lines[i + 1]!.startsWith(' ')) yaml.push(lines[++i]!);
    fragments.push({ doc: doc.join('\n').trim(), yaml: yaml.join('\n') });
    doc = [];
  }
  return { fragments, doc: doc.join('\n').trim() };
}

/** The key's own text and its table rows (relative path -> text). */
function splitRows(doc: string): { own: string; rows: Map<string, string> } {
  const own: string[] = [];
  const rows = new Map<string, string>();
  let cur: { path: string; indent: number; text: string[] } | undefined;
  const flush = () => {
    if (cur) rows.set(cur.path, cur.text.join('\n'));
    cur = undefined;
  };
  for (const line of doc.split('\n')) {
    const m = ROW.exec(line);
    if (m) {
      flush();
      cur = { path: m[2]!, indent: m[1]!.length, text: [m[3]!] };
      continue;
    }
    const indent = /^\s*/.exec(line)![0].length;
    if (cur && indent > cur.indent && line.trim()) {
      cur.text.push(line.trim());
      continue;
    }
    flush();
    own.push(line);
  }
  flush();
  return { own: own.join('\n').trim(), rows };
}

/** The documentation the example gives each key path, and the key paths it uses. */
export function readExample(text: string): ExampleDoc {
  const docs = new Map<string, string>();
  const used = new Set<string>();
  const problems: string[] = [];
  const document = parseDocument(text);
  if (document.errors.length) problems.push(...document.errors.map((e) => `example: ${e.message}`));

  const document_ = (path: string, doc: string, isList: boolean) => {
    // The first documentation of a path counts: a list's table documents the keys of all its items (a
    // comment inside a later item, such as a remark after a flow mapping, does not replace it).
    const { own, rows } = splitRows(doc);
    if (own && !docs.has(path)) docs.set(path, own);
    for (const [rel, t] of rows) {
      const p = `${path}${isList ? '[]' : ''}.${rel}`;
      if (!docs.has(p)) docs.set(p, t);
    }
  };
  /** Walks the commented-out keys of a comment; returns its last paragraph when no key follows it. */
  const fragments = (comment: string | null | undefined, prefix: string): string => {
    const split = splitComment(comment);
    for (const f of split.fragments) {
      const frag = parseDocument(f.yaml);
      if (frag.errors.length || !isMap(frag.contents)) {
        problems.push(`${prefix || '(top)'}: a commented-out key is not valid YAML: ${f.yaml.split('\n')[0]}`);
        continue;
      }
      walkMap(frag.contents, prefix, f.doc);
    }
    return split.doc;
  };
  function walkMap(map: YAMLMap, prefix: string, firstDoc = ''): string {
    // The parser gives comment lines after a nested block's last key to that block (`comment`), also
    // when they stand above the next key of the outer map: such a last paragraph is carried over to it.
    let carried = firstDoc;
    map.items.forEach((pair: Pair, i) => {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const path = prefix ? `${prefix}.${key}` : key;
      const before = [i === 0 ? map.commentBefore : undefined, keyNode.commentBefore].filter(Boolean).join('\n');
      const value = pair.value as Node | null;
      const own = fragments(before, prefix);
      const listDoc = isSeq(value) ? splitComment(value.commentBefore) : undefined;
      if (listDoc?.fragments.length) problems.push(`${path}: a commented-out key between the key and its first item`);
      const doc = [before.trim() ? own : carried, listDoc?.doc].filter(Boolean).join('\n');
      carried = '';
      if (!prefix && key.startsWith('x-')) return; // ignored by labctl (anchors)
      used.add(path);
      if (doc) document_(path, doc, isSeq(value));
      if (isMap(value)) {
        const inner = walkMap(value, path);
        const tail = fragments(value.comment, path);
        carried = value.comment ? tail : inner;
      } else if (isSeq(value)) {
        for (const item of value.items) if (isMap(item)) walkMap(item, `${path}[]`);
        carried = fragments(value.comment, path);
      }
    });
    return carried;
  }
  if (isMap(document.contents)) {
    walkMap(document.contents, '');
    fragments(document.contents.comment, '');
  } else problems.push('example: not a mapping');
  fragments(document.comment, '');
  return { docs, used, problems };
}

/** The stated default of a doc text: the YAML value after `Default:` on its line, without a closing remark. */
export function statedDefault(doc: string): { stated: boolean; value?: unknown; error?: string } {
  const m = /\bDefault:\s*(.*)$/m.exec(doc);
  if (!m) return { stated: false };
  const text = m[1]!
    .replace(/\s+\(.*\)\.?$/, '')
    .replace(/\.$/, '')
    .trim();
  try {
    return { stated: true, value: parse(text) };
  } catch (e) {
    return { stated: true, error: `cannot read "${text}" as YAML: ${(e as Error).message}` };
  }
}

/** Every disagreement between the example's documentation and the schema, one line each. */
export function checkExample(text: string, schema: Json): string[] {
  const keys = schemaKeys(schema);
  const { docs, used, problems } = readExample(text);
  const out = [...problems];
  for (const p of new Set([...used, ...docs.keys()]))
    if (!keys.has(p)) out.push(`${p}: in the example but not in the schema`);
  for (const [p, k] of keys) {
    const doc = docs.get(p);
    if (doc === undefined) {
      out.push(`${p}: not documented in the example`);
      continue;
    }
    const word = /^(REQUIRED|OPTIONAL)\b/.exec(doc)?.[1];
    if (!word) out.push(`${p}: its comment does not start with REQUIRED or OPTIONAL`);
    else if ((word === 'REQUIRED') !== k.required)
      out.push(`${p}: the comment says ${word}, the schema ${k.required ? 'requires it' : 'has it optional'}`);
    const d = statedDefault(doc);
    if (d.error) out.push(`${p}: ${d.error}`);
    else if (k.hasDefault === 'static' && !d.stated)
      out.push(`${p}: the schema's default ${JSON.stringify(k.default)} is not stated (Default: ...)`);
    else if (k.hasDefault === 'static' && !isDeepStrictEqual(d.value, k.default))
      out.push(`${p}: the comment says Default: ${JSON.stringify(d.value)}, the schema ${JSON.stringify(k.default)}`);
    else if (k.hasDefault === 'described' && !d.stated)
      out.push(`${p}: the schema describes a default; the comment states none`);
    else if ((k.hasDefault === 'none' || k.hasDefault === 'block') && d.stated)
      out.push(`${p}: the comment states a default the schema does not have`);
  }
  return out;
}
