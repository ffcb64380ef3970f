// The ArgoCD wait and `status` cluster sections, with the real @kubernetes/client-node client talking to a
// loopback server that replays API responses (fixtures/README.md: hand-written in the API's format).
// No Kubernetes API server can run here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { listApplications, stuckMessage, waitForConvergence } from '../../installer/cluster/argocd-wait.ts';
import { clusterStatus, formatStatus } from '../../installer/cluster/status.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const load = (f: string) => readFileSync(join(FIX, f), 'utf8');

let server: Server;
let kc: k8s.KubeConfig;
/** Responses per path, served in order; the last one repeats. */
let script: Record<string, { status: number; body: string }[]> = {};
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const queue = script[path];
    if (!queue?.length) { res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' })); return; }
    const r = queue.length > 1 ? queue.shift()! : queue[0]!;
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'replay', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-real-token' }],
    contexts: [{ name: 'c', cluster: 'replay', user: 'u' }],
    currentContext: 'c',
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const ok = (f: string) => ({ status: 200, body: load(f) });
const noSleep = async () => undefined;

describe('ArgoCD wait (replayed API responses; no API server can run here)', () => {
  it('polls until every Application is Synced and Healthy', async () => {
    script = { [APPS]: [ok('argocd/converging-1.json'), ok('argocd/converging-2.json'), ok('argocd/converging-3.json')] };
    const seen: number[] = [];
    const r = await waitForConvergence(listApplications(kc), { timeoutMs: 60_000, intervalMs: 1, minApps: 2, sleep: noSleep, onPoll: (a) => seen.push(a.length) });
    expect(r.converged).toBe(true);
    expect(r.polls).toBe(3);
    expect(seen).toEqual([1, 3, 3]);
    expect(r.apps.map((a) => `${a.name}:${a.sync}/${a.health}`)).toEqual(['cert-manager:Synced/Healthy', 'rook-ceph:Synced/Healthy', 'root:Synced/Healthy']);
  });

  it('keeps polling through an API error', async () => {
    script = { [APPS]: [{ status: 503, body: '{"kind":"Status","code":503,"message":"etcdserver: leader changed"}' }, ok('argocd/converging-3.json')] };
    const r = await waitForConvergence(listApplications(kc), { timeoutMs: 60_000, intervalMs: 1, minApps: 2, sleep: noSleep });
    expect(r.converged).toBe(true);
    expect(r.polls).toBe(2);
  });

  it('times out naming what is stuck, with ArgoCD\'s own reason', async () => {
    script = { [APPS]: [ok('argocd/stuck-1.json'), ok('argocd/stuck-2.json')] };
    let now = 0;
    const r = await waitForConvergence(listApplications(kc), { timeoutMs: 1500, intervalMs: 100, minApps: 2, sleep: async (ms) => { now += ms; await new Promise((res) => setTimeout(res, ms)); } });
    expect(r.converged).toBe(false);
    expect(r.stuck.map((a) => a.name)).toEqual(['harbor']);
    const msg = stuckMessage(r, 1_800_000);
    expect(msg).toMatch(/^the platform did not converge within 1800 s; stuck: harbor \(OutOfSync\/Degraded: SyncError: Failed sync attempt/);
    expect(msg).toContain('failed calling webhook "vharbor.kb.io": no endpoints available');
    expect(msg).toContain('Deployment harbor-core: 0 of 2 replicas available');
    expect(now).toBeGreaterThan(0);
  });

  it('status: Applications, Ceph health and certificates from the API; a missing CRD says so', async () => {
    script = {
      [APPS]: [ok('argocd/stuck-2.json')],
      '/apis/ceph.rook.io/v1/cephclusters': [ok('cephclusters.json')],
      '/apis/cert-manager.io/v1/certificates': [ok('certificates.json')],
    };
    const s = await clusterStatus(kc);
    expect(s.applications).toMatchObject({ available: true });
    expect(s.ceph).toEqual({ available: true, items: [{ name: 'rook-ceph/rook-ceph', status: 'HEALTH_WARN', detail: 'MON_DISK_LOW: mon a is low on available space' }] });
    expect(s.certificates).toMatchObject({ available: true, items: [{ name: 'harbor/harbor-tls', status: 'Ready' }, { name: 'monitoring/grafana-tls', status: 'NotReady', detail: 'Issuing certificate as Secret does not exist' }] });
    expect(s.bgp).toEqual({ available: false, reason: 'API answered 404' });
    const text = formatStatus({ nodes: [], ...s });
    expect(text).toContain('harbor                       OutOfSync  Degraded');
    expect(text).toContain('BGP SESSIONS\n  unavailable: API answered 404');
    expect(requests).toContain('GET /apis/frrk8s.metallb.io/v1beta1/bgpsessionstates');
  });
});
