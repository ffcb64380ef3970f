// The inventory, declared once: this TypeBox value is the JSON Schema (schema.json, the ajv validators),
// its Static type is the `Inventory` type (types.ts) and its `default`s are the defaults (defaults.ts).
// The platform's sections are declared here; a component's own section (Harbor's registry, monitoring)
// in its folder's inventory.ts, listed by the generated component-sections.ts and placed by withSections.
import { obj, raw } from './build.ts';
import type { Schema } from './dsl.ts';
import { site, network, kubernetes } from './site.ts';
import { ssh, racks, nodes } from './nodes.ts';
import { bgp } from './bgp.ts';
import { ingress, tls, identity, storage, versions } from './services.ts';
import { labs } from './monitoring.ts';
import { backup } from './backup.ts';
import { withSections } from './component-section.ts';
import { COMPONENT_SECTIONS } from './component-sections.ts';

export const SCHEMA_ID = 'https://campus-lab-platform.dev/schemas/inventory.json';

export const inventoryDeclaration = obj(
  'A campus lab cloud site: servers, network, BGP, services, on-call and courses.',
  withSections(
    {
      apiVersion: raw<1>({ type: 'integer', description: 'Version of the inventory format. Only 1 exists.', const: 1 }),
      site,
      network,
      kubernetes,
      ssh,
      racks,
      nodes,
      bgp,
      ingress,
      tls,
      identity,
      storage,
      labs,
      backup,
      versions,
    },
    COMPONENT_SECTIONS,
  ),
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'labctl site inventory',
    // Top-level keys starting with x- are ignored: a place for YAML anchors that nodes merge (`<<: *anchor`).
    patternProperties: {
      '^x-': {
        description:
          'Ignored by labctl: holds YAML anchors shared with merge keys, e.g. x-storage-node: &storage {rack: r1, roles: [storage]} then nodes: [{<<: *storage, name: node1, ...}].',
      },
    },
  },
);

/** The same object, also seen as a plain JSON Schema (a record of keywords) by the code that walks it. */
export const inventorySchema = inventoryDeclaration as typeof inventoryDeclaration & Schema;
