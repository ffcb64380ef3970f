// The networking layer of `labctl render`: MetalLB and Calico objects and values, the campus router
// configurations (checked by FRR's own parser, bgpd --dryrun) and the DNS zone snippet.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { formatDiagnostic } from '../../installer/core/diagnostics.ts';
import { fillRouterPassword, passwordRefs } from '../../installer/render/components/metallb/router-config.ts';
import { EXAMPLE, fixture } from '../helpers.ts';
import { metallbKinds, nodesOfPeer, renderInventory, type Rendered } from './rendered.ts';

const BGP_LAB = fixture('inventory', 'valid', 'bgp-lab.yaml');
let tmp: string;
let example: Rendered;
let lab: Rendered;

/** The example inventory with `calicoPeers: []` replaced, written to a temp file. */
function exampleWithCalicoPeers(peers: string): string {
  const text = readFileSync(EXAMPLE, 'utf8');
  expect(text).toContain('  calicoPeers: []\n');
  const file = join(tmp, `calico-peers-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text.replace('  calicoPeers: []\n', `  calicoPeers:\n${peers}`));
  return file;
}

/** FRR's own parser: bgpd --dryrun prints a message for every bad line (its exit code stays 0); '' = accepted. */
function bgpdDryRun(text: string, name: string): string {
  const file = join(tmp, `${name}.conf`);
  writeFileSync(file, text);
  const r = spawnSync(
    '/usr/lib/frr/bgpd',
    ['-C', '-Z', '-f', file, '-i', join(tmp, `${name}.pid`), '--vty_socket', tmp, '-u', 'frr', '-g', 'frr'],
    { encoding: 'utf8' },
  );
  if (r.error) throw new Error(`bgpd must be installed (Debian package frr): ${r.error.message}`);
  // FRR keeps a crash-log folder /var/tmp/frr/bgpd.<pid>; one left by an earlier bgpd with the same
  // (recycled) pid makes it print two lines that say nothing about the configuration.
  const noise =
    /^\S+ \S+ BGP: \[\S+\] (failed to mkdir "\/var\/tmp\/frr\/bgpd\.\d+": File exists|crashlog and per-thread log buffering unavailable!)$/;
  const out = `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => l && !noise.test(l))
    .map((l) => `${l}\n`)
    .join('');
  return `${out}${r.status === 0 ? '' : `exit ${r.status}`}`;
}

const app = (r: Rendered, name: string) =>
  r
    .kind<{
      spec: {
        project: string;
        syncPolicy: { syncOptions: string[]; managedNamespaceMetadata?: { labels: Record<string, string> } };
      };
      metadata: { name: string; annotations: Record<string, string> };
    }>('argoproj.io/v1alpha1', 'Application')
    .find((a) => a.metadata.name === name);
const values = (r: Rendered, name: string) =>
  r.result.components.find((c) => c.name === name)?.chart?.values as Record<string, any> | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lbgp-unit-'));
  chmodSync(tmp, 0o755); // bgpd --dryrun reads the files as user frr
  [example, lab] = await Promise.all([renderInventory(EXAMPLE), renderInventory(BGP_LAB)]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MetalLB objects of the example inventory', () => {
  it('has one IPAddressPool and one /32 BGPAdvertisement per inventory pool', () => {
    const { pools, adverts } = metallbKinds(example);
    expect(pools.map((p) => [p.metadata.namespace, p.metadata.name, p.spec.addresses, p.spec.autoAssign])).toEqual([
      ['metallb-system', 'campus', ['10.20.0.0/26'], true],
      ['metallb-system', 'public', ['192.0.2.32/28'], false],
    ]);
    expect(adverts.map((a) => [a.metadata.name, a.spec.ipAddressPools, a.spec.aggregationLength])).toEqual([
      ['campus', ['campus'], 32],
      ['public', ['public'], 32],
    ]);
  });

  it('has one BGPPeer per campus router, with password Secret, BFD and per-rack node selectors', () => {
    const { peers, bfd } = metallbKinds(example);
    expect(peers.map((p) => p.metadata.name)).toEqual(['tor-r1', 'tor-r2', 'tor-r3']);
    const r1 = peers[0]!;
    expect(r1.spec).toEqual({
      myASN: 64600,
      peerASN: 65010,
      peerAddress: '10.10.1.1',
      passwordSecret: { name: 'bgp-tor-r1', namespace: 'metallb-system' },
      bfdProfile: 'campus-routers',
      nodeSelectors: [
        {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['r1'] },
            { key: 'node.kubernetes.io/exclude-from-external-load-balancers', operator: 'DoesNotExist' },
          ],
        },
      ],
    });
    // Each router gets the speakers of its own rack, never the control-plane nodes.
    expect(peers.map((p) => nodesOfPeer(example.site, p).map((n) => n.name))).toEqual([
      ['vmh1', 'vmh2', 'stor1'],
      ['vmh3', 'vmh4', 'stor2'],
      ['vmh5', 'vmh6', 'stor3'],
    ]);
    expect(bfd.map((b) => [b.metadata.name, b.spec])).toEqual([
      ['campus-routers', { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 }],
    ]);
  });

  it('asks the site for the router passwords (basic-auth Secrets MetalLB reads), never generates them', () => {
    const needs = example.result.secrets.filter((s) => s.namespace === 'metallb-system');
    expect(needs.map((s) => [s.ref, s.name, s.key, s.generate.kind, s.type])).toEqual([
      ['bgp/tor-r1', 'bgp-tor-r1', 'password', 'external', 'kubernetes.io/basic-auth'],
      ['bgp/tor-r2', 'bgp-tor-r2', 'password', 'external', 'kubernetes.io/basic-auth'],
      ['bgp/tor-r3', 'bgp-tor-r3', 'password', 'external', 'kubernetes.io/basic-auth'],
    ]);
  });

  it('deploys the chart (frr-k8s backend, metrics on) before its configuration, in a privileged namespace', () => {
    const chart = app(example, 'metallb')!;
    const config = app(example, 'metallb-config')!;
    expect(Number(chart.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(
      Number(config.metadata.annotations['argocd.argoproj.io/sync-wave']),
    );
    expect(chart.spec.syncPolicy.managedNamespaceMetadata?.labels['pod-security.kubernetes.io/enforce']).toBe(
      'privileged',
    );
    const v = values(example, 'metallb')!;
    expect(v.frrk8s).toEqual({ enabled: true, external: false });
    expect(v.speaker.frr.enabled).toBe(false);
    expect(v.prometheus.serviceMonitor.enabled).toBe(true);
    expect(v.prometheus.prometheusRule.enabled).toBe(true);
  });
});

describe('Calico', () => {
  it('uses VXLANCrossSubnet without BGP when the racks are routed (example: four node subnets)', () => {
    const v = values(example, 'tigera-operator')!;
    const net = v.installation.calicoNetwork;
    expect(net.bgp).toBe('Disabled');
    expect(net.ipPools).toEqual([
      {
        name: 'default-ipv4',
        cidr: '10.244.0.0/16',
        encapsulation: 'VXLANCrossSubnet',
        natOutgoing: 'Enabled',
        blockSize: 26,
        nodeSelector: 'all()',
      },
    ]);
    expect(net.nodeAddressAutodetectionV4).toEqual({
      cidrs: ['10.10.0.0/24', '10.10.1.0/24', '10.10.2.0/24', '10.10.3.0/24'],
    });
    expect(app(example, 'calico-bgp')).toBeUndefined();
  });

  it('uses no encapsulation and the BGP node mesh when all nodes share one subnet (bgp-lab fixture)', () => {
    const net = values(lab, 'tigera-operator')!.installation.calicoNetwork;
    expect(net.bgp).toBe('Enabled');
    expect(net.ipPools[0].encapsulation).toBe('None');
    expect(net.nodeAddressAutodetectionV4.cidrs).toEqual(['198.18.1.0/24']);
  });

  it('installs the CRD chart first and server-side, then the operator', () => {
    const crds = app(example, 'calico-crds')!;
    const op = app(example, 'tigera-operator')!;
    expect(crds.spec.project).toBe('crds');
    expect(crds.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(Number(crds.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(
      Number(op.metadata.annotations['argocd.argoproj.io/sync-wave']),
    );
  });

  it('peers Calico with calicoPeers only (a spine), with the cluster ASN and a password Secret it may read', async () => {
    const r = await renderInventory(
      exampleWithCalicoPeers('    - {name: spine1, address: 10.10.250.1, asn: 65000, passwordRef: bgp/spine1}\n'),
    );
    expect(values(r, 'tigera-operator')!.installation.calicoNetwork.bgp).toBe('Enabled');
    expect(r.kind('projectcalico.org/v3', 'BGPConfiguration')).toEqual([
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'BGPConfiguration',
        metadata: { name: 'default' },
        spec: { asNumber: 64600, nodeToNodeMeshEnabled: true },
      },
    ]);
    expect(r.kind('projectcalico.org/v3', 'BGPPeer')).toEqual([
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'BGPPeer',
        metadata: { name: 'spine1' },
        spec: {
          peerIP: '10.10.250.1',
          asNumber: 65000,
          nodeSelector: 'all()',
          password: { secretKeyRef: { name: 'bgp-spine1', key: 'password' } },
        },
      },
    ]);
    const role = r
      .kind<{ metadata: { namespace: string }; rules: { resourceNames: string[] }[] }>(
        'rbac.authorization.k8s.io/v1',
        'Role',
      )
      .find((x) => x.metadata.namespace === 'calico-system')!;
    expect(role.rules[0]!.resourceNames).toEqual(['bgp-spine1']);
    expect(r.result.secrets.find((s) => s.ref === 'bgp/spine1')).toMatchObject({
      namespace: 'calico-system',
      name: 'bgp-spine1',
      generate: { kind: 'external' },
    });
    expect(app(r, 'calico-bgp')!.spec.syncPolicy.syncOptions).toContain('SkipDryRunOnMissingResource=true');
    // MetalLB's side is unchanged: the campus routers are still MetalLB's alone.
    expect(r.files.get('routers/tor-r1.frr.conf')).toBe(example.files.get('routers/tor-r1.frr.conf'));
  });

  it('validate rejects a campus router that Calico would peer with too (oneSpeakerPerRouter)', () => {
    const file = exampleWithCalicoPeers('    - {name: tor, address: 10.10.2.1, asn: 65010}\n');
    const r = validateInventoryFile(file);
    expect(r.site).toBeUndefined();
    expect(r.errors.map((d) => formatDiagnostic({ ...d, file: '' }))).toEqual([
      expect.stringMatching(
        /^:\d+:\d+ bgp\.calicoPeers\[0\]\.address: router 10\.10\.2\.1 is peered by both Calico \(calicoPeers\[0\]\) and MetalLB \(bgp\.routers\[1\]\.address \(line \d+\)\)/,
      ),
    ]);
  });
});

describe('validate: routers without speakers', () => {
  it('warns when a router serves only racks of control-plane nodes (they never peer)', () => {
    const text = readFileSync(BGP_LAB, 'utf8')
      .replace('  - {name: r1, subnet: rack1}\n', '  - {name: r1, subnet: rack1}\n  - {name: r2, subnet: rack1}\n')
      .replace('{name: cp1, rack: r1,', '{name: cp1, rack: r2,')
      .replace('racks: [r1]}\n', 'racks: [r1]}\n    - {name: tor-r2, address: 198.18.1.2, asn: 65010, racks: [r2]}\n');
    const file = join(tmp, 'cp-only-rack.yaml');
    writeFileSync(file, text);
    const r = validateInventoryFile(file);
    expect(r.errors.map((d) => formatDiagnostic(d))).toEqual([]);
    expect(r.warnings.map((d) => `${d.path}: ${d.message}`)).toContain(
      'bgp.routers[1].name: router tor-r2 would have no BGP session: its racks (r2) hold no node that runs workloads, and control-plane-only nodes do not announce LoadBalancer addresses',
    );
  });
});

describe('campus router configuration (FRR)', () => {
  const conf = () => example.files.get('routers/tor-r2.frr.conf')!;

  it('accepts exactly the LoadBalancer pools (up to /32) and sends nothing', () => {
    const lines = conf().split('\n');
    expect(lines.filter((l) => l.startsWith('ip prefix-list K8S-CS-LAB-LB-POOLS '))).toEqual([
      'ip prefix-list K8S-CS-LAB-LB-POOLS seq 10 permit 10.20.0.0/26 le 32',
      'ip prefix-list K8S-CS-LAB-LB-POOLS seq 20 permit 192.0.2.32/28 le 32',
    ]);
    expect(lines).toContain('  neighbor K8S-CS-LAB prefix-list K8S-CS-LAB-LB-POOLS in');
    expect(lines).toContain('  neighbor K8S-CS-LAB prefix-list K8S-CS-LAB-NONE out');
    expect(lines).toContain('ip prefix-list K8S-CS-LAB-NONE seq 5 deny any');
  });

  it('lists the speakers of its rack as neighbours in the cluster AS, with BFD and ECMP over all of them', () => {
    const c = conf();
    expect(c).toMatch(/^router bgp 65010$/m);
    expect(c).toContain(' neighbor K8S-CS-LAB remote-as 64600\n');
    expect([...c.matchAll(/^ neighbor ([0-9.]+) peer-group K8S-CS-LAB$/gm)].map((m) => m[1])).toEqual([
      '10.10.2.21',
      '10.10.2.22',
      '10.10.2.31',
    ]);
    expect(c).toContain(' neighbor K8S-CS-LAB bfd\n');
    expect(c).toContain('  maximum-paths 3\n');
    expect(c).not.toContain('ebgp-multihop');
  });

  it('uses multi-hop sessions on both ends when the router is not in the subnet of its peers', async () => {
    const text = readFileSync(BGP_LAB, 'utf8').replace(
      '{name: tor-r1, address: 198.18.1.1,',
      '{name: tor-r1, address: 198.18.2.1,',
    );
    const file = join(tmp, 'multihop.yaml');
    writeFileSync(file, text);
    const r = await renderInventory(file);
    expect(metallbKinds(r).peers[0]!.spec.ebgpMultiHop).toBe(true);
    expect(r.files.get('routers/tor-r1.frr.conf')).toContain(' neighbor K8S-BGP-LAB ebgp-multihop 2\n');
    expect(bgpdDryRun(r.files.get('routers/tor-r1.frr.conf')!, 'multihop')).toBe('');
    expect(metallbKinds(lab).peers[0]!.spec.ebgpMultiHop).toBeUndefined();
  });

  it('names the password by secret-store entry only, and fills it in when asked', () => {
    expect(passwordRefs(conf())).toEqual(['bgp/tor-r2']);
    const filled = fillRouterPassword(conf(), (ref) => (ref === 'bgp/tor-r2' ? 'Xy7-secret' : 'wrong'));
    expect(filled).toContain('\n neighbor K8S-CS-LAB password Xy7-secret\n');
    expect(passwordRefs(filled)).toEqual([]);
    expect(() => fillRouterPassword(conf(), () => 'two words')).toThrow(/bgp\/tor-r2 is not usable as a BGP password/);
    expect(() => fillRouterPassword(conf(), () => 'x'.repeat(81))).toThrow(/1-80 characters/);
  });

  it('the sed line in routers/README.md does what fillRouterPassword does', () => {
    const readme = example.files.get('routers/README.md')!;
    const line = /^ {4}(sed .*)$/m.exec(readme)![1]!.replace('ENTRY', 'bgp/tor-r2').replace('ROUTER', 'tor-r2');
    const dir = join(tmp, 'readme');
    spawnSync('mkdir', ['-p', join(dir, 'routers')]);
    writeFileSync(join(dir, 'routers/tor-r2.frr.conf'), conf());
    const r = spawnSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8', env: { ...process.env, PW: 'Xy7-secret' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(fillRouterPassword(conf(), () => 'Xy7-secret'));
  });

  it.each(['tor-r1', 'tor-r2', 'tor-r3'])(
    "FRR's own parser (bgpd --dryrun) accepts %s, placeholder and filled-in",
    (router) => {
      const c = example.files.get(`routers/${router}.frr.conf`)!;
      for (const [name, text] of [
        ['as-rendered', c],
        ['filled', fillRouterPassword(c, () => 'pw1')],
      ] as const) {
        expect(bgpdDryRun(text, `${router}-${name}`), `${router} ${name}`).toBe('');
      }
    },
  );

  it('bgpd --dryrun does reject a broken configuration (so the check above can fail)', () => {
    expect(
      bgpdDryRun(conf().replace('prefix-list K8S-CS-LAB-NONE out', 'prefix-lst K8S-CS-LAB-NONE out'), 'broken'),
    ).toMatch(/No such command/);
  });
});

describe('DNS zone snippet', () => {
  it('points the API name at the VIP and every service and the labs at the ingress address', () => {
    expect(
      example.files
        .get('dns/lab.example.edu.zone')!
        .split('\n')
        .filter((l) => / IN A /.test(l)),
    ).toEqual([
      'k8s-api IN A 10.10.0.10 ; Kubernetes API (kube-vip)',
      'argocd IN A 10.20.0.10 ; ArgoCD',
      'harbor IN A 10.20.0.10 ; Harbor registry',
      'sso IN A 10.20.0.10 ; Keycloak (single sign-on)',
      'grafana IN A 10.20.0.10 ; Grafana',
      'labs IN A 10.20.0.10 ; lab portal',
      '*.labs IN A 10.20.0.10 ; per-lab names (consoles, lab web services)',
    ]);
    expect(example.files.get('dns/lab.example.edu.zone')).toContain('$ORIGIN lab.example.edu.\n');
  });
});

describe('secrets and determinism', () => {
  const passwordValues = (o: unknown, path = ''): string[] => {
    if (Array.isArray(o)) return o.flatMap((v, i) => passwordValues(v, `${path}[${i}]`));
    if (o && typeof o === 'object') {
      return Object.entries(o).flatMap(([k, v]) =>
        /^password$/i.test(k) && typeof v === 'string' ? [`${path}.${k}`] : passwordValues(v, `${path}.${k}`),
      );
    }
    return [];
  };

  it('no rendered file holds a password: no password field in objects, no live password line in router files', () => {
    for (const r of [example, lab]) {
      for (const { file, object } of r.objects) expect(passwordValues(object), file).toEqual([]);
      for (const [path, text] of r.files) {
        if (!path.endsWith('.frr.conf')) continue;
        const live = text.split('\n').filter((l) => /password/i.test(l) && !/^\s*!/.test(l));
        expect(live, path).toEqual([]);
      }
    }
  });

  it('renders the same bytes twice', async () => {
    const again = await renderInventory(EXAMPLE);
    for (const p of [...example.files.keys()].filter((k) =>
      /^(routers|dns)\/|components\/(metallb|metallb-config|tigera-operator|calico-crds)\//.test(k),
    )) {
      expect(again.files.get(p), p).toBe(example.files.get(p));
    }
  });
});
