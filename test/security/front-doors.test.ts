// Boundary 7 of docs/security.md, "the platform's own front doors". Every door is read from what the
// real CLI renders (`labctl render`) for the example and the golden sites, and each check is also run
// against a deliberately weakened copy (the configuration before this boundary existed) to show it can
// fail. Nothing here runs Keycloak, ingress-nginx, Grafana, ArgoCD or the CSR approver: the test names
// say which rule stands in for the real component (the Ingress API's path matching, a real JMESPath
// engine with Grafana's group rule, the approver's documented checks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { parse, parseAllDocuments } from 'yaml';
import jmespath from 'jmespath';
import { containsCidr } from 'cidr-tools';
import { EXAMPLE, ROOT, fixture, labctl } from '../helpers.ts';
import { loadSite } from '../platform/sites.ts';
import { helmCommands } from '../../installer/cluster/handover.ts';
import { kubeadmInitConfig, firstControlPlane } from '../../installer/cluster/artifacts.ts';
import { GROUPS, GROUPS_CLAIM } from '../../installer/render/platform/identity.ts';
import { ADMIN_PORT_FORWARD } from '../../installer/render/components/keycloak/index.ts';

type Obj = Record<string, any>;

/** The example and the golden sites (test/render/golden.test.ts). */
const SITES: Record<string, string> = {
  example: EXAMPLE,
  'single-rack': fixture('inventory/valid/single-rack.yaml'),
  airgapped: fixture('inventory/valid/airgapped.yaml'),
};

interface Rendered {
  dir: string;
  objects: Obj[];
  values: (component: string) => Obj;
}
const rendered = new Map<string, Rendered>();
const tmp = mkdtempSync(join(tmpdir(), 'labctl-front-doors-'));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

beforeAll(async () => {
  for (const [name, inv] of Object.entries(SITES)) {
    const dir = join(tmp, name);
    const r = await labctl(['render', '-i', inv, '-o', dir]);
    if (r.code !== 0) throw new Error(`labctl render ${name}: ${r.stderr}`);
    const files = walk(dir).filter((f) => f.endsWith('.yaml') && !relative(dir, f).startsWith('.labctl'));
    const objects = files
      .filter((f) => relative(dir, f).includes('/manifests/') || relative(dir, f).startsWith('apps/'))
      .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Obj))
      .filter((o) => o?.kind);
    rendered.set(name, {
      dir,
      objects,
      values: (c) => parse(readFileSync(join(dir, 'components', c, 'values.yaml'), 'utf8')) as Obj,
    });
  }
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---- Keycloak -------------------------------------------------------------------------------------

/** Does an Ingress path of pathType Prefix match a request path? (Ingress API: element-wise prefix.) */
function prefixMatches(prefix: string, request: string): boolean {
  const p = prefix.split('/').filter(Boolean);
  const r = request.split('?')[0]!.split('/').filter(Boolean);
  return p.length <= r.length && p.every((el, i) => el === r[i]);
}
/** The rules of every Ingress for `host` that would route `request` (pathType Prefix only; others fail the test). */
function routes(ingresses: Obj[], host: string, request: string): boolean {
  return ingresses.some((ing) =>
    (ing.spec.rules as Obj[]).some(
      (rule) =>
        rule.host === host &&
        (rule.http.paths as Obj[]).some((p) => p.pathType === 'Prefix' && prefixMatches(p.path, request)),
    ),
  );
}

const adminRequests = (realm: string) => [
  '/',
  '/admin',
  '/admin/',
  '/admin/master/console/',
  `/admin/realms/${realm}/users`,
  '/admin/serverinfo',
  '/realms/master',
  '/realms/master/',
  '/realms/master/protocol/openid-connect/token',
  '/realms/master/account',
  `/realms/${realm}x/protocol/openid-connect/auth`,
  `/realms/${realm}-evil/`,
  '/metrics',
  '/health/ready',
  '/js/keycloak.js',
  '/.well-known/oauth-authorization-server/realms/master',
  '/resources-x/',
  '/realms//master/',
  '/realms/./master/',
];
const publicRequests = (realm: string) => [
  `/realms/${realm}/.well-known/openid-configuration`,
  `/realms/${realm}/protocol/openid-connect/certs`,
  `/realms/${realm}/protocol/openid-connect/auth?client_id=grafana`,
  `/realms/${realm}/account`,
  '/resources/abcde/login/keycloak.v2/css/styles.css',
];

// ---- Grafana --------------------------------------------------------------------------------------

/**
 * Grafana's generic_oauth decision for a user's token claims: allowed_groups (split on commas and spaces;
 * one common group lets in), then role_attribute_path through a real JMESPath engine; with
 * role_attribute_strict a result that is not a Grafana role refuses the login.
 */
function grafanaLogin(oauth: Obj, claims: Obj): string | 'refused' {
  const allowed = String(oauth.allowed_groups ?? '')
    .split(/[ ,]+/)
    .filter(Boolean);
  const groups: string[] = jmespath.search(claims, oauth.groups_attribute_path) ?? [];
  if (allowed.length && !groups.some((g) => allowed.includes(g))) return 'refused';
  const role = jmespath.search(claims, oauth.role_attribute_path);
  const valid = ['Viewer', 'Editor', 'Admin', 'GrafanaAdmin', 'None'].includes(role);
  if (!valid) return oauth.role_attribute_strict ? 'refused' : 'Viewer';
  return role;
}

// ---- ArgoCD ---------------------------------------------------------------------------------------

/**
 * Whether ArgoCD keeps its local admin for a values entry configs.cm['admin.enabled']: the chart writes
 * the value as a string into argocd-cm, and ArgoCD (util/settings/accounts.go, parseAdminAccount) parses
 * it with Go's strconv.ParseBool, keeping the admin on when the key is missing or unparsable.
 */
function argocdAdminEnabled(value: unknown): boolean {
  if (value === undefined) return true;
  const s = String(value);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return true;
}

// ---- kubelet-csr-approver -------------------------------------------------------------------------

interface Csr {
  username: string;
  dnsNames: string[];
  ips: string[];
}
/**
 * The approver's checks as its README lists them and internal/controller (csr_controller.go,
 * regex_ip_checks.go) of the pinned v1.2.14 does them, with DNS lookups bypassed as we configure it.
 */
function approves(v: Obj, csr: Csr): boolean {
  if (!csr.username.startsWith('system:node:')) return false;
  const node = csr.username.slice('system:node:'.length);
  if (csr.dnsNames.length > v.allowedDnsNames) return false;
  if (!csr.dnsNames.length && !csr.ips.length) return false;
  const re = new RegExp(v.providerRegex);
  for (const d of csr.dnsNames) {
    if (!re.test(d)) return false;
    if (!v.bypassHostnameCheck && !d.startsWith(node)) return false;
  }
  const prefixes: string[] = v.providerIpPrefixes ?? [];
  return csr.ips.every((ip) => !prefixes.length || prefixes.some((p) => containsCidr(p, ip)));
}

describe.each(Object.keys(SITES))('%s: front doors in the rendered site', (name) => {
  const site = () => loadSite(SITES[name]!);
  const r = () => rendered.get(name)!;

  it('the public SSO host routes only /realms/<site realm>/ and /resources/, never /admin or /realms/master (Ingress API prefix rules; no ingress controller runs here)', () => {
    const s = site();
    const realm = s.identity.realm;
    const ingresses = r().objects.filter((o) => o.kind === 'Ingress');
    const sso = ingresses.filter((i) => (i.spec.rules as Obj[]).some((x) => x.host === s.hosts.sso));
    expect(sso.length).toBe(1);
    for (const ing of sso) {
      for (const rule of ing.spec.rules as Obj[])
        for (const p of rule.http.paths as Obj[]) expect(p.pathType).toBe('Prefix');
      // No controller-specific escape hatch that could re-open a path.
      for (const a of Object.keys(ing.metadata.annotations ?? {}))
        expect(a).not.toMatch(/use-regex|rewrite-target|snippet|app-root/);
    }
    // No chart publishes the SSO host either.
    const values = readdirSync(join(r().dir, 'components'))
      .map((c) => join(r().dir, 'components', c, 'values.yaml'))
      .filter((f) => {
        try {
          readFileSync(f);
          return true;
        } catch {
          return false;
        }
      });
    for (const f of values)
      expect(readFileSync(f, 'utf8'), f).not.toMatch(
        new RegExp(`^\\s*-?\\s*(host|hostname)?:?\\s*${s.hosts.sso.replace(/\./g, '\\.')}\\s*$`, 'm'),
      );
    for (const req of adminRequests(realm)) expect(routes(sso, s.hosts.sso, req), req).toBe(false);
    for (const req of publicRequests(realm)) expect(routes(sso, s.hosts.sso, req), req).toBe(true);
    // Weakened copy: the Ingress as it was (one "/" prefix) routes every admin request.
    const weakened = structuredClone(sso);
    weakened[0]!.spec.rules[0].http.paths = [
      { path: '/', pathType: 'Prefix', backend: weakened[0]!.spec.rules[0].http.paths[0].backend },
    ];
    for (const req of adminRequests(realm)) expect(routes(weakened, s.hosts.sso, req), req).toBe(true);
  });

  it("Keycloak: strict public hostname, hostname-admin on the port-forward URL, and the master realm's frontend URL is that URL too", () => {
    const s = site();
    const kc = r().objects.find((o) => o.kind === 'Keycloak')!;
    const h = kc.spec.hostname;
    expect(h.hostname).toBe(`https://${s.hosts.sso}`);
    expect(h.strict).toBe(true);
    expect(h.backchannelDynamic).toBe(false);
    const admin = new URL(h.admin);
    expect(admin.hostname).toBe('localhost');
    expect(admin.host).not.toBe(s.hosts.sso);
    expect(kc.spec.ingress.enabled).toBe(false); // the operator's own Ingress would publish everything
    // The realm Job imports the site realm, then the master realm's frontend URL (it changes the Job's token issuer).
    const cm = r().objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('keycloak-realm-'))!;
    const master = parse(cm.data['master.yaml']) as Obj;
    expect(master).toEqual({ realm: 'master', attributes: { frontendUrl: h.admin } });
    const job = r().objects.find((o) => o.kind === 'Job' && o.metadata.name === cm.metadata.name)!;
    const env = Object.fromEntries((job.spec.template.spec.containers[0].env as Obj[]).map((e) => [e.name, e.value]));
    expect(env.IMPORT_FILES_LOCATIONS).toBe(`/config/${s.identity.realm}.yaml,/config/master.yaml`);
  });

  it("Grafana lets in platform-admins (Admin) and platform-oncall (Editor) only: rendered grafana.ini through a real JMESPath engine and Grafana's group rule (no Grafana runs here)", () => {
    const s = site();
    const g = r().values('kube-prometheus-stack').grafana['grafana.ini'];
    const oauth = g['auth.generic_oauth'];
    expect(g.auth.disable_login_form).toBe(true);
    expect(g['auth.anonymous']?.enabled ?? false).toBe(false);
    expect(oauth.groups_attribute_path).toBe(GROUPS_CLAIM);
    const course = s.labs.courses[0]?.name ?? 'os101';
    const claims = (groups: unknown) => ({ preferred_username: 'u', groups });
    expect(grafanaLogin(oauth, claims([GROUPS.platformAdmins]))).toBe('Admin');
    expect(grafanaLogin(oauth, claims([GROUPS.oncall]))).toBe('Editor');
    expect(grafanaLogin(oauth, claims([GROUPS.oncall, GROUPS.platformAdmins]))).toBe('Admin');
    const outsiders = [
      [GROUPS.courseStaff(course)],
      [GROUPS.students(course)],
      [],
      [`${GROUPS.platformAdmins}-x`],
      ['x-platform-oncall'],
    ];
    for (const groups of outsiders) expect(grafanaLogin(oauth, claims(groups)), JSON.stringify(groups)).toBe('refused');
    expect(grafanaLogin(oauth, { preferred_username: 'nogroups' })).toBe('refused');
    // Weakened copy: the configuration before this boundary (fallback Viewer, not strict, no allowed_groups) lets students in.
    const weakened = {
      ...oauth,
      allowed_groups: undefined,
      role_attribute_strict: false,
      role_attribute_path: `contains(${GROUPS_CLAIM}[*], '${GROUPS.platformAdmins}') && 'Admin' || 'Viewer'`,
    };
    expect(grafanaLogin(weakened, claims([GROUPS.students(course)]))).toBe('Viewer');
    // Without the strict flag, the current expression would still fall back to Viewer for outsiders.
    expect(
      grafanaLogin({ ...oauth, allowed_groups: '', role_attribute_strict: false }, claims([GROUPS.students(course)])),
    ).toBe('Viewer');
    // The groups Grafana lets in exist in the realm (identity contract).
    const cm = r().objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('keycloak-realm-'))!;
    const realmGroups = (parse(cm.data[`${s.identity.realm}.yaml`]).groups as Obj[]).map((x) => x.name);
    for (const grp of String(oauth.allowed_groups).split(' ')) expect(realmGroups).toContain(grp);
  });

  it('ArgoCD has no local admin, both in the rendered values and in the seed values the hand-over installs with', () => {
    const s = site();
    const values = r().values('argocd');
    expect(values.configs.cm['admin.enabled']).toBe(false);
    expect(values.configs.secret?.argocdServerAdminPassword).toBeUndefined();
    const seed = helmCommands(s, '/state').find((c) => c.title === 'Argo CD')!;
    const seedValues = parse(seed.values!.content) as Obj;
    expect(seedValues.configs.cm['admin.enabled']).toBe(false);
    // SSO is configured from the start, and platform-admins get the admin role through it.
    expect(parse(values.configs.cm['oidc.config']).clientID).toBe('argocd');
    expect(values.configs.rbac['policy.csv']).toContain(`g, ${GROUPS.platformAdmins}, role:admin`);
    expect(argocdAdminEnabled(values.configs.cm['admin.enabled'])).toBe(false);
    expect(argocdAdminEnabled(seedValues.configs.cm['admin.enabled'])).toBe(false);
    // Weakened copies: the chart default, a missing key and a YAML 1.1 spelling all leave the admin on.
    for (const weak of [true, undefined, 'off', 'no']) expect(argocdAdminEnabled(weak), String(weak)).toBe(true);
  });

  it("kubelet serving certificates: serverTLSBootstrap, the API server verifies kubelets, Prometheus verifies kubelets, and the approver accepts only the inventory's nodes (the approver's documented checks; the controller does not run here)", () => {
    const s = site();
    const docs = parseAllDocuments(kubeadmInitConfig(s, firstControlPlane(s))).map((d) => d.toJS() as Obj);
    expect(docs.find((d) => d.kind === 'KubeletConfiguration')!.serverTLSBootstrap).toBe(true);
    expect(docs.find((d) => d.kind === 'ClusterConfiguration')!.apiServer.extraArgs).toContainEqual({
      name: 'kubelet-certificate-authority',
      value: '/etc/kubernetes/pki/ca.crt',
    });
    expect(r().values('kube-prometheus-stack').kubelet.serviceMonitor).toEqual({
      https: true,
      insecureSkipVerify: false,
    });

    const v = r().values('kubelet-csr-approver');
    expect(v).toMatchObject({
      ignoreNonSystemNode: false,
      skipDenyStep: false,
      bypassHostnameCheck: false,
      allowedDnsNames: 1,
    });
    for (const n of s.nodes)
      expect(approves(v, { username: `system:node:${n.name}`, dnsNames: [n.name], ips: [n.address] }), n.name).toBe(
        true,
      );
    const n0 = s.nodes[0]!;
    const forged: Csr[] = [
      { username: `system:node:${n0.name}`, dnsNames: [s.hosts.sso], ips: [n0.address] }, // a public host name
      { username: `system:node:${n0.name}`, dnsNames: [`${n0.name}.evil.example`], ips: [n0.address] },
      { username: `system:node:${n0.name}`, dnsNames: [`${n0.name}x`], ips: [n0.address] },
      { username: `system:node:${n0.name}`, dnsNames: [n0.name], ips: [s.kubernetes.apiVip] }, // the API VIP
      { username: `system:node:${n0.name}`, dnsNames: [n0.name], ips: [s.bgp.pools[0]!.cidr.split('/')[0]!] }, // a LoadBalancer address
      { username: `system:node:${n0.name}`, dnsNames: [n0.name], ips: ['10.96.0.1'] }, // a Service address
      { username: `system:node:${n0.name}`, dnsNames: [n0.name, 'kubernetes.default.svc'], ips: [n0.address] },
      { username: 'system:serviceaccount:course-x:default', dnsNames: [n0.name], ips: [n0.address] },
      { username: 'system:node:intruder', dnsNames: ['intruder'], ips: [n0.address] },
    ];
    for (const csr of forged) expect(approves(v, csr), JSON.stringify(csr)).toBe(false);
    // Weakened copy: a match-anything regex and no address list approve every forged node-made CSR.
    const weakened = {
      ...v,
      providerRegex: '.*',
      providerIpPrefixes: [],
      bypassHostnameCheck: true,
      allowedDnsNames: 2,
    };
    for (const csr of forged.filter((c) => c.username.startsWith('system:node:')))
      expect(approves(weakened, csr), JSON.stringify(csr)).toBe(true);

    // Its own Application, right after the CRD wave (ArgoCD itself runs from the hand-over; its self-managing
    // Application waits for the ingress it publishes, issue 21) and before anything scrapes kubelets.
    const apps = r().objects.filter((o) => o.kind === 'Application');
    const wave = (n: string) =>
      Number(apps.find((a) => a.metadata.name === n)!.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const app = apps.find((a) => a.metadata.name === 'kubelet-csr-approver')!;
    expect(wave('kubelet-csr-approver')).toBeGreaterThan(wave('prometheus-crds'));
    expect(wave('kubelet-csr-approver')).toBeLessThan(wave('kube-prometheus-stack'));
    expect(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
    const project = r().objects.find((o) => o.kind === 'AppProject' && o.metadata.name === app.spec.project)!;
    expect(project.spec.destinations).toContainEqual({
      server: 'https://kubernetes.default.svc',
      namespace: app.spec.destination.namespace,
    });
    expect(project.spec.sourceRepos).toContain(app.spec.sources[0].repoURL);
  });
});

describe('labctl validate', () => {
  it('refuses a site realm named "master" (the admin realm is never on the public host), with file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labctl-realm-'));
    try {
      const file = join(dir, 'inventory.yaml');
      const text = readFileSync(EXAMPLE, 'utf8');
      expect(text).toMatch(/^ {2}realm: campus$/m);
      writeFileSync(file, text.replace(/^ {2}realm: campus$/m, '  realm: master'));
      const r = await labctl(['validate', file]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(
        /inventory\.yaml:\d+:\d+ identity\.realm: the realm "master" is Keycloak's admin realm/,
      );
      // The unmodified example is valid, so the refusal comes from the realm name.
      expect((await labctl(['validate', EXAMPLE])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A loopback stand-in for the API server with the Service and Pod the Keycloak operator makes for the
 * rendered Keycloak CR (Service <name>-service with the HTTP port, pods labelled app=keycloak). It
 * answers kubectl's discovery and reads, records the port-forward upgrade and refuses it.
 */
async function fakeApiServer(kc: Obj) {
  const ns = kc.metadata.namespace as string;
  const labels = { app: 'keycloak', 'app.kubernetes.io/instance': kc.metadata.name as string };
  const svc = {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: `${kc.metadata.name}-service`, namespace: ns },
    spec: {
      selector: labels,
      ports: [{ name: 'http', port: kc.spec.http.httpPort, targetPort: kc.spec.http.httpPort, protocol: 'TCP' }],
    },
  };
  const pod = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: `${kc.metadata.name}-0`, namespace: ns, labels },
    spec: {
      containers: [
        { name: 'keycloak', image: 'keycloak', ports: [{ name: 'http', containerPort: kc.spec.http.httpPort }] },
      ],
    },
    status: { phase: 'Running' },
  };
  const upgrades: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const send = (o: unknown, code = 200) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    const routes: Record<string, unknown> = {
      '/version': { major: '1', minor: '36', gitVersion: 'v1.36.4' },
      '/api': {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
      '/api/v1': {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          {
            name: 'services',
            singularName: 'service',
            namespaced: true,
            kind: 'Service',
            verbs: ['get', 'list'],
            shortNames: ['svc'],
          },
          {
            name: 'pods',
            singularName: 'pod',
            namespaced: true,
            kind: 'Pod',
            verbs: ['get', 'list'],
            shortNames: ['po'],
          },
          {
            name: 'pods/portforward',
            singularName: '',
            namespaced: true,
            kind: 'PodPortForwardOptions',
            verbs: ['create', 'get'],
          },
        ],
      },
      [`/api/v1/namespaces/${ns}/services/${svc.metadata.name}`]: svc,
      [`/api/v1/namespaces/${ns}/pods`]: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod] },
      [`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`]: pod,
    };
    if (path in routes) send(routes[path]);
    else
      send(
        {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
          message: `${path} not found`,
        },
        404,
      );
  });
  server.on('upgrade', (req, socket) => {
    upgrades.push(new URL(req.url!, 'http://x').pathname);
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { server, upgrades, pod: pod.metadata.name, port };
}

/** Runs a documented kubectl command as written (split on spaces), against `kubeconfig`, for at most 20 s. */
function runKubectl(command: string, kubeconfig: string): Promise<{ code: number | null; stderr: string }> {
  const [cmd, ...args] = command.split(' ');
  return new Promise((ok) => {
    execFile(cmd!, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 20_000 }, (e, _out, stderr) =>
      ok({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stderr }),
    );
  });
}

describe('docs/security.md', () => {
  it('the admin console port-forward command, run as written by real kubectl, resolves the Keycloak Service, its port and a running pod (against a loopback API server standing in for the cluster)', async () => {
    const doc = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
    const line = /^\s*(kubectl -n \S+ port-forward \S+ \d+:\d+)$/m.exec(doc);
    expect(line, 'docs/security.md shows the port-forward command on a line of its own').not.toBeNull();
    const command = line![1]!;
    expect(command).toBe(ADMIN_PORT_FORWARD);
    const kc = rendered.get('example')!.objects.find((o) => o.kind === 'Keycloak')!;
    // The local port is the one hostname-admin (and the master realm's frontend URL) name.
    expect(command.split(' ').at(-1)!.split(':')[0]).toBe(new URL(kc.spec.hostname.admin).port);
    expect(doc).toContain(`${kc.spec.hostname.admin}/admin/`);
    const api = await fakeApiServer(kc);
    const dir = mkdtempSync(join(tmpdir(), 'labctl-pf-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: "http://127.0.0.1:${api.port}"}}]\nusers: [{name: t, user: {}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\ncurrent-context: t\n`,
      );
      const r = await runKubectl(command, kubeconfig);
      // kubectl got as far as opening the tunnel to the pod (which the stand-in refuses).
      expect(api.upgrades, r.stderr).toContain(
        `/api/v1/namespaces/${kc.metadata.namespace}/pods/${api.pod}/portforward`,
      );
      expect(r.code).not.toBe(0);
      // Weakened copy: a command naming a port the Service does not have never reaches the pod.
      api.upgrades.length = 0;
      const wrong = await runKubectl(command.replace(/:\d+$/, ':8443'), kubeconfig);
      expect(wrong.stderr).toContain('does not have a service port 8443');
      expect(api.upgrades).toEqual([]);
    } finally {
      api.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
