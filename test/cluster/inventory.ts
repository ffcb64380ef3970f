// Inventories for the fake rack: the example inventory with the rack's subnet, nodes and SSH key.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE } from '../helpers.ts';
import type { FakeRack } from './fakerack.ts';

export interface TestNode {
  name: string;
  roles: string[];
  disks?: string[];
  /** Address override (e.g. the rack's dead address for an unreachable node). */
  address?: string;
}

export function rackInventory(
  rack: FakeRack,
  nodes: TestNode[],
  extra: { kubernetes?: Record<string, unknown>; network?: Record<string, unknown>; backup?: boolean } = {},
): Record<string, unknown> {
  const inv = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>;
  inv.network = {
    ...inv.network,
    subnets: [{ name: 'rack', cidr: rack.subnet, gateway: rack.gateway }],
    ...extra.network,
  };
  inv.racks = [{ name: 'r1', subnet: 'rack' }];
  inv.nodes = nodes.map((n) => ({
    name: n.name,
    rack: 'r1',
    address: n.address ?? rack.address(n.name),
    roles: n.roles,
    ...(n.disks ? { disks: n.disks } : {}),
  }));
  inv.kubernetes = { ...inv.kubernetes, apiVip: rack.gateway.replace(/\.1$/, '.200'), ...extra.kubernetes };
  inv.ssh = { user: 'root', port: 22, privateKeyFile: rack.keyFile };
  inv.bgp.routers = inv.bgp.routers.slice(0, 1).map((r: Record<string, unknown>) => ({ ...r, racks: ['r1'] }));
  inv.storage = { failureDomain: 'host', replicas: 1 };
  if (!nodes.some((n) => n.roles.includes('vm-host'))) delete inv.labs.courses;
  // The rack has no S3 store; the etcd snapshot step needs credentials (test/cluster/etcd-snapshot-step.test.ts adds them).
  if (!extra.backup) delete inv.backup;
  return inv;
}

export function writeInventory(dir: string, inv: Record<string, unknown>, name = 'inventory.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(inv));
  return file;
}
