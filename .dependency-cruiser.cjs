/**
 * The layering of labctl, checked by `npm run lint` (and so by `npm test`):
 *   core/       generic tools (YAML positions, schema checks, atomic writes); imports nothing of labctl
 *   inventory/  the inventory's shape, defaults and rules; imports only core/, and the components' own
 *               sections through one generated file (inventory/schema/component-sections.ts)
 *   render/components/<name>/inventory.ts  a component's inventory section: a leaf that imports only the
 *               inventory's schema builders and rule contract, so inventory/ may import it
 *   render/components/<name>/  one platform component; never imports another component (shared
 *               contracts live in render/platform/, render/model.ts and core/)
 * and no import cycles. Type-only imports count: a type from an upper layer is a dependency too.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-upward',
      comment: 'installer/core holds generic tools: it may import only core/ itself (and packages).',
      severity: 'error',
      from: { path: '^installer/core/' },
      to: { path: '^(installer|bin|test|bench)/', pathNot: '^installer/core/' },
    },
    {
      name: 'inventory-imports-upward',
      comment:
        'installer/inventory may import only inventory/ and core/ (render, cluster, cli build on it), ' +
        'validators/inventory.ts: its own schema compiled by `npm run schema` (imports only ajv and core), and ' +
        "the components' inventory sections (render/components/<name>/inventory.ts, leaves: see below).",
      severity: 'error',
      from: { path: '^installer/inventory/' },
      to: {
        path: '^(installer|bin|test|bench)/',
        pathNot: '^installer/((inventory|core)/|validators/inventory[.]ts$|render/components/[^/]+/inventory[.]ts$)',
      },
    },
    {
      name: 'inventory-reads-components-in-one-place',
      comment:
        "The inventory layer reaches the components' sections only through the generated " +
        'inventory/schema/component-sections.ts (`npm run schema` lists the folders with an inventory.ts).',
      severity: 'error',
      from: { path: '^installer/inventory/', pathNot: '^installer/inventory/schema/component-sections[.]ts$' },
      to: { path: '^installer/render/components/' },
    },
    {
      name: 'component-inventory-is-a-leaf',
      comment:
        "A component's inventory.ts is imported by the inventory layer, so it may import only the schema " +
        'builders (inventory/schema/build.ts, dsl.ts, component-section.ts) and the rule contract ' +
        '(inventory/rules/context.ts): nothing of render, not even its own folder.',
      severity: 'error',
      from: { path: '^installer/render/components/[^/]+/inventory[.]ts$' },
      to: {
        path: '^(installer|bin|test|bench)/',
        pathNot: '^installer/inventory/(schema/(build|dsl|component-section)|rules/context)[.]ts$',
      },
    },
    {
      name: 'component-imports-component',
      comment:
        'A component (installer/render/components/<name>/ or, before the move, <name>.ts) never imports ' +
        'another one: what two components share belongs in render/platform/, render/model.ts or core/.',
      severity: 'error',
      // index.ts is the list of components, the one module that imports them all.
      from: { path: '^installer/render/components/([^/.]+)', pathNot: '^installer/render/components/index[.]ts$' },
      to: { path: '^installer/render/components/', pathNot: '^installer/render/components/$1(/|[.]ts$)' },
    },
    {
      name: 'render-reads-no-files',
      comment:
        'Render gets every input from its caller (render/inputs.ts gathers them) and writes only through ' +
        'render/write.ts; render/text.ts reads labctl\'s own templates. No other module of render/ touches files.',
      severity: 'error',
      from: { path: '^installer/render/', pathNot: '^installer/render/(inputs|write|text|emit-components)[.]ts$' },
      to: { dependencyTypes: ['core'], path: '^(node:)?fs(/promises)?$' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make load order matter and hide which layer owns what. Type-only imports are erased at run time, so a cycle through them alone (model.ts <-> a platform contract) is allowed.',
      severity: 'error',
      from: { path: '^installer/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
