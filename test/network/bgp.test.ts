// BGP between the campus router and the cluster, with real daemons: FRR (zebra, bfdd, bgpd) in network
// namespaces the test creates (lbgp-<pid>-*, addresses in 198.18.1.0/24 and the pools in 198.18.8-9.x).
// The router runs the FRR configuration `labctl render` wrote for test/fixtures/inventory/valid/bgp-lab.yaml,
// with the password filled in from a test secret store. Each node runs FRR configured the way MetalLB's
// frr-k8s backend configures it, from the RENDERED BGPPeer, BFDProfile, IPAddressPool and BGPAdvertisement
// objects. No Kubernetes API server runs here: node labels are those kubeadm and the bootstrap set.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonical, contains, nth } from '../../installer/core/ip.ts';
import { fillRouterPassword, passwordRefs } from '../../installer/render/components/metallb/router-config.ts';
import type { BFDProfile, BGPPeer } from '../../installer/render/components/metallb/index.ts';
import { fixture } from '../helpers.ts';
import { type FrrInstance, Lab, ip, requireTools, waitFor } from './netlab.ts';
import { metallbKinds, nodesOfPeer, renderInventory, type Rendered } from './rendered.ts';

const INVENTORY = fixture('inventory', 'valid', 'bgp-lab.yaml');
const ROUTER = 'tor-r1';
/** Announced by one node although outside every pool: the router must drop both. */
const OUTSIDE = ['198.18.7.7/32', '198.18.8.0/24'];

interface Node {
  name: string;
  address: string;
  ns: string;
  frr: FrrInstance;
}
interface BgpSummary {
  ipv4Unicast: { peers: Record<string, { state: string; pfxRcd?: number }> };
}
// `show ip bgp json` marks the best path `bestpath: true` and the other equal-cost ones `multipath: true`.
interface BgpPath {
  valid?: boolean;
  multipath?: boolean;
  bestpath?: boolean;
  nexthops: { ip: string }[];
}
interface RouteEntry {
  nexthops: { ip: string; active?: boolean; fib?: boolean }[];
}

let lab: Lab | undefined;
let rendered: Rendered;
let router: FrrInstance;
let routerNs: string;
const nodes: Node[] = [];
let announced: string[] = [];
let peer: BGPPeer;
const store = new Map<string, string>();

/** FRR configuration of a node, as frr-k8s derives it from the BGPPeer, BFDProfile and advertisements. */
function nodeConfig(p: BGPPeer, password: string | undefined, bfd: BFDProfile | undefined, prefixes: string[]) {
  const n = p.spec.peerAddress;
  const bgpd =
    [
      `router bgp ${p.spec.myASN}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp network import-check', // MetalLB announces addresses that are not in the node's routing table
      ' no bgp default ipv4-unicast',
      ` neighbor ${n} remote-as ${p.spec.peerASN}`,
      ...(password ? [` neighbor ${n} password ${password}`] : []),
      ...(p.spec.bfdProfile ? [` neighbor ${n} bfd profile ${p.spec.bfdProfile}`] : []),
      ...(p.spec.ebgpMultiHop ? [` neighbor ${n} ebgp-multihop`] : []),
      ` neighbor ${n} timers connect 2`, // test speed only: retry quickly after the sessions are broken on purpose
      ' address-family ipv4 unicast',
      `  neighbor ${n} activate`,
      ...prefixes.map((x) => `  network ${x}`),
      ' exit-address-family',
      'exit',
    ].join('\n') + '\n';
  const bfdd = bfd
    ? [
        'bfd',
        ` profile ${bfd.metadata.name}`,
        `  receive-interval ${bfd.spec.receiveInterval}`,
        `  transmit-interval ${bfd.spec.transmitInterval}`,
        `  detect-multiplier ${bfd.spec.detectMultiplier}`,
        ' exit',
        'exit',
      ].join('\n') + '\n'
    : '';
  return { bgpd, bfdd };
}

const summary = () => router.json<BgpSummary>('show ip bgp summary json').ipv4Unicast.peers;
const stateOf = (addr: string) => summary()[addr]?.state ?? 'absent';
const states = () => JSON.stringify(Object.fromEntries(Object.entries(summary()).map(([k, v]) => [k, v.state])));
const allEstablished = () => (nodes.every((n) => stateOf(n.address) === 'Established') ? true : undefined);
const bgpPaths = (prefix: string) =>
  router.json<{ routes?: Record<string, BgpPath[]> }>('show ip bgp json').routes?.[prefix] ?? [];
const ribNexthops = (prefix: string) =>
  router.json<Record<string, RouteEntry[]>>(`show ip route ${prefix} json`)[prefix]?.[0]?.nexthops ?? [];

/** Samples the session state for `ms`; returns every state seen (the session must never come up). */
// How long a refused node is watched never reaching Established: 8 s with a 2 s connect retry is about four
// attempts (it was 15 s with 5 s, three attempts).
const NEVER_WINDOW_MS = 8_000;
async function statesDuring(addr: string, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    seen.add(stateOf(addr));
    await new Promise((r) => setTimeout(r, 1000));
  }
  return seen;
}

describe('BGP: rendered campus router (FRR) and MetalLB-configured nodes (FRR), real daemons in network namespaces', () => {
  beforeAll(async () => {
    requireTools();
    rendered = await renderInventory(INVENTORY);
    const { pools, peers, bfd, adverts } = metallbKinds(rendered);
    peer = peers.find((p) => p.metadata.name === ROUTER)!;
    expect(peer, `rendered BGPPeer ${ROUTER}`).toBeDefined();

    // The test's secret store: one random value per entry the rendered files ask for.
    let routerConf = rendered.files.get(`routers/${ROUTER}.frr.conf`)!;
    for (const ref of passwordRefs(routerConf)) store.set(ref, randomBytes(12).toString('hex'));
    routerConf = fillRouterPassword(routerConf, (ref) => store.get(ref)!);
    // The node side reads the password from the Secret the BGPPeer names, built from its SecretNeed.
    const need = rendered.result.secrets.find(
      (s) => s.name === peer.spec.passwordSecret?.name && s.namespace === peer.spec.passwordSecret?.namespace,
    );
    const nodePassword = need ? store.get(need.ref) : undefined;

    // Addresses the speakers announce: two per pool that has a BGPAdvertisement, plus the ingress address.
    const advertised = pools.filter((p) => adverts.some((a) => a.spec.ipAddressPools.includes(p.metadata.name)));
    const addrs = new Set<string>([rendered.site.ingress.address]);
    for (const p of advertised)
      for (const cidr of p.spec.addresses) {
        addrs.add(nth(cidr, 1));
        addrs.add(nth(cidr, 2));
      }
    const len = adverts[0]!.spec.aggregationLength;
    announced = [...addrs].sort().map((a) => canonical(`${a}/${len}`));

    lab = new Lab('lbgp');
    routerNs = lab.namespace('rtr');
    ip('-n', routerNs, 'link', 'add', 'br0', 'type', 'bridge');
    const subnet = rendered.site.network.subnets.find((s) => contains(s.cidr, peer.spec.peerAddress))!;
    ip('-n', routerNs, 'addr', 'add', `${peer.spec.peerAddress}/${subnet.cidr.split('/')[1]}`, 'dev', 'br0');
    ip('-n', routerNs, 'link', 'set', 'br0', 'up');
    router = lab.frr(routerNs, 'router');
    await router.start({ bgpd: routerConf }, lab.frrUid, lab.frrGid);

    const speakers = nodesOfPeer(rendered.site, peer);
    const bfdProfile = bfd.find((b) => b.metadata.name === peer.spec.bfdProfile);
    for (const [i, n] of speakers.entries()) {
      const ns = lab.namespace(`n${i + 1}`);
      ip('-n', routerNs, 'link', 'add', `vn${i + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('-n', routerNs, 'link', 'set', `vn${i + 1}`, 'master', 'br0', 'up');
      ip('-n', ns, 'addr', 'add', `${n.address}/${subnet.cidr.split('/')[1]}`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      const frr = lab.frr(ns, n.name);
      const extra = i === 0 ? OUTSIDE : [];
      await frr.start(nodeConfig(peer, nodePassword, bfdProfile, [...announced, ...extra]), lab.frrUid, lab.frrGid);
      nodes.push({ name: n.name, address: n.address, ns, frr });
    }
    await waitFor('every session Established', allEstablished, {
      timeoutMs: 60_000,
      state: () => `${states()}\n${router.logs()}`,
    });
    await waitFor(
      'every announced address learned from every node',
      () => (announced.every((p) => bgpPaths(p).length === nodes.length) ? true : undefined),
      { timeoutMs: 30_000, state: () => router.vtysh('show ip bgp') },
    );
  }, 180_000);

  afterAll(async () => {
    await lab?.destroy();
  }, 60_000);

  it("peers exactly the worker nodes of the router's rack (rendered node selectors; control-plane excluded)", () => {
    expect(nodes.map((n) => n.name)).toEqual(['node1', 'node2', 'node3']);
    const neighbours = [
      ...rendered.files.get(`routers/${ROUTER}.frr.conf`)!.matchAll(/^ neighbor ([0-9.]+) peer-group/gm),
    ].map((m) => m[1]);
    expect(neighbours).toEqual(nodes.map((n) => n.address));
  });

  it('brings every session to Established, with the rendered password and ASNs, and BFD up', async () => {
    const peers = summary();
    expect(Object.keys(peers).sort()).toEqual(nodes.map((n) => n.address).sort());
    for (const n of nodes) expect(peers[n.address]?.state, n.name).toBe('Established');
    // BFD sessions start with the BGP sessions and need a few packets to come up.
    const bfd = () =>
      router
        .json<{ peer: string; status: string }[]>('show bfd peers json')
        .map((b) => [b.peer, b.status])
        .sort();
    const want = nodes.map((n) => [n.address, 'up']).sort();
    await waitFor('BFD up', () => (JSON.stringify(bfd()) === JSON.stringify(want) ? true : undefined), {
      timeoutMs: 15_000,
      state: () => JSON.stringify(bfd()),
    }).catch(() => undefined);
    expect(bfd()).toEqual(want);
  });

  it('learns each announced address with equal-cost paths through every node (BGP multipath, RIB and kernel)', async () => {
    expect(announced.length).toBeGreaterThanOrEqual(3);
    const expected = nodes.map((n) => n.address).sort();
    const kernelGateways = (prefix: string) =>
      (
        (JSON.parse(ip('-n', routerNs, '-j', 'route', 'show', prefix)) as { nexthops?: { gateway: string }[] }[])[0]
          ?.nexthops ?? []
      )
        .map((h) => h.gateway)
        .sort();
    // zebra installs what bgpd selected a moment later: wait (bounded) for the kernel to hold every path.
    await waitFor(
      'ECMP routes in the kernel',
      () => (announced.every((p) => kernelGateways(p).length === nodes.length) ? true : undefined),
      { timeoutMs: 15_000, state: () => ip('-n', routerNs, 'route', 'show') },
    ).catch(() => undefined);
    for (const prefix of announced) {
      const paths = bgpPaths(prefix);
      expect(paths.flatMap((p) => p.nexthops.map((h) => h.ip)).sort(), prefix).toEqual(expected);
      expect(paths.filter((p) => p.valid && (p.multipath || p.bestpath)).length, `${prefix} multipath`).toBe(
        nodes.length,
      );
      const rib = ribNexthops(prefix).filter((h) => h.active && h.fib);
      expect(rib.map((h) => h.ip).sort(), `${prefix} in zebra`).toEqual(expected);
      expect(kernelGateways(prefix), `${prefix} in the kernel`).toEqual(expected);
    }
  });

  it('drops prefixes outside the LoadBalancer pools (and wider than them) announced by a node', () => {
    // The node did announce them: they are in its own table...
    const own = nodes[0]!.frr.json<{ routes?: Record<string, unknown> }>('show ip bgp json').routes ?? {};
    for (const p of OUTSIDE) expect(Object.keys(own), `node1 originates ${p}`).toContain(p);
    // ...and the router has none of them, while it has every pool address.
    const learned = Object.keys(
      router.json<{ routes?: Record<string, unknown> }>('show ip bgp json').routes ?? {},
    ).sort();
    expect(learned).toEqual([...announced].sort());
    // Nothing flows the other way: the router sends the cluster no routes.
    const nodeLearned =
      nodes[0]!.frr.json<BgpSummary>('show ip bgp summary json').ipv4Unicast.peers[peer.spec.peerAddress];
    expect(nodeLearned?.pfxRcd).toBe(0);
  });

  it('BFD takes a failed node out of the ECMP set well before the 180 s hold time, and it comes back', async () => {
    const victim = nodes[2]!;
    const prefix = announced[0]!;
    ip('-n', victim.ns, 'link', 'set', 'eth0', 'down');
    try {
      await waitFor(
        `${victim.name} withdrawn from ${prefix}`,
        () => (bgpPaths(prefix).length === nodes.length - 1 ? true : undefined),
        { timeoutMs: 10_000, intervalMs: 200, state: () => `${states()} bfd=${router.vtysh('show bfd peers brief')}` },
      );
      expect(stateOf(victim.address)).not.toBe('Established');
    } finally {
      ip('-n', victim.ns, 'link', 'set', 'eth0', 'up');
    }
    await waitFor('sessions back', allEstablished, { timeoutMs: 60_000, state: states });
    await waitFor(
      `${prefix} back on ${nodes.length} paths`,
      () => (bgpPaths(prefix).length === nodes.length ? true : undefined),
      { timeoutMs: 20_000, state: () => router.vtysh('show ip bgp') },
    );
  }, 120_000);

  it('a node with the wrong password never gets a session; the right one brings it back', async () => {
    const n = nodes[2]!;
    const right = store.get('bgp/tor-r1')!;
    n.frr.vtysh(
      'configure terminal',
      `router bgp ${peer.spec.myASN}`,
      `neighbor ${peer.spec.peerAddress} password wrong-${right}`,
    );
    await waitFor(`${n.name} session down`, () => (stateOf(n.address) !== 'Established' ? true : undefined), {
      timeoutMs: 20_000,
      state: states,
    });
    const seen = await statesDuring(n.address, NEVER_WINDOW_MS);
    expect([...seen]).not.toContain('Established');
    expect(nodes.filter((x) => x !== n).every((x) => stateOf(x.address) === 'Established')).toBe(true);
    n.frr.vtysh(
      'configure terminal',
      `router bgp ${peer.spec.myASN}`,
      `neighbor ${peer.spec.peerAddress} password ${right}`,
    );
    await waitFor(
      `${n.name} back with the right password`,
      () => (stateOf(n.address) === 'Established' ? true : undefined),
      { timeoutMs: 60_000, state: states },
    );
  }, 120_000);

  it('a node speaking the wrong AS number is refused by the router; the rendered ASN brings it back', async () => {
    const n = nodes[1]!;
    const wrong = peer.spec.myASN + 1;
    const cmd = `neighbor ${peer.spec.peerAddress} local-as ${wrong} no-prepend replace-as`;
    n.frr.vtysh(
      'configure terminal',
      `router bgp ${peer.spec.myASN}`,
      cmd,
      'end',
      `clear bgp ${peer.spec.peerAddress}`,
    );
    await waitFor(`${n.name} session down`, () => (stateOf(n.address) !== 'Established' ? true : undefined), {
      timeoutMs: 20_000,
      state: states,
    });
    const seen = await statesDuring(n.address, NEVER_WINDOW_MS);
    expect([...seen]).not.toContain('Established');
    const why = router.json<Record<string, { lastNotificationReason?: string; lastResetDueTo?: string }>>(
      `show bgp neighbors ${n.address} json`,
    )[n.address];
    expect(`${why?.lastNotificationReason ?? ''} ${why?.lastResetDueTo ?? ''}`).toMatch(/Bad Peer AS/i);
    n.frr.vtysh(
      'configure terminal',
      `router bgp ${peer.spec.myASN}`,
      `no ${cmd}`,
      'end',
      `clear bgp ${peer.spec.peerAddress}`,
    );
    await waitFor(
      `${n.name} back with AS ${peer.spec.myASN}`,
      () => (stateOf(n.address) === 'Established' ? true : undefined),
      { timeoutMs: 60_000, state: states },
    );
  }, 120_000);
});
