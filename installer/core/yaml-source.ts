// Reads a YAML file that a person wrote (inventory, lab template, image definition) and keeps the
// positions, so every later check can say FILE:LINE:COL. Never throws on bad input: it returns diagnostics.
import { NotRegularFile, readRegularFile } from './regular-file.ts';
import {
  isAlias,
  isMap,
  isSeq,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
  type YAMLMap,
} from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.ts';

export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export type PathSeg = string | number;
export interface Position {
  line: number;
  col: number;
}

export interface YamlSource {
  file: string;
  data: unknown;
  /** Position of the value at `path`, or of its key when `key` is true; the nearest existing ancestor otherwise. */
  locate(path: readonly PathSeg[], opts?: { key?: boolean }): Position;
  /** Whether `path` exists in the document as written (before defaults). */
  has(path: readonly PathSeg[]): boolean;
}

export type LoadResult = { ok: true; source: YamlSource } | { ok: false; diagnostics: Diagnostic[] };

const fail = (file: string, message: string, line = 1, col = 1): LoadResult => ({
  ok: false,
  diagnostics: [{ severity: 'error', file, line, col, path: '', message }],
});

export function loadYamlFile(file: string, opts: { maxBytes?: number } = {}): LoadResult {
  const maxBytes = opts.maxBytes ?? MAX_SOURCE_BYTES;
  let buf: Buffer;
  try {
    // A path the user typed may be a link; a device or pipe behind it (a committed link to /dev/zero) is
    // refused: it reports size 0 and never ends, and reading it ate all memory.
    buf = readRegularFile(file, maxBytes, { followLinks: true });
  } catch (e) {
    if (e instanceof NotRegularFile) {
      if (e.why === 'directory') return fail(file, 'is a directory, expected a YAML file');
      if (e.why === 'too large')
        return fail(
          file,
          `file is ${((e.size ?? 0) / 1024 / 1024).toFixed(1)} MiB; expected a YAML file of at most ${maxBytes / 1024 / 1024} MiB`,
        );
      return fail(file, 'not a regular file (a device, pipe or socket); expected a YAML file');
    }
    const code = (e as NodeJS.ErrnoException).code;
    return fail(file, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`);
  }
  return parseYamlText(file, buf);
}

export function parseYamlText(file: string, input: Buffer | string): LoadResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const nul = buf.indexOf(0);
  if (nul >= 0) return fail(file, `binary file (NUL byte at offset ${nul}); expected YAML text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return fail(file, 'not valid UTF-8 text; expected a YAML file');
  }
  const breakAt = yaml11OnlyBreak(text) ?? goYamlNonPrintable(text);
  if (breakAt) return fail(file, breakAt.message, breakAt.line, breakAt.col);
  if (text.trim() === '' || text.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) {
    return fail(file, 'file is empty; expected a YAML mapping');
  }
  const lineCounter = new LineCounter();
  // merge: YAML merge keys (`<<: *anchor`) work, as in Helm's YAML 1.1 reader: operators share node settings.
  // uniqueKeys off: `yaml` compares each key with every earlier one of its mapping, so a 60,000-key mapping took
  // 35 s (attacker trial); duplicateKeys finds the same ones with a set per mapping.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true, merge: true });
  const pos = (offset: number): Position => lineCounter.linePos(offset);
  const errors = [...doc.errors, ...duplicateKeys(doc)].sort((a, b) => a.pos[0] - b.pos[0]);
  if (errors.length > 0) {
    // One mistake often gives the parser several errors on its line (an unquoted `*/30 * * * *`: four);
    // the first of each line is the one to fix.
    const lines = new Set<number>();
    const firstOfLine = errors.filter((e) => {
      const { line } = pos(e.pos[0]);
      return !lines.has(line) && !!lines.add(line);
    });
    return {
      ok: false,
      diagnostics: firstOfLine.map((e) => {
        const p = pos(e.pos[0]);
        const key = /^[^\s:#]+/.exec(text.slice(e.pos[0]))?.[0];
        const msg =
          e.code === 'DUPLICATE_KEY'
            ? `duplicate key${key ? ` "${key}"` : ''}: each key may appear once in a mapping`
            : e.code === 'MULTIPLE_DOCS'
              ? 'more than one YAML document (a stray "---"?); expected exactly one'
              : `invalid YAML: ${firstLine(e.message)}`;
        const hint = quoteHint(text, p.line);
        return {
          severity: 'error' as const,
          file,
          line: p.line,
          col: p.col,
          path: '',
          message: msg,
          ...(hint ? { hint } : {}),
        };
      }),
    };
  }
  const unsafe = unsafeNumbers(doc, file, pos);
  if (unsafe.length) return { ok: false, diagnostics: unsafe };
  const refused = goYamlRefuses(doc, text, file, pos);
  if (refused.length) return { ok: false, diagnostics: refused };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail(file, `invalid YAML: ${firstLine((e as Error).message)}`);
  }
  return { ok: true, source: makeSource(file, doc, pos, data) };
}

/**
 * The keys that repeat an earlier scalar key of their mapping, as `yaml`'s uniqueKeys reports them (same value
 * and type; `<<` may repeat, as merge keys do), in one pass with a set per mapping.
 */
function duplicateKeys(doc: Document): { code: string; message: string; pos: [number, number] }[] {
  const out: { code: string; message: string; pos: [number, number] }[] = [];
  visit(doc, {
    Map(_k, map) {
      const seen = new Set<string>();
      for (const { key, value } of map.items) {
        // An empty key (`: x`) is null, as `~` is; a key that is a collection or an alias is compared by identity.
        if (key !== null && (!isScalar(key) || key.value === '<<')) continue;
        const id = key === null ? 'empty' : `${typeof key.value}:${String(key.value)}`;
        const at = key?.range?.[0] ?? (value as YamlNode | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        if (seen.has(id)) out.push({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [at, at] });
        else seen.add(id);
      }
    },
  });
  return out;
}

/** Line breaks of YAML 1.1 that labctl's YAML 1.2 reader takes for ordinary characters. */
const YAML11_ONLY_BREAKS: Record<string, string> = {
  '\r': 'a carriage return (CR) without a line feed after it',
  '\u0085': 'a raw U+0085 (NEXT LINE)',
  '\u2028': 'a raw U+2028 (LINE SEPARATOR)',
  '\u2029': 'a raw U+2029 (PARAGRAPH SEPARATOR)',
};

/**
 * The first character Helm, ArgoCD, Kubernetes (go-yaml v2) and cloud-init (PyYAML) read as a line break
 * and labctl's YAML 1.2 reader does not: a lone CR, NEL, LS or PS. After a `#` it ended the comment for them
 * only, so a key written behind it (`title: x # note<LS>staffGroup: other`) was data Helm used and
 * `labs validate` never saw; inside a quoted value it changed the value. CRLF line ends are fine.
 */
function yaml11OnlyBreak(text: string): { line: number; col: number; message: string } | undefined {
  const m = /\r(?!\n)|[\u0085\u2028\u2029]/.exec(text);
  if (!m) return undefined;
  const c = m[0];
  const escaped = c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return {
    ...lineCol(text, m.index),
    message: `${YAML11_ONLY_BREAKS[c]}: Helm, ArgoCD and Kubernetes (YAML 1.1) read it as a line break and labctl (YAML 1.2) does not, so they would read other keys and values than labctl checked; remove it, or write it as ${escaped} inside a double-quoted string`,
  };
}

/** Where in `text` offset `i` is, 1-based. */
function lineCol(text: string, i: number): { line: number; col: number } {
  const before = text.slice(0, i);
  return { line: before.split('\n').length, col: i - before.lastIndexOf('\n') };
}

const FOR_HELM =
  'Helm, ArgoCD and Kubernetes (go-yaml v2) refuse the file (one lab file or roster they cannot read stops the labs ApplicationSet for every course)';

/**
 * A raw character go-yaml v2 refuses ("control characters are not allowed") or reads otherwise: C0 but tab,
 * LF and CR, DEL, C1, U+FFFE and U+FFFF, and a byte order mark past the start. labctl's reader took them as
 * text (or skipped the mark), so labs validate passed such a file.
 */
function goYamlNonPrintable(text: string): { line: number; col: number; message: string } | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  for (const m of text.matchAll(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]/g)) {
    const code = m[0].charCodeAt(0);
    // A byte order mark is one only at the start; anywhere else labctl's reader skipped it and go-yaml keeps
    // it in the key or value (\ufeffapiVersion is no key of the schema).
    if (code === 0xfeff && m.index === 0) continue;
    const hex = code.toString(16).padStart(code > 0xff ? 4 : 2, '0');
    const esc = code > 0xff ? `\\u${hex}` : `\\x${hex}`;
    const what =
      code === 0xfeff
        ? "a byte order mark (U+FEFF) past the file's start"
        : `a raw control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})`;
    return {
      ...lineCol(text, m.index),
      message: `${what}: ${FOR_HELM}; remove it, or write it as ${esc} inside a double-quoted string`,
    };
  }
  return undefined;
}

const STR_TAG = 'tag:yaml.org,2002:str';

/**
 * What labctl's reader accepts and go-yaml v2 reads otherwise or not at all: a directive (%YAML, %TAG), a
 * tag other than !!str (!!float 1 is a string here and a number there, !!binary bytes here and text there,
 * !!set and !!omap empty here), a key over two lines, tabs where it wants spaces and the double-quoted escapes \/ and \uD800-\uDFFF it refuses.
 */
function goYamlRefuses(doc: Document, text: string, file: string, pos: (o: number) => Position): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (at: Position, message: string) =>
    out.push({ severity: 'error', file, line: at.line, col: at.col, path: '', message });
  const directive = /^%/m.exec(text);
  if (directive)
    add(
      lineCol(text, directive.index),
      `a YAML directive (${firstLine(text.slice(directive.index)).slice(0, 40)}): Helm and ArgoCD (go-yaml v2) read directives otherwise or refuse the file; remove it`,
    );
  // Tabs go-yaml v2 refuses outside scalars: at a line's first column (a blank line of whitespace too), and in
  // the space after a block indicator (`-\tx`, `- \tx`, `?\tk`). Inside a scalar (a Makefile in a block
  // literal) a tab is text for both.
  const scalars: [number, number][] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (node.range) scalars.push([node.range[0], node.range[2]]);
    },
  });
  // Scalars never nest and come in document order; lines are read in order too: one sweep, not a search per line.
  let si = 0;
  const inScalar = (i: number) => {
    while (si < scalars.length && scalars[si]![1] <= i) si++;
    return si < scalars.length && scalars[si]![0] <= i;
  };
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const m = /^\t|^ *(?:[-?] +)*[-?] *(\t)/.exec(line);
    const at = m ? lineStart + (m[1] === undefined ? 0 : m[0].length - 1) : -1;
    if (m && !inScalar(at)) {
      add(
        lineCol(text, at),
        `a tab ${at === lineStart ? "at the line's start" : 'after a block indicator (- or ?)'}: ${FOR_HELM}; use spaces`,
      );
      break;
    }
    lineStart += line.length + 1;
  }
  visit(doc, {
    Pair(_key, pair) {
      const k = pair.key as YamlNode | null;
      // `memory\n  : 4Gi`: labctl's reader takes the key, go-yaml v2 refuses an implicit key whose ':' is on a
      // later line (an explicit `? key` may have it there).
      let split = false;
      if (k && isScalar(k) && k.range) {
        const gap = /\s*:/y;
        gap.lastIndex = k.range[1];
        let b = k.range[0] - 1;
        while (b >= 0 && /\s/.test(text[b]!)) b--;
        split = !!gap.exec(text)?.[0].includes('\n') && text[b] !== '?';
      }
      // `!!str <<: {...}`: the tag makes a plain key `<<` for go-yaml v2 (merge only when untagged or !!merge), and
      // labctl's reader merged the mapping anyway: keys labs validate checked that Helm never got.
      if (k && isScalar(k) && k.tag === STR_TAG && k.value === '<<' && k.range)
        add(
          pos(k.range[0]),
          `the key !!str <<: labctl's reader merges the mapping it names, Helm and ArgoCD (go-yaml v2) read a key named "<<" (not merged); remove the tag or the key`,
        );
      if (split && k?.range)
        add(pos(k.range[0]), `a key whose ':' is on a later line: ${FOR_HELM}; write the key and its ':' on one line`);
      if (k && isScalar(k) && k.range && text.slice(k.range[0], k.range[1]).includes('\n'))
        add(pos(k.range[0]), `a key written over more than one line: ${FOR_HELM}; write the key on one line`);
    },
    Node(_key, node) {
      if (node.tag && node.tag !== STR_TAG && !isAlias(node))
        add(
          pos(node.range?.[0] ?? 0),
          `the tag ${node.tag.replace('tag:yaml.org,2002:', '!!')}: Helm and ArgoCD (go-yaml v2) read tagged values otherwise than labctl; remove the tag (quote a value that must stay text)`,
        );
      if (isScalar(node) && node.type === 'QUOTE_DOUBLE' && node.range) {
        const raw = text.slice(node.range[0], node.range[1]);
        for (const m of raw.matchAll(/\\(\/|u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})|\\./g)) {
          if (m[1] === undefined) continue;
          add(
            pos(node.range[0] + (m.index ?? 0)),
            `the escape \\${m[1]}: ${FOR_HELM}; ${m[1] === '/' ? 'write / without the backslash' : 'a lone surrogate is no character; remove it'}`,
          );
        }
      }
    },
  });
  return out;
}

/** Integers JavaScript cannot hold exactly: reported as written, never as the rounded number. */
function unsafeNumbers(doc: Document, file: string, pos: (o: number) => Position) {
  const out: { severity: 'error'; file: string; line: number; col: number; path: string; message: string }[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (
        key === 'key' ||
        typeof node.value !== 'number' ||
        !Number.isInteger(node.value) ||
        Number.isSafeInteger(node.value) ||
        !node.range
      )
        return;
      // The path as the rules write it (bgp.clusterAsn, nodes[2].cpu), from the ancestors visit() passes.
      const path: PathSeg[] = [];
      const chain = [...ancestors, node];
      chain.forEach((a, i) => {
        if (isSeq(a)) path.push(a.items.indexOf(chain[i + 1] as never));
        else if (a && typeof a === 'object' && 'key' in a && 'value' in a)
          path.push(isScalar(a.key) ? String(a.key.value) : String(a.key));
      });
      out.push({
        severity: 'error',
        file,
        ...pos(node.range[0]),
        path: formatPath(path),
        message: `${node.source ?? String(node.value)} is larger than any number labctl accepts (it cannot be read exactly beyond ${Number.MAX_SAFE_INTEGER})`,
      });
    },
  });
  return out;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * A map's pairs by key (the first of each), built once per map: locate() runs once per finding, and a lab file of
 * 20,000 unknown keys searched its mapping once for each (41 s).
 */
const pairIndex = new WeakMap<YAMLMap, Map<unknown, YAMLMap['items'][number]>>();
function ownPairs(map: YAMLMap): Map<unknown, YAMLMap['items'][number]> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = isScalar(p.key) ? p.key.value : p.key;
      if (!index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index;
}

/** The pair for `key` in a map, following merge keys (`<<: *anchor`, `<<: [*a, *b]`) to where it is written. */
function findPair(doc: Document, map: YAMLMap, key: PathSeg, depth = 0): YAMLMap['items'][number] | undefined {
  const own = ownPairs(map).get(key);
  if (own || depth > 10) return own;
  for (const p of map.items) {
    if (!(isScalar(p.key) && p.key.value === '<<') && !(p.key as { source?: string })?.source?.startsWith('<<'))
      continue;
    const v = p.value as YamlNode | null;
    const sources = isSeq(v) ? v.items : [v];
    for (const src of sources) {
      const target = isAlias(src) ? src.resolve(doc) : src;
      if (isMap(target)) {
        const hit = findPair(doc, target, key, depth + 1);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

function makeSource(file: string, doc: Document, pos: (o: number) => Position, data: unknown): YamlSource {
  const walk = (path: readonly PathSeg[]) => {
    let node: YamlNode | null = doc.contents as YamlNode | null;
    let keyNode: YamlNode | null = null;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = findPair(doc, node, seg);
        if (!pair) break;
        keyNode = pair.key as YamlNode;
        node = (pair.value as YamlNode | null) ?? keyNode;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        keyNode = null;
        node = node.items[seg] as YamlNode;
      } else break;
      depth++;
    }
    return { node, keyNode, complete: depth === path.length };
  };
  return {
    file,
    data,
    locate(path, opts = {}) {
      const { node, keyNode } = walk(path);
      const target = opts.key && keyNode ? keyNode : node;
      return target?.range ? pos(target.range[0]) : { line: 1, col: 1 };
    },
    has: (path) => walk(path).complete,
  };
}

/**
 * `key: *value`, `key: @daily`: a plain value starting with a YAML indicator (* alias, & anchor, ! tag,
 * @ and ` reserved, % directive) is not text to YAML. The fix is quoting it; say so with the line's value.
 */
function quoteHint(text: string, line: number): string | undefined {
  const src = text.split('\n')[line - 1] ?? '';
  const m = /^(\s*(?:-\s+)?[^\s:#][^:#]*:\s+)([*&!@`%][^#]*?)\s*(?:#.*)?$/.exec(src);
  if (m) return `a value starting with ${m[2]![0]} must be quoted in YAML: ${m[1]!.trim()} ${JSON.stringify(m[2])}`;
  // A ": " inside a plain value (title: Firewalls: NAT) starts a second mapping; the parser says "Nested mappings
  // are not allowed in compact mappings", or in a flow mapping ({title: Systems: Intro}) "Block collections
  // are not allowed within flow collections", which name neither the value nor the fix.
  const colon =
    /^\s*(?:-\s+)?([^\s:#'"{[-][^:#{}[\]]*):\s+([^\s'"{[|>&*!#][^#]*?:\s[^#]*?)\s*(?:\s#.*)?$/.exec(src) ??
    /[{,]\s*([^\s:#'"{[,][^:#,{}]*):\s+([^\s'"{[,][^#,{}[\]]*?:\s[^#,{}[\]]*?)\s*[,}]/.exec(src);
  if (colon)
    return `a ": " inside a value starts a mapping in YAML; quote the value: ${colon[1]!.trim()}: ${JSON.stringify(colon[2])}`;
  return undefined;
}
