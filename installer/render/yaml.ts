// The one YAML writer of the render engine. Fixed options make output byte-stable: apiVersion, kind,
// metadata first, every other key sorted, no line folding, documents joined with '---'.
//
// We write YAML 1.2, but Helm, ArgoCD and the Kubernetes API machinery read YAML 1.1 (go-yaml v2 via
// sigs.k8s.io/yaml), where a bare `no` is false, `0777` is 511 and `1_000` is 1000. So every string
// (key or value) that a YAML 1.1 reader would resolve to anything but that string is double-quoted.
// test/render/yaml11.test.ts reads every rendered file with a real YAML 1.1 reader to keep it so.
import { Document, visit } from 'yaml';
import { yaml11Ambiguous } from '../core/yaml11.ts';

const FIRST = ['apiVersion', 'kind', 'metadata'];
const META_FIRST = ['name', 'namespace', 'labels', 'annotations'];

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
  const doc = new Document(sortKeys(value, opts.object ?? isObject(value)), { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !node.type?.startsWith('QUOTE') && yaml11Ambiguous(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2 });
}

export function toYamlDocs(objects: unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

const isObject = (v: unknown) => !!v && typeof v === 'object' && 'apiVersion' in v && 'kind' in v;
