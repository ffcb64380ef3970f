// Reads a YAML file that a person wrote (inventory, lab template, image definition) and keeps the
// positions, so every later check can say FILE:LINE:COL. Never throws on bad input: it returns diagnostics.
import { readFileSync, statSync } from 'node:fs';
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export type PathSeg = string | number;
export interface Position { line: number; col: number }

export interface YamlSource {
  file: string;
  data: unknown;
  /** Position of the value at `path`, or of its key when `key` is true; the nearest existing ancestor otherwise. */
  locate(path: readonly PathSeg[], opts?: { key?: boolean }): Position;
  /** Whether `path` exists in the document as written (before defaults). */
  has(path: readonly PathSeg[]): boolean;
}

export type LoadResult = { ok: true; source: YamlSource } | { ok: false; diagnostics: Diagnostic[] };

const fail = (file: string, message: string, line = 1, col = 1): LoadResult =>
  ({ ok: false, diagnostics: [{ severity: 'error', file, line, col, path: '', message }] });

export function loadYamlFile(file: string, opts: { maxBytes?: number } = {}): LoadResult {
  const maxBytes = opts.maxBytes ?? MAX_SOURCE_BYTES;
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return fail(file, 'is a directory, expected a YAML file');
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(file, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`);
  }
  if (size > maxBytes) {
    return fail(file, `file is ${(size / 1024 / 1024).toFixed(1)} MiB; expected a YAML file of at most ${maxBytes / 1024 / 1024} MiB`);
  }
  let buf: Buffer;
  try { buf = readFileSync(file); } catch (e) {
    return fail(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseYamlText(file, buf);
}

export function parseYamlText(file: string, input: Buffer | string): LoadResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const nul = buf.indexOf(0);
  if (nul >= 0) return fail(file, `binary file (NUL byte at offset ${nul}); expected YAML text`);
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch {
    return fail(file, 'not valid UTF-8 text; expected a YAML file');
  }
  if (text.trim() === '' || text.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) {
    return fail(file, 'file is empty; expected a YAML mapping');
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const pos = (offset: number): Position => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => {
        const p = pos(e.pos[0]);
        const key = /^[^\s:#]+/.exec(text.slice(e.pos[0]))?.[0];
        const msg = e.code === 'DUPLICATE_KEY' ? `duplicate key${key ? ` "${key}"` : ''}: each key may appear once in a mapping`
          : e.code === 'MULTIPLE_DOCS' ? 'more than one YAML document (a stray "---"?); expected exactly one'
          : `invalid YAML: ${firstLine(e.message)}`;
        return { severity: 'error' as const, file, line: p.line, col: p.col, path: '', message: msg };
      }),
    };
  }
  let data: unknown;
  try { data = doc.toJS({ maxAliasCount: 100 }); } catch (e) {
    return fail(file, `invalid YAML: ${firstLine((e as Error).message)}`);
  }
  return { ok: true, source: makeSource(file, doc, pos, data) };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function makeSource(file: string, doc: Document, pos: (o: number) => Position, data: unknown): YamlSource {
  const walk = (path: readonly PathSeg[]) => {
    let node: YamlNode | null = doc.contents as YamlNode | null;
    let keyNode: YamlNode | null = null;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
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
