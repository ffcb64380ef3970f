// Which inventory lines a removed node leaves behind: its entry under `nodes:` (file:first-last, from the
// YAML source positions, as core/yaml-source.ts reads them) and any other line that names it.
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';

export interface NodeLines {
  file: string;
  first: number;
  last: number;
  text: string;
  mentions: { line: number; text: string }[];
}

export function nodeEntryLines(file: string, node: string): NodeLines | undefined {
  const text = readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const nodes = doc.get('nodes', true);
  if (!isSeq(nodes)) return undefined;
  const item = nodes.items.find((it) => isMap(it) && it.get('name') === node);
  if (!item || !isMap(item) || !item.range) return undefined;
  const lines = text.split('\n');
  const first = lc.linePos(item.range[0]).line;
  // range[2] is the end of the node including a trailing comment; the offset before it is on the last line.
  let last = lc.linePos(Math.max(item.range[0], item.range[2] - 1)).line;
  while (last > first && /^\s*$/.test(lines[last - 1] ?? '')) last--;
  const word = new RegExp(`(^|[^A-Za-z0-9-])${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9-])`);
  const mentions = lines
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => (l.line < first || l.line > last) && word.test(l.text.replace(/#.*$/, '')));
  return { file, first, last, text: lines.slice(first - 1, last).join('\n'), mentions };
}

export function formatNodeLines(l: NodeLines, node: string): string {
  const out = [
    `delete these lines of ${l.file} (the entry of ${node}), then commit:`,
    `  ${l.file}:${l.first}-${l.last}`,
    ...l.text.split('\n').map((t) => `    | ${t}`),
  ];
  if (l.mentions.length) {
    out.push(`and edit the other lines that name ${node}:`);
    for (const m of l.mentions) out.push(`  ${l.file}:${m.line}: ${m.text.trim()}`);
  }
  return out.join('\n') + '\n';
}
