// A component's inventory section lives in its folder (render/components/<name>/inventory.ts) and joins the
// one declaration: the JSON Schema, the Inventory type's keys, the defaults and validate's rules. Shown on
// the real tree (Harbor's registry, monitoring) and by adding docs/components.md's example section to a
// temporary copy of labctl: only the folder and the two generated lists change, and the new key is in the
// schema, validated, defaulted and checked by its own rule.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { obj, section, str, dflt } from '../../installer/inventory/schema/build.ts';
import { componentSection, sectionRules, withSections } from '../../installer/inventory/schema/component-section.ts';
import { COMPONENT_SECTIONS } from '../../installer/inventory/schema/component-sections.ts';
import { inventorySchema } from '../../installer/inventory/schema/index.ts';
import { schemaText } from '../../installer/inventory/schema/emit.ts';
import { RULES } from '../../installer/inventory/rules/index.ts';
import { inventory as harborSection } from '../../installer/render/components/harbor/inventory.ts';
import { inventory as monitoringSection } from '../../installer/render/components/monitoring/inventory.ts';
import { componentSectionsSource, sectionsFile } from '../../installer/render/emit-components.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';

const props = (s: unknown) => Object.keys((s as { properties: Record<string, unknown> }).properties);

describe('component sections in the real tree', () => {
  it('the generated list names the folders with an inventory.ts (regenerate with `npm run schema`)', () => {
    expect(readFileSync(sectionsFile(), 'utf8')).toBe(componentSectionsSource());
    expect(COMPONENT_SECTIONS.map((s) => s.key)).toEqual(['registry', 'monitoring']);
  });

  it("registry and monitoring are the components' own declarations, in their places of before the move", () => {
    const p = (inventorySchema as unknown as { properties: Record<string, unknown> }).properties;
    expect(p.registry).toBe(harborSection.schema);
    expect(p.monitoring).toBe(monitoringSection.schema);
    expect(props(inventorySchema)).toEqual([
      'apiVersion',
      ...['site', 'network', 'kubernetes', 'ssh', 'racks', 'nodes', 'bgp', 'ingress', 'tls', 'identity'],
      ...['registry', 'storage', 'monitoring', 'labs', 'backup', 'versions'],
    ]);
    expect(JSON.parse(schemaText()).properties.registry.properties.projects.default).toEqual([{ name: 'labs' }]);
  });

  it("the monitoring section's rules run with the platform's, under their names", () => {
    expect(typeof RULES.monitoringReceivers).toBe('function');
    expect(RULES.monitoringReceivers).toBe(monitoringSection.rules?.monitoringReceivers);
    expect(RULES.oncallRotation).toBe(monitoringSection.rules?.oncallRotation);
    expect(Object.keys(RULES).slice(-2)).toEqual(['monitoringReceivers', 'oncallRotation']);
  });
});

describe('withSections places and guards component sections', () => {
  const platform = { a: str('A.'), b: str('B.'), z: str('Z.') };
  const sec = <K extends string>(key: K, after?: string) =>
    componentSection({ key, ...(after ? { after } : {}), schema: section(obj(`${key}.`, {})) });

  it('after the key it names (also after another section), else last, in list order', () => {
    const out = withSections(platform, [sec('x', 'a'), sec('last'), sec('y', 'x'), sec('w', 'a')]);
    expect(Object.keys(out)).toEqual(['a', 'x', 'y', 'w', 'b', 'z', 'last']);
  });

  it('refuses a key taken by the platform or by two sections, an unknown `after`, and a cycle', () => {
    expect(() => withSections(platform, [sec('b')])).toThrow('inventory section b is declared twice');
    expect(() => withSections(platform, [sec('x'), sec('x')])).toThrow('inventory section x is declared twice');
    expect(() => withSections(platform, [sec('x', 'nope')])).toThrow(
      'inventory section x: after: nope is not a top-level key',
    );
    expect(() => withSections(platform, [sec('x', 'y'), sec('y', 'x')])).toThrow('form a cycle');
  });

  it("refuses a rule name the platform's rules or another section already use", () => {
    const rule = () => {};
    expect(() => sectionRules([{ ...sec('x'), rules: { courses: rule } }], ['courses'])).toThrow(
      'inventory rule courses (section x) is declared twice',
    );
    expect(Object.keys(sectionRules([{ ...sec('x'), rules: { r1: rule } }, sec('y')], ['courses']))).toEqual(['r1']);
  });

  it('a section with a default fills it (the defaults come from the same declaration)', async () => {
    const { fillDefaults } = await import('../../installer/inventory/schema/build.ts');
    const s = componentSection({ key: 'k', schema: section(obj('K.', { t: dflt(str('T.'), 'x') })) });
    expect(fillDefaults({ properties: withSections(platform, [s]) }, {})).toEqual({ k: { t: 'x' } });
  });
});

// docs/components.md's example inventory.ts, as written there.
const DOC = readFileSync(join(ROOT, 'docs/components.md'), 'utf8');
const EXAMPLE_SECTION = /<!-- inventory-example:begin -->\n```ts\n([\s\S]*?)```\n<!-- inventory-example:end -->/.exec(
  DOC,
)?.[1];

// The smallest component that reads the section (not in the doc, which shows the section only).
const STATUS_PAGE_INDEX = `import type { ComponentBuilder } from '../../model.ts';
import { k8s } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';

const build: ComponentBuilder = ({ site }) => ({
  name: 'status-page', namespace: 'status-page', tier: 'platform',
  manifests: [k8s({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'status-page', namespace: 'status-page' }, data: { title: site.statusPage.title } })],
});
export const component = defineComponent({ name: 'status-page', build });
`;

describe("adding a component's inventory section touches its folder only (plus the generated lists)", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'labctl-section-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  /** A copy of labctl's own files with the status page folder added (node_modules linked). */
  function copyWithStatusPage(name: string): string {
    const root = join(tmp, name);
    for (const d of ['installer', 'gitops']) cpSync(join(ROOT, d), join(root, d), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    const folder = join(root, 'installer/render/components/status-page');
    mkdirSync(folder);
    writeFileSync(join(folder, 'index.ts'), STATUS_PAGE_INDEX);
    writeFileSync(join(folder, 'inventory.ts'), EXAMPLE_SECTION!);
    return root;
  }
  const base = readFileSync(EXAMPLE, 'utf8');
  type Validate = typeof import('../../installer/inventory/validate.ts');

  it('the doc has the example', () => {
    expect(EXAMPLE_SECTION).toContain("key: 'statusPage'");
  });

  it('before `npm run schema` the copy refuses the key (the check below can fail)', async () => {
    const root = copyWithStatusPage('stale');
    const { validateInventoryText } = (await import(join(root, 'installer/inventory/validate.ts'))) as Validate;
    const r = validateInventoryText('inv.yaml', `${base}\nstatusPage:\n  title: Up\n`);
    expect(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')).toMatch(/statusPage/);
  });

  it('after it: in the schema after monitoring, validated, defaulted, checked by its rule, read by build', async () => {
    const root = copyWithStatusPage('regenerated');
    // What `npm run schema` does first: the copy's own generator over the copy's folders.
    const emit = (await import(
      join(root, 'installer/render/emit-components.ts')
    )) as typeof import('../../installer/render/emit-components.ts');
    const dir = join(root, 'installer/render/components');
    writeFileSync(join(dir, 'index.ts'), emit.componentIndexSource(dir));
    writeFileSync(emit.sectionsFile(dir), emit.componentSectionsSource(dir));
    const changed = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        const p = join(d, e.name);
        if (e.isDirectory()) return changed(p);
        const was = (() => {
          try {
            return readFileSync(join(ROOT, relative(root, p)), 'utf8');
          } catch {
            return undefined;
          }
        })();
        return was === readFileSync(p, 'utf8') ? [] : [relative(root, p)];
      });
    expect(changed(join(root, 'installer')).sort()).toEqual([
      'installer/inventory/schema/component-sections.ts',
      'installer/render/components/index.ts',
      'installer/render/components/status-page/index.ts',
      'installer/render/components/status-page/inventory.ts',
    ]);

    const schema = JSON.parse(
      ((await import(join(root, 'installer/inventory/schema/emit.ts'))) as { schemaText: () => string }).schemaText(),
    );
    expect(Object.keys(schema.properties).slice(-5)).toEqual([
      'monitoring',
      'statusPage',
      'labs',
      'backup',
      'versions',
    ]);
    expect(schema.properties.statusPage.properties.title).toMatchObject({
      default: 'Lab cloud status',
      description: 'Title of the page. Default: "Lab cloud status"',
    });

    const { validateInventoryText } = (await import(join(root, 'installer/inventory/validate.ts'))) as Validate;
    const ok = validateInventoryText('inv.yaml', base);
    expect(ok.errors).toEqual([]);
    expect((ok.site as unknown as { statusPage: unknown }).statusPage).toEqual({ title: 'Lab cloud status' });

    const typo = validateInventoryText('inv.yaml', `${base}\nstatusPage:\n  titel: Up\n`);
    expect(typo.errors.map((e) => `${e.path}: ${e.message}`).join('\n')).toMatch(/statusPage.*titel/);

    const lines = base.split('\n').length;
    const outside = validateInventoryText('inv.yaml', `${base}\nstatusPage:\n  hostname: status.example.org\n`);
    expect(outside.errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`)).toEqual([
      `inv.yaml:${lines + 2} statusPage.hostname: status page host name status.example.org is outside the site domain ${ok.site!.site.domain}`,
    ]);

    const { COMPONENTS } = (await import(
      join(root, 'installer/render/components/index.ts')
    )) as typeof import('../../installer/render/components/index.ts');
    const built = COMPONENTS.find((c) => c.name === 'status-page')!.build({ site: ok.site! } as never);
    expect((built as { manifests?: unknown[] } | null)?.manifests?.[0]).toMatchObject({
      data: { title: 'Lab cloud status' },
    });
  });
});
