// The one YAML writer of the render engine. Fixed options make output byte-stable: apiVersion, kind,
// metadata first, every other key sorted, no line folding, documents joined with '---'.
import { stringify } from 'yaml';

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
  return stringify(sortKeys(value, opts.object ?? isObject(value)), { lineWidth: 0, indent: 2, aliasDuplicateObjects: false });
}

export function toYamlDocs(objects: unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

const isObject = (v: unknown) => !!v && typeof v === 'object' && 'apiVersion' in v && 'kind' in v;
