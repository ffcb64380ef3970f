// YAML 1.1 versus 1.2. labctl reads YAML 1.2 (`yaml`); Helm, ArgoCD and the Kubernetes API machinery read
// YAML 1.1 (go-yaml v2 via sigs.k8s.io/yaml), where a plain `no` is false, `on` is true, `0777` is 511
// and `1_000` is 1000. The render engine's writer quotes such strings (render/yaml.ts); files that Helm
// reads as a person wrote them (lab files, rosters) are checked here instead, since we cannot rewrite them.
import { readFileSync } from 'node:fs';
import { isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { type Diagnostic, formatPath } from './diagnostics.ts';

// Plain scalars a YAML 1.1 reader takes for something other than a string. Wider than go-yaml v2 where
// the 1.1 spec (and PyYAML) is wider: any-case booleans, sexagesimal numbers, timestamps.
const YAML11_NOT_STRING = [
  /^(?:y|yes|n|no|true|false|on|off)$/i, // booleans
  /^(?:~|null|)$/i, // null
  /^<<$/, // merge key
  /^[-+]?\.?(?:inf|nan)$/i, // .inf, -.Inf, .NaN (and Go's ParseFloat spellings)
  /^[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-f_]+|[0-9][0-9_]*)$/i, // ints: binary, octal (0777, 0o777), hex, 1_000
  /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:e[-+]?[0-9]+)?$/i, // floats: 1.5, .5, 1e3, 1_0.0
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/, // sexagesimal: 1:20, 190:20:30.15
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}.*)?$/, // timestamps
];

/**
 * go-yaml v2 (resolve.go) removes every `_` from a plain scalar that starts with a digit or sign before it
 * tries strconv.ParseInt/ParseUint (base 0) and its float pattern, so `0_x10` is 16 and `1e_3` is 1000 there.
 */
function goYamlV2Number(s: string): boolean {
  if (!/^[-+0-9]/.test(s) || !s.includes('_')) return false;
  const p = s.replaceAll('_', '');
  return (
    /^[-+]?(?:0b[01]+|0o?[0-7]+|0x[0-9a-f]+|[0-9]+)$/i.test(p) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:e[-+]?[0-9]+)?$/i.test(p)
  );
}

/** Whether a YAML 1.1 reader (go-yaml v2, PyYAML) would read this string, written plain, as another type. */
export function yaml11Ambiguous(s: string): boolean {
  return YAML11_NOT_STRING.some((re) => re.test(s)) || goYamlV2Number(s);
}

/**
 * Plain scalars in a file that a YAML 1.1 reader would read differently from labctl: a string in YAML 1.2
 * that 1.1 resolves to a bool/number/null (`course: on`, `- no`), and leading-zero integers (`0755`: 755
 * in 1.2, 493 in 1.1). One located error each, naming its field, with the quoted spelling as the fix.
 */
export function yaml11Diagnostics(file: string, text: string, reader: string): Diagnostic[] {
  const lc = new LineCounter();
  // uniqueKeys off: the file was read by loadYamlFile first, which refuses repeated keys in one pass; yaml's own
  // check compares each key with every earlier one (a 30,000-key mapping without a repeat: 22 s here).
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  const out: Diagnostic[] = [];
  visit(doc, {
    Scalar(_k, node, ancestors) {
      if (node.type !== 'PLAIN' || !node.range || !node.source) return;
      // `!!str yes` is a string to every reader (go-yaml v2 honours the tag): nothing to quote.
      if (node.tag === 'tag:yaml.org,2002:str') return;
      const src = node.source;
      const differs =
        typeof node.value === 'string'
          ? yaml11Ambiguous(src)
          : typeof node.value === 'number' && /^[-+]?0[0-7]+$/.test(src);
      if (!differs) return;
      const { line, col } = lc.linePos(node.range[0]);
      out.push({
        severity: 'error',
        file,
        line,
        col,
        path: fieldPath([...ancestors, node]),
        message: `${src} is read as ${typeof node.value === 'string' ? 'a string' : node.value} here but as ${describe11(src)} by ${reader} (YAML 1.1); write it quoted: "${src}"`,
      });
    },
  });
  return out;
}

/** The field a scalar is, or is the key of, as messages write it (schedule.start, students[2]). */
function fieldPath(chain: readonly unknown[]): string {
  const segs: (string | number)[] = [];
  chain.forEach((a, i) => {
    if (isSeq(a)) segs.push(a.items.indexOf(chain[i + 1] as Node));
    else if (isPair(a)) segs.push(isScalar(a.key) ? String(a.key.value) : String(a.key));
  });
  return formatPath(segs);
}

function describe11(s: string): string {
  if (/^(?:y|yes|on|true)$/i.test(s)) return 'true';
  if (/^(?:n|no|off|false)$/i.test(s)) return 'false';
  if (/^(?:~|null|)$/i.test(s)) return 'null';
  if (/^[-+]?0[0-7]+$/.test(s)) return `the octal number ${parseInt(s, 8)}`;
  if (s === '<<') return 'a merge key (the mapping it names is merged into this one)';
  return 'a number or date';
}

export const yaml11FileDiagnostics = (file: string, shownAs: string, reader: string): Diagnostic[] =>
  yaml11Diagnostics(shownAs, readFileSync(file, 'utf8'), reader);
