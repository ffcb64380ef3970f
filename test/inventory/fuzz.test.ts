// Feeds a few hundred mutated copies of the example (deleted keys, wrong types, swapped values,
// truncated text, stray bytes) through validate: none may throw, every error must carry a position.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { validateInventoryText } from '../../installer/inventory/validate.ts';
import { EXAMPLE } from '../helpers.ts';

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const get = (v: any, p: (string | number)[]) => p.reduce((a, k) => (a == null ? a : a[k]), v);
function set(v: any, p: (string | number)[], x: unknown) {
  const parent = get(v, p.slice(0, -1));
  if (parent && typeof parent === 'object') parent[p[p.length - 1]!] = x;
}
function del(v: any, p: (string | number)[]) {
  const parent = get(v, p.slice(0, -1));
  const k = p[p.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(k), 1);
  else if (parent && typeof parent === 'object') delete parent[k];
}
const WRONG: Json[] = [
  42,
  -1,
  3.5,
  'text',
  '',
  true,
  null,
  [],
  {},
  ['a', 1],
  { x: 1 },
  '10.0.0.0/8',
  '999.1.1.1',
  'v9.9.9',
  4294967296,
];

function mutate(text: string, seed: number): { kind: string; text: string } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const kind = pick(['delete', 'wrong-type', 'swap', 'truncate', 'bytes', 'duplicate-line', 'multi'] as const);
  if (kind === 'truncate') return { kind, text: text.slice(0, Math.floor(r() * text.length)) };
  if (kind === 'bytes') {
    const at = Math.floor(r() * text.length);
    return {
      kind,
      text:
        text.slice(0, at) +
        pick(['\t', ': ', '- ', '{', ']', '"', '&a', '*a', '!!binary', '\u00ff', '\r', '---\n']) +
        text.slice(at),
    };
  }
  if (kind === 'duplicate-line') {
    const lines = text.split('\n');
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, lines[i]!);
    return { kind, text: lines.join('\n') };
  }
  const doc = parse(text) as Json;
  const all = paths(doc).filter((p) => p.length > 0);
  const steps = kind === 'multi' ? 2 + Math.floor(r() * 4) : 1;
  for (let s = 0; s < steps; s++) {
    const k = kind === 'multi' ? pick(['delete', 'wrong-type', 'swap'] as const) : kind;
    const p = pick(all);
    if (k === 'delete') del(doc, p);
    else if (k === 'wrong-type') set(doc, p, structuredClone(pick(WRONG)));
    else {
      const q = pick(all);
      const a = get(doc, p),
        b = get(doc, q);
      set(doc, p, structuredClone(b));
      set(doc, q, structuredClone(a));
    }
  }
  return { kind, text: stringify(doc) };
}

describe('validate under mutated input (fuzz)', () => {
  it('never throws and every error has a file position, over 400 mutants of the example', async () => {
    const base = readFileSync(EXAMPLE, 'utf8');
    const N = 400;
    const stats = { inputs: 0, crashes: 0, invalid: 0, valid: 0, errors: 0, byKind: {} as Record<string, number> };
    const crashes: string[] = [];
    for (let seed = 1; seed <= N; seed++) {
      // Yield between mutants: a worker that computes for a minute without a break cannot answer vitest's RPC.
      await new Promise((r) => setImmediate(r));
      const m = mutate(base, seed);
      stats.inputs++;
      stats.byKind[m.kind] = (stats.byKind[m.kind] ?? 0) + 1;
      try {
        const r = validateInventoryText('mutant.yaml', m.text);
        if (r.errors.length) stats.invalid++;
        else stats.valid++;
        stats.errors += r.errors.length;
        for (const e of [...r.errors, ...r.warnings]) {
          if (!(e.file === 'mutant.yaml' && e.line >= 1 && e.col >= 1 && e.message.length > 0))
            crashes.push(`seed ${seed}: unpositioned ${JSON.stringify(e)}`);
        }
      } catch (e) {
        stats.crashes++;
        crashes.push(`seed ${seed} (${m.kind}): ${(e as Error).stack}`);
      }
    }
    console.log(`fuzz: ${JSON.stringify(stats)}`);
    expect(crashes).toEqual([]);
    expect(stats.inputs).toBe(N);
    // Most mutants must be rejected; a mutant that stays valid (e.g. a swapped pair of equal-typed values) is fine.
    expect(stats.invalid).toBeGreaterThan(N / 2);
  }, 300_000); // ~20 s alone; several times that on two busy cores
});
