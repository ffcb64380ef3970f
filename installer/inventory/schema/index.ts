import { obj, int, type Schema } from './dsl.ts';
import { site, network, kubernetes } from './site.ts';
import { ssh, racks, nodes } from './nodes.ts';
import { bgp } from './bgp.ts';
import { ingress, tls, identity, registry, storage, versions } from './services.ts';
import { monitoring, labs } from './monitoring.ts';

export const SCHEMA_ID = 'https://campus-lab-platform.dev/schemas/inventory.json';

export const inventorySchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: SCHEMA_ID,
  title: 'labctl site inventory',
  ...obj('A campus lab cloud site: servers, network, BGP, services, on-call and courses.', {
    apiVersion: int('Version of the inventory format. Only 1 exists.', { const: 1 }),
    site, network, kubernetes, ssh, racks, nodes, bgp, ingress, tls, identity, registry, storage, monitoring, labs, versions,
  }, ['apiVersion', 'site', 'network', 'kubernetes', 'racks', 'nodes', 'bgp', 'tls', 'identity'], {
    // Top-level keys starting with x- are ignored: a place for YAML anchors that nodes merge (`<<: *anchor`).
    patternProperties: { '^x-': { description: 'Ignored by labctl: holds YAML anchors shared with merge keys, e.g. x-storage-node: &storage {rack: r1, roles: [storage]} then nodes: [{<<: *storage, name: node1, ...}].' } },
  }),
};
