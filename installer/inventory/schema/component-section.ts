// The inventory section a platform component owns: installer/render/components/<name>/inventory.ts exports
// `inventory = componentSection({...})`. That file is a leaf (it imports only the schema builders and, as a
// type, the rule contract; .dependency-cruiser.cjs enforces it), so the inventory layer can read it through
// the generated component-sections.ts without importing anything else of render. Its schema joins the one
// declaration (index.ts): the JSON Schema, the Inventory type, the defaults and the example's key check.
import type { TProperties, TSchema } from 'typebox';
import type { Rule } from '../rules/context.ts';

export interface ComponentSection<K extends string = string, S extends TSchema = TSchema> {
  /** The top-level inventory key (camelCase), e.g. `registry`. */
  key: K;
  /** The top-level key it follows in the schema (and so in editors); absent: after every other section. */
  after?: string;
  /** Its shape: usually `section(obj(...))`, an optional block whose keys carry their defaults. */
  schema: S;
  /**
   * Cross-field rules that concern this section only, run by validate after the platform's rules
   * (inventory/rules/index.ts); named, so a message can be traced to its rule. A rule reads the
   * defaulted site (`ctx.site[key]`) and reports with a path (`ctx.error([key, ...], message)`).
   */
  rules?: Record<string, Rule>;
}

/** Declares a component's section (a typed identity: `key` stays a literal, so the section is typed). */
export const componentSection = <const K extends string, S extends TSchema>(s: ComponentSection<K, S>) => s;

/** The properties of the sections, by key, as a type: what the declaration adds to the platform's keys. */
export type SectionProperties<T extends readonly ComponentSection[]> = {
  [S in T[number] as S['key']]: S['schema'];
};

/**
 * The platform's top-level properties with each component section placed after the key it names (in the
 * order of `sections`; a section without `after` goes last). Refuses a key taken twice or an unknown
 * `after`, naming the section: a component cannot replace a platform section.
 */
export function withSections<P extends TProperties, const T extends readonly ComponentSection[]>(
  platform: P,
  sections: T,
): P & SectionProperties<T> {
  const keys = Object.keys(platform);
  const placed = new Map<string, ComponentSection[]>();
  const last: ComponentSection[] = [];
  for (const s of sections) {
    if (keys.includes(s.key) || sections.filter((x) => x.key === s.key).length > 1)
      throw new Error(`inventory section ${s.key} is declared twice (a component's inventory.ts and another)`);
    if (s.after === undefined) last.push(s);
    else if (!keys.includes(s.after) && !sections.some((x) => x.key === s.after))
      throw new Error(`inventory section ${s.key}: after: ${s.after} is not a top-level key`);
    else placed.set(s.after, [...(placed.get(s.after) ?? []), s]);
  }
  const out: Record<string, TSchema> = {};
  const put = (key: string, schema: TSchema) => {
    out[key] = schema;
    for (const s of placed.get(key) ?? []) put(s.key, s.schema);
  };
  for (const k of keys) put(k, platform[k]!);
  for (const s of last) put(s.key, s.schema);
  const lost = sections.filter((s) => !(s.key in out)).map((s) => s.key);
  if (lost.length) throw new Error(`inventory sections ${lost.join(', ')}: their after: keys form a cycle`);
  return out as P & SectionProperties<T>;
}

/** Every section's rules, by name; a name two sections (or a platform rule) share is an error. */
export function sectionRules(sections: readonly ComponentSection[], taken: readonly string[]): Record<string, Rule> {
  const out: Record<string, Rule> = {};
  for (const s of sections)
    for (const [name, rule] of Object.entries(s.rules ?? {})) {
      if (name in out || taken.includes(name))
        throw new Error(`inventory rule ${name} (section ${s.key}) is declared twice`);
      out[name] = rule;
    }
  return out;
}
