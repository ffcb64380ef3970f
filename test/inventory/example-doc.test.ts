// inventory.example.yaml's comments against the inventory declaration, key by key (example-doc.ts), and
// the declaration's defaults against what the Site gets. Each check is shown failing on a weakened copy.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Value } from 'typebox/value';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EXAMPLE } from '../helpers.ts';
import { inventorySchema } from '../../installer/inventory/schema/index.ts';
import { fillDefaults, showDefault } from '../../installer/inventory/schema/build.ts';
import { declaredDefaults, withDefaults } from '../../installer/inventory/defaults.ts';
import type { Inventory } from '../../installer/inventory/types.ts';
import { checkExample, readExample, schemaKeys, statedDefault } from './example-doc.ts';

const text = readFileSync(EXAMPLE, 'utf8');
const schema = () => JSON.parse(JSON.stringify(inventorySchema));
/** The example with one exact piece of text replaced (which must be there once). */
const edit = (from: string, to: string) => {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
};

describe('inventory.example.yaml documents the declaration key by key', () => {
  it('every key of the schema is documented, no other key is used, every stated default is the declared one', () => {
    expect(checkExample(text, schema())).toEqual([]);
  });

  it("reads the comment of each key: above it, in a list's table, above a commented-out key, across a block's end", () => {
    const { docs, used } = readExample(text);
    expect(docs.get('ssh.port')).toBe('OPTIONAL. SSH port. Default: 22');
    expect(docs.get('nodes[].disks[].size')).toMatch(
      /^OPTIONAL .*\nx storage.replicas .* Default: unknown \(capacity says so\)$/,
    );
    expect(docs.get('nodes[].cpu')).toMatch(/^OPTIONAL {2}CPU threads/); // not the remark after vmh6's ssh
    expect(docs.get('tls.internalCa.commonName')).toBe('REQUIRED. Common name of the CA certificate.');
    expect(docs.get('kubernetes')).toBe('REQUIRED. The Kubernetes control plane kubeadm creates.');
    expect(docs.get('registry')).toBe('OPTIONAL. Harbor, the site registry.');
    expect(used).toContain('identity.federation.oidc.clientSecretRef'); // commented out
    expect(used).toContain('nodes[].ssh.port'); // in a flow mapping of one item
    // Schema and example agree on the number of documented keys.
    expect(docs.size).toBe(schemaKeys(schema()).size);
    expect(docs.size).toBeGreaterThan(150);
  });

  it('reads a stated default as YAML, with a closing remark', () => {
    expect(statedDefault('OPTIONAL. NTP. Default: [] (the OS default pool)')).toEqual({ stated: true, value: [] });
    expect(statedDefault('OPTIONAL. x\nDefault: {days: [monday], start: "08:00"}')).toEqual({
      stated: true,
      value: { days: ['monday'], start: '08:00' },
    });
    expect(statedDefault('OPTIONAL. Time. Default: "09:00"')).toEqual({ stated: true, value: '09:00' });
    expect(statedDefault('REQUIRED. Name.')).toEqual({ stated: false });
  });

  // Each fault, made in a copy of the example or of the schema, is reported as exactly that.
  const faults: [string, () => string[], string[]][] = [
    [
      "a key's comment removed",
      () => checkExample(edit('  # OPTIONAL. SSH port. Default: 22\n', ''), schema()),
      ['ssh.port: not documented in the example'],
    ],
    [
      "a row of a list's table removed",
      () =>
        checkExample(
          edit('  #   vlan     OPTIONAL  VLAN id, for documentation and the router snippets\n', ''),
          schema(),
        ),
      ['network.subnets[].vlan: not documented in the example'],
    ],
    [
      "a commented-out key's comment removed",
      () => checkExample(edit('  #   # REQUIRED. Common name of the CA certificate.\n', ''), schema()),
      ['tls.internalCa.commonName: not documented in the example'],
    ],
    [
      'a stated default that is not the declared one',
      () =>
        checkExample(
          edit('How long Prometheus keeps metrics. Default: 15d', 'How long Prometheus keeps metrics. Default: 30d'),
          schema(),
        ),
      ['monitoring.retention: the comment says Default: "30d", the schema "15d"'],
    ],
    [
      'a declared default the example does not state',
      () =>
        checkExample(edit('Branch or tag ArgoCD follows. Default: main', 'Branch or tag ArgoCD follows.'), schema()),
      ['site.gitRevision: the schema\'s default "main" is not stated (Default: ...)'],
    ],
    [
      'a derived default the example does not state',
      () => checkExample(edit('Keycloak realm name. Default: the site name', 'Keycloak realm name.'), schema()),
      ['identity.realm: the schema describes a default; the comment states none'],
    ],
    [
      'a default claimed for a key that has none',
      () =>
        checkExample(
          edit("# REQUIRED. The cluster's own AS number", "# REQUIRED. Default: 64512. The cluster's own AS number"),
          schema(),
        ),
      ['bgp.clusterAsn: the comment states a default the schema does not have'],
    ],
    [
      'OPTIONAL said of a required key',
      () => checkExample(edit('# REQUIRED. Campus DNS resolvers', '# OPTIONAL. Campus DNS resolvers'), schema()),
      ['network.dnsServers: the comment says OPTIONAL, the schema requires it'],
    ],
    [
      'a key the schema does not have',
      () =>
        checkExample(
          edit('  gitRevision: main\n', '  gitRevision: main\n  # OPTIONAL. A colour.\n  colour: blue\n'),
          schema(),
        ),
      ['site.colour: in the example but not in the schema'],
    ],
    [
      'a commented-out key the schema does not have',
      () =>
        checkExample(
          edit(
            '  # aptProxy: http://apt-cache.example.edu:3142\n',
            '  # aptProxy: http://apt-cache.example.edu:3142\n  #\n  # OPTIONAL. Proxy for pip.\n  # pipProxy: http://x\n',
          ),
          schema(),
        ),
      ['network.pipProxy: in the example but not in the schema'],
    ],
    [
      'a default changed in the declaration only',
      () => {
        const s = schema();
        s.properties.ssh.properties.port.default = 2222;
        return checkExample(text, s);
      },
      ['ssh.port: the comment says Default: 22, the schema 2222'],
    ],
    [
      'a key added to the declaration only',
      () => {
        const s = schema();
        s.properties.ingress.properties.className = { type: 'string', description: 'Class.' };
        return checkExample(text, s);
      },
      ['ingress.className: not documented in the example'],
    ],
    [
      'an enum value added to the declaration does not need the example changed',
      () => {
        const s = schema();
        s.properties.ingress.properties.controller.enum.push('envoy-gateway');
        return checkExample(text, s);
      },
      [],
    ],
  ];
  it.each(faults)('%s', (_name, run, expected) => {
    expect(run()).toEqual(expected);
  });
});

/** Every value at a key path of schemaKeys() (`bgp.routers[].bfd`) in a document. */
function valuesAt(doc: unknown, path: string): { parent: Record<string, unknown>; key: string }[] {
  let cur: { parent: any; key: string }[] = [{ parent: { root: doc }, key: 'root' }];
  for (const seg of path.split('.')) {
    const [name, ...lists] = seg.split('[]');
    cur = cur
      .map((c) => ({ parent: c.parent[c.key], key: name! }))
      .filter((c) => c.parent && typeof c.parent === 'object');
    for (let i = 0; i < lists.length; i++) {
      cur = cur.flatMap((c) =>
        Array.isArray(c.parent[c.key])
          ? c.parent[c.key].map((_: unknown, j: number) => ({ parent: c.parent[c.key], key: String(j) }))
          : [],
      );
    }
  }
  return cur;
}

describe('the declared defaults are the defaults', () => {
  const example = parse(text) as Inventory;
  const statics = [...schemaKeys(schema())].filter(([, k]) => k.hasDefault === 'static');

  it('each description ends with its declared default, written so that YAML reads it back', () => {
    for (const [p, k] of statics) {
      const at = p.split('.').reduce((s: any, seg) => {
        const [name, ...lists] = seg.split('[]');
        let x = s.properties[name!];
        for (let i = 0; i < lists.length; i++) x = x.items;
        return x;
      }, schema());
      expect(statedDefault(at.description), p).toEqual({ stated: true, value: k.default });
    }
    const tricky = [
      'true',
      'null',
      '~',
      '1e5',
      '42',
      '-1',
      '',
      'a: b',
      'x:',
      '08:00',
      '10.244.0.0/16',
      '~/.ssh/id',
      '#x',
      'a, b',
      '[x]',
      '{x}',
      "it's",
    ];
    for (const v of [...tricky, tricky, { a: tricky, b: [1, true, 1.5] }])
      expect(parse(showDefault(v)), String(v)).toEqual(v);
  });

  it('every declared default is a valid value of its key', () => {
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
    const bad: string[] = [];
    const walk = (s: any, path: string) => {
      if (!s || typeof s !== 'object') return;
      if ('default' in s && !ajv.validate({ ...s, $schema: undefined }, s.default))
        bad.push(`${path}: ${ajv.errorsText()}`);
      for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, `${path}.${k}`);
      if (s.items) walk(s.items, `${path}[]`);
    };
    walk(schema(), '');
    expect(bad).toEqual([]);
    // The check can fail: a default outside its key's range is caught.
    const s = schema();
    s.properties.storage.properties.replicas.default = 9;
    bad.length = 0;
    walk(s, '');
    expect(bad).toEqual(['.storage.replicas: data must be <= 7']);
  });

  it.each(statics.map(([p, k]) => [p, k.default]))('%s absent from the example becomes %j', (path, value) => {
    const doc = structuredClone(example) as unknown;
    const spots = valuesAt(doc, path);
    // The example has the key's parent (else this default would be untested).
    expect(spots.length, `no ${path.replace(/\.[^.]+$/, '')} in the example`).toBeGreaterThan(0);
    for (const { parent, key } of spots) delete parent[key];
    const before = JSON.stringify(doc);
    const filled = declaredDefaults(doc as Inventory);
    // (A default's own keys get their defaults too: registry.projects becomes [{name: labs, public: false}].)
    for (const { parent, key } of valuesAt(filled, path)) {
      if (value && typeof value === 'object') expect(parent[key]).toMatchObject(value as object);
      else expect(parent[key]).toEqual(value);
    }
    expect(valuesAt(filled, path)).toHaveLength(spots.length);
    expect(JSON.stringify(doc)).toBe(before); // the inventory as written is not changed
    // The small helper fills in exactly what TypeBox's own Value.Default does.
    expect(filled).toEqual(Value.Default(inventorySchema, structuredClone(doc)));
  });

  it("fillDefaults agrees with TypeBox's Value.Default on the example, and the comparison can fail", () => {
    expect(declaredDefaults(example)).toEqual(Value.Default(inventorySchema, structuredClone(example)));
    const s = schema();
    delete s.properties.monitoring.properties.retention.default; // a weakened copy: one default not applied
    const minimal = { ...structuredClone(example), monitoring: {} } as Inventory;
    expect(fillDefaults(s, minimal)).not.toEqual(Value.Default(inventorySchema, structuredClone(minimal)));
    expect(fillDefaults(inventorySchema, minimal)).toEqual(Value.Default(inventorySchema, structuredClone(minimal)));
  });

  it('a minimal inventory gets the defaults in the Site, and the derived ones', () => {
    const minimal = {
      apiVersion: 1,
      site: { name: 'lab', domain: 'lab.example.edu', timezone: 'UTC', gitRepo: 'https://git.example.edu/lab.git' },
      network: { subnets: [{ name: 'n', cidr: '10.0.0.0/24', gateway: '10.0.0.1' }], dnsServers: ['10.0.0.53'] },
      kubernetes: { apiVip: '10.0.0.10', apiDnsName: 'k8s.lab.example.edu' },
      racks: [{ name: 'r1', subnet: 'n' }],
      nodes: [{ name: 'a', rack: 'r1', address: '10.0.0.11', roles: ['control-plane'], ssh: { port: 2200 } }],
      bgp: {
        clusterAsn: 64600,
        routers: [{ name: 'r', address: '10.0.0.1', asn: 65000 }],
        pools: [{ name: 'p', cidr: '10.1.0.0/28' }],
      },
      tls: { mode: 'internal-ca', internalCa: { commonName: 'CA', keyPairRef: 'tls/ca' } },
      identity: { admins: ['jdoe'] },
    } as Inventory;
    const site = withDefaults(minimal, 'x.yaml');
    expect(site.nodes[0]!.ssh).toEqual({ user: 'root', port: 2200, privateKeyFile: '~/.ssh/id_ed25519' });
    expect(site.network).toMatchObject({
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.96.0.0/12',
      ntpServers: [],
      aptProxy: '',
    });
    expect(site.storage).toEqual({ failureDomain: 'host', replicas: 3 });
    expect(site.ingress).toEqual({ controller: 'ingress-nginx', pool: 'p', address: '10.1.0.1' });
    expect(site.registry).toEqual({
      hostname: 'harbor.lab.example.edu',
      projects: [{ name: 'labs', public: false }],
      proxyCaches: [],
    });
    expect(site.monitoring).toMatchObject({
      retention: '15d',
      logRetention: '14d',
      receivers: [],
      maintenanceWindows: [],
    });
    expect(site.monitoring.labHours).toEqual(site.monitoring.workingHours);
    expect(site.monitoring.workingHours).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '08:00',
      end: '18:00',
    });
    expect(site.labs).toEqual({ path: 'labs', overcommit: { cpu: 4, memory: 1 }, protectedCidrs: [], courses: [] });
    expect(site.bgp.routers[0]).toMatchObject({ bfd: false, racks: ['r1'] });
    expect(site.bgp.pools[0]!.autoAssign).toBe(true);
    expect(site.site.gitBrowseUrl).toBe('https://git.example.edu/lab/-/blob/main');
    expect(site.identity.realm).toBe('lab');
    expect(site.versions).toEqual({});
    expect(site.inventory).toBe(minimal);
    expect(minimal).not.toHaveProperty('storage');
  });
});
