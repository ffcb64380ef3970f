// A BGP router in the cluster's own AS (router asn = bgp.clusterAsn, often a copied number) makes MetalLB's
// sessions with it iBGP. MetalLB allows that, so validate warns rather than refuses, at the router's asn:
// the router side render writes spreads addresses with `maximum-paths`, which FRR applies to eBGP paths only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../installer/core/diagnostics.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { routerConfig } from '../../installer/render/components/metallb/router-config.ts';
import { EXAMPLE } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-ibgp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const show = (ds: Diagnostic[]) => ds.map((d) => formatDiagnostic({ ...d, file: '' }).replace(/^:/, ''));
const ibgp = (w: string) => w.includes('iBGP');

describe('a router with the cluster AS number (iBGP)', () => {
  it('validate warns at the router asn, naming the router, what iBGP changes and the fix; no error', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    expect(text).toContain('clusterAsn: 64600');
    // The example's top-of-rack routers are all AS 65010: the cluster takes their number.
    const file = join(tmp, 'inventory.yaml');
    writeFileSync(file, text.replace('clusterAsn: 64600', 'clusterAsn: 65010'));
    const r = validateInventoryFile(file);
    expect(show(r.errors)).toEqual([]);
    const warned = show(r.warnings).filter(ibgp);
    expect(warned.map((w) => w.split(' warning: ')[0])).toEqual([
      '210:47 bgp.routers[0].asn:',
      '211:47 bgp.routers[1].asn:',
      '212:47 bgp.routers[2].asn:',
    ]);
    expect(warned[0]).toBe(
      `210:47 bgp.routers[0].asn: warning: router tor-r1 has the cluster's own AS number (bgp.clusterAsn 65010), so MetalLB's sessions with it are iBGP: ` +
        'routers/tor-r1.frr.conf spreads each LoadBalancer address over the nodes with maximum-paths, which counts only eBGP paths, so the router would send each address to one node, ' +
        'and it passes the pool routes on to its other iBGP neighbours only as a route reflector. Calico never peers with bgp.routers, so its node-to-node mesh is not affected ' +
        `(hint: if tor-r1 is not in the cluster's AS, set its asn to the AS it has, or give the cluster a private AS number of its own (bgp.clusterAsn, 64512-65534, none of the routers' asn); ` +
        'if iBGP is meant, the router needs "maximum-paths ibgp" and to reflect or redistribute the pool routes)',
    );
    // What the warning says of the rendered router side: plain maximum-paths, nothing for iBGP.
    const frr = routerConfig(r.site!, 'tor-r1');
    expect(frr).toMatch(/^ {2}maximum-paths \d+$/m);
    expect(frr).not.toContain('maximum-paths ibgp');
  });

  it('the example (cluster AS 64600, routers 65010: eBGP) gets no such warning', () => {
    expect(show(validateInventoryFile(EXAMPLE).warnings).filter(ibgp)).toEqual([]);
  });
});
