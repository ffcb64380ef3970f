/**
 * The layering of labctl, checked by `npm run lint` (and so by `npm test`):
 *   core/       generic tools (YAML positions, schema checks, atomic writes); imports nothing of labctl
 *   inventory/  the inventory's shape, defaults and rules; imports only core/
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
        'installer/inventory may import only inventory/ and core/ (render, cluster, cli build on it), and ' +
        'validators/inventory.ts: its own schema compiled by `npm run schema` (imports only ajv and core).',
      severity: 'error',
      from: { path: '^installer/inventory/' },
      to: { path: '^(installer|bin|test|bench)/', pathNot: '^installer/((inventory|core)/|validators/inventory[.]ts$)' },
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
