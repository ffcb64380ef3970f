// First-boot convergence: runs test/converge (Go) on every golden site. Health is ArgoCD's own code: the
// Lua health scripts embedded in argo-cd v3.4.4 and the site's argocd-cm customizations, run by a line-for-
// line port of argo-cd's util/lua health path (util/lua itself cannot be linked: see argolua.go; the port
// is checked against upstream's own health_test.yaml cases below), and gitops-engine's Go checks. It simulates the root
// Application's sync wave by wave from an empty cluster; the cluster model and the states it assumes are
// listed at the top of test/converge/model.go. Built by `bash .ci/converge.sh` (.ci/run does it).
// The deadlock cases mutate a copy of the example's rendered tree back to an old, broken shape and expect
// the simulator to stop at the wave that cannot become Healthy.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ROOT, run } from '../helpers.ts';

const BIN = join(ROOT, '.tools/bin/converge');
const GOLDEN = join(ROOT, 'test/golden');
const SITES = readdirSync(GOLDEN).sort();

interface Result {
  converged: boolean;
  stuckAt?: number;
  platformHealthy: boolean;
  problems: string[];
  waves: {
    wave: number;
    healthy: boolean;
    children: { name: string; kind: string; health: string; message?: string }[];
  }[];
}

async function converge(site: string, ...flags: string[]): Promise<Result> {
  const r = await run(BIN, ['-json', ...flags, site], { timeoutMs: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`converge exited ${r.status}: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as Result;
  // Exit status and result agree: 0 exactly when every wave converged without problems.
  expect(r.status === 0).toBe(res.converged && res.problems.length === 0);
  return res;
}

const waveOf = (res: Result, kind: string, name: string) =>
  res.waves.find((w) => w.children.some((c) => c.kind === kind && c.name === name))?.wave;

beforeAll(async () => {
  // .ci/run builds it first; this call then only re-links the cached binary (and rebuilds after a change
  // to the Go sources, so a local run never tests a stale binary). Asynchronous: a rebuild takes minutes.
  const b = await run('bash', [join(ROOT, '.ci/converge.sh')], { timeoutMs: 1_500_000 });
  if (b.status !== 0) throw new Error(`.ci/converge.sh failed (${b.status}): ${b.stdout}${b.stderr}`);
  expect(existsSync(BIN)).toBe(true);
}, 1_600_000);

describe("first boot converges (ArgoCD v3.4.4's Lua health scripts and gitops-engine checks, on a modelled cluster)", () => {
  it('the golden sites exist', () =>
    expect(SITES).toEqual(expect.arrayContaining(['example', 'single-rack', 'airgapped', 'calico-gateway'])));

  it.each(SITES)('%s: every wave of the root Application becomes Healthy (Ceph HEALTH_OK)', async (site) => {
    const res = await converge(join(GOLDEN, site));
    expect(res.problems).toEqual([]);
    expect(res.converged).toBe(true);
    expect(res.platformHealthy).toBe(true);
  });

  it.each(SITES)('%s: a routine Ceph HEALTH_WARN holds no wave hostage', async (site) => {
    const res = await converge(join(GOLDEN, site), '-ceph', 'HEALTH_WARN');
    expect(res.problems).toEqual([]);
    expect(res.converged).toBe(true);
  });

  it.each(SITES)('%s: a malformed lab file stops only the labs wave, after the whole platform', async (site) => {
    const res = await converge(join(GOLDEN, site), '-bad-lab');
    expect(res.converged).toBe(false);
    expect(res.platformHealthy).toBe(true);
    expect(res.stuckAt).toBe(waveOf(res, 'ApplicationSet', 'labs'));
    expect(Math.max(...res.waves.filter((w) => w.wave !== res.stuckAt).map((w) => w.wave))).toBeLessThan(res.stuckAt!);
  });
});

describe("the Lua health port agrees with argo-cd v3.4.4's own health tests", () => {
  it('every embedded health_test.yaml case gives the status and message upstream expects', async () => {
    const r = await run(BIN, ['-selftest'], { timeoutMs: 120_000 });
    const res = JSON.parse(r.stdout) as { passed: number; failed: string[]; skipped: string[]; kinds: string[] };
    expect(res.failed).toEqual([]);
    expect(r.status).toBe(0);
    expect(res.passed).toBeGreaterThan(900);
    // The kinds whose health the convergence run depends on are among those checked.
    expect(res.kinds).toEqual(
      expect.arrayContaining([
        'argoproj.io/ApplicationSet',
        'ceph.rook.io/CephCluster',
        'ceph.rook.io/CephObjectStore',
        'cert-manager.io/Certificate',
        'cert-manager.io/ClusterIssuer',
        'cert-manager.io/Issuer',
        'k8s.keycloak.org/Keycloak',
        'monitoring.coreos.com/Prometheus',
        'objectbucket.io/ObjectBucketClaim',
        'postgresql.cnpg.io/Cluster',
        'gateway.networking.k8s.io/Gateway',
        'gateway.networking.k8s.io/HTTPRoute',
      ]),
    );
  }, 120_000);
});

describe('reintroduced deadlocks are caught', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'converge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of a rendered golden tree (the example's unless named) with one file rewritten. */
  function mutated(name: string, file: string, edit: (docs: Record<string, any>[]) => void, from = 'example'): string {
    const site = join(dir, name);
    cpSync(join(GOLDEN, from), site, { recursive: true });
    const docs = parseAllDocuments(readFileSync(join(site, file), 'utf8')).map(
      (d) => d.toJSON() as Record<string, any>,
    );
    edit(docs);
    writeFileSync(join(site, file), docs.map((d) => stringify(d)).join('---\n'));
    return site;
  }
  const setWave = (kind: string, name: string, wave: string) => (docs: Record<string, any>[]) => {
    const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
    if (!d) throw new Error(`${kind} ${name} not found`);
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), 'argocd.argoproj.io/sync-wave': wave };
  };

  it('ArgoCD at wave -9 with its Ingress: stuck Progressing with no load-balancer address (the old example)', async () => {
    const res = await converge(mutated('argocd-early', 'apps/argocd.yaml', setWave('Application', 'argocd', '-9')));
    expect(res.converged).toBe(false);
    expect(res.stuckAt).toBe(-9);
    const argocd = res.waves.at(-1)!.children.find((c) => c.name === 'argocd')!;
    expect(argocd.health).toBe('Progressing');
    expect(argocd.message).toMatch(/^Ingress /);
  });

  it("without the CephCluster health override, HEALTH_WARN (ArgoCD's built-in Lua: Degraded) blocks the storage wave", async () => {
    const site = mutated('no-ceph-override', 'components/argocd/values.yaml', (docs) => {
      const cm = docs[0]!.configs.cm as Record<string, string>;
      if (!cm['resource.customizations.health.ceph.rook.io_CephCluster'])
        throw new Error('override missing from the render');
      delete cm['resource.customizations.health.ceph.rook.io_CephCluster'];
    });
    const res = await converge(site, '-ceph', 'HEALTH_WARN');
    expect(res.converged).toBe(false);
    const app = res.waves.at(-1)!.children.find((c) => c.name === 'rook-ceph-cluster')!;
    expect(app.health).toBe('Degraded');
    expect(app.message).toMatch(/CephCluster .*HEALTH_WARN/);
  });

  it("ingress-nginx after ArgoCD: ArgoCD's wave waits for an ingress controller that is never created", async () => {
    const res = await converge(
      mutated('nginx-late', 'apps/ingress-nginx.yaml', setWave('Application', 'ingress-nginx', '7')),
    );
    expect(res.stuckAt).toBe(6);
    expect(res.waves.at(-1)!.children.find((c) => c.name === 'argocd')!.message).toMatch(
      /no ingress controller for class nginx running/,
    );
  });

  it("MetalLB's pool after ingress-nginx: the controller's LoadBalancer Service never gets an address", async () => {
    const res = await converge(
      mutated('pool-late', 'apps/metallb-config.yaml', setWave('Application', 'metallb-config', '8')),
    );
    expect(res.stuckAt).toBe(5);
    const nginx = res.waves.at(-1)!.children.find((c) => c.name === 'ingress-nginx')!;
    expect([nginx.health, nginx.message]).toEqual([
      'Progressing',
      expect.stringMatching(/^Service ingress-nginx\/ingress-nginx: .*no load-balancer address/),
    ]);
  });

  // Gateway API (calico-gateway golden): the states the model assumes for Gateway and HTTPRoute are
  // assumption 10 in test/converge/model.go; their health is ArgoCD's built-in Lua scripts.
  it("MetalLB's pool after the Gateway: the Gateway is never Programmed (no address), its wave never Healthy", async () => {
    const res = await converge(
      mutated(
        'gw-pool-late',
        'apps/metallb-config.yaml',
        setWave('Application', 'metallb-config', '8'),
        'calico-gateway',
      ),
    );
    expect(res.stuckAt).toBe(5);
    const gw = res.waves.at(-1)!.children.find((c) => c.name === 'calico-gateway')!;
    expect([gw.health, gw.message]).toEqual([
      'Progressing',
      expect.stringMatching(/^Gateway tigera-gateway\/site: Waiting for Gateway status/),
    ]);
  });

  it('an HTTPRoute attached to a Gateway that does not exist keeps its Application Progressing', async () => {
    const site = mutated(
      'gw-wrong-parent',
      'components/harbor/manifests/httproute-harbor-harbor.yaml',
      (docs) => {
        docs[0]!.spec.parentRefs[0].name = 'nonexistent';
      },
      'calico-gateway',
    );
    const res = await converge(site);
    expect(res.converged).toBe(false);
    expect(res.stuckAt).toBe(waveOf(res, 'Application', 'harbor'));
    const harbor = res.waves.at(-1)!.children.find((c) => c.name === 'harbor')!;
    expect([harbor.health, harbor.message]).toEqual([
      'Progressing',
      expect.stringMatching(/^HTTPRoute harbor\/harbor: Waiting for HTTPRoute status/),
    ]);
  });

  it('HEALTH_ERR still stops the rollout (an unavailable Ceph is an incident, not routine)', async () => {
    const res = await converge(join(GOLDEN, 'example'), '-ceph', 'HEALTH_ERR');
    expect(res.converged).toBe(false);
    expect(res.stuckAt).toBe(0);
    expect(res.waves.at(-1)!.children.find((c) => c.name === 'rook-ceph-cluster')!.health).toBe('Degraded');
  });

  it('the labs ApplicationSet at wave 0 (before the golden images and the clone permission) is reported', async () => {
    const res = await converge(
      mutated('labs-early', 'apps/labs-applicationset.yaml', setWave('ApplicationSet', 'labs', '0')),
    );
    expect(res.problems.join('\n')).toMatch(
      /ApplicationSet labs generates lab Applications before their prerequisites: no ready golden-image DataSource/,
    );
  });

  it('without the restored Application health Lua, the root app would not wait at all (so the test would prove nothing)', async () => {
    const site = mutated('no-app-health', 'components/argocd/values.yaml', (docs) => {
      delete (docs[0]!.configs.cm as Record<string, string>)['resource.customizations.health.argoproj.io_Application'];
    });
    const early = mutated('no-app-health-early', 'apps/argocd.yaml', setWave('Application', 'argocd', '-9'));
    cpSync(join(site, 'components/argocd/values.yaml'), join(early, 'components/argocd/values.yaml'));
    const res = await converge(early);
    expect(res.converged).toBe(true);
    expect(res.waves.find((w) => w.wave === -9)!.children.find((c) => c.name === 'argocd')!.message).toMatch(
      /no health check/,
    );
    expect(parse(readFileSync(join(early, 'components/argocd/values.yaml'), 'utf8')).configs.cm).not.toHaveProperty([
      'resource.customizations.health.argoproj.io_Application',
    ]);
  });
});
