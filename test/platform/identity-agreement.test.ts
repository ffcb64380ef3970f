// The realm, Harbor, ArgoCD, Grafana, the API server settings and the kubeconfig agree on client ids,
// redirect URIs, issuer and group names. Everything is read back from the RENDERED files (values.yaml,
// manifests), so a consumer that stops using identity.ts is caught here.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse, parseAllDocuments } from 'yaml';
import {
  apiServerOidc,
  GROUPS,
  issuerUrl,
  kubeGroup,
  oidcClients,
  realmGroups,
  KUBE_OIDC_PREFIX,
} from '../../installer/render/platform/identity.ts';
import { buildKubeconfig } from '../../installer/render/kubeconfig.ts';
import { EXAMPLE, labctl } from '../helpers.ts';
import { rendered, siteFiles } from './sites.ts';

const SITES = Object.entries(siteFiles());
type Obj = Record<string, any>;

async function load(file: string) {
  const { site, result } = await rendered(file);
  const docs = (pred: (p: string) => boolean): Obj[] =>
    [...result.files.entries()]
      .filter(([p]) => pred(p))
      .flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as Obj));
  const manifests = docs((p) => p.startsWith('components/keycloak/manifests/'));
  const realmCm = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('keycloak-realm-'))!;
  // The ConfigMap also holds master.yaml (the admin realm's frontend URL, test/security/front-doors.test.ts).
  const realm = parse((realmCm.data as Record<string, string>)[`${site.identity.realm}.yaml`]!) as Obj;
  const values = (c: string) =>
    result.files.has(`components/${c}/values.yaml`)
      ? (parse(result.files.get(`components/${c}/values.yaml`)!) as Obj)
      : undefined;
  const harborCm = docs((p) => p.startsWith('components/harbor/manifests/configmap-')).find(
    (m) => m.kind === 'ConfigMap',
  )!;
  return { site, result, manifests, realm, values, harbor: JSON.parse(harborCm.data['harbor.json']) as Obj };
}

/** Hosts the HTTPRoutes in a component's manifests publish (the Gateway API layer's objects). */
function publishedHosts(l: Awaited<ReturnType<typeof load>>, component: string): string[] {
  return [...l.result.files.entries()]
    .filter(([p]) => p.startsWith(`components/${component}/manifests/httproute-`))
    .flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as Obj))
    .flatMap((r) => r.spec.hostnames as string[])
    .sort();
}

describe.each(SITES)('%s: one identity contract', (_name, file) => {
  it('the realm declares exactly the clients of identity.ts, with their redirect URIs', async () => {
    const { site, realm } = await load(file);
    const clients = oidcClients(site);
    const byId = new Map((realm.clients as Obj[]).map((c) => [c.clientId, c]));
    expect([...byId.keys()].sort()).toEqual(
      Object.values(clients)
        .map((c) => c.clientId)
        .sort(),
    );
    for (const c of Object.values(clients)) {
      const r = byId.get(c.clientId)!;
      expect(r.redirectUris).toEqual(c.redirectUris);
      expect(r.publicClient).toBe(c.public);
      // Confidential clients take their secret from the Job's environment, never inline.
      if (!c.public) expect(r.secret).toMatch(/^\$\(env:[A-Z_]+\)$/);
      expect(r.defaultClientScopes).toContain('groups');
    }
    expect(realm.realm).toBe(site.identity.realm);
  });

  it('group names: realm groups, the groups claim mapper, and every consumer', async () => {
    const { site, realm, manifests, values, harbor } = await load(file);
    const groups = (realm.groups as Obj[]).map((g) => g.name);
    expect(groups).toEqual(realmGroups(site));
    expect(groups).toContain(GROUPS.platformAdmins);
    for (const c of site.labs.courses)
      expect(groups).toEqual(expect.arrayContaining([GROUPS.courseStaff(c.name), GROUPS.students(c.name)]));
    const mapper = (realm.clientScopes as Obj[]).find((s) => s.name === 'groups')!.protocolMappers[0];
    expect(mapper.config['claim.name']).toBe(apiServerOidc(site).groupsClaim);
    expect(mapper.config['full.path']).toBe('false');
    // Users from the inventory land in realm groups only.
    for (const u of realm.users as Obj[]) for (const g of u.groups) expect(groups).toContain(g);
    // Harbor admin group, ArgoCD RBAC and Kubernetes RBAC name realm groups.
    expect(groups).toContain(harbor.configurations.oidc_admin_group);
    const policy: string = values('argocd')!.configs.rbac['policy.csv'];
    const argoGroups = [...policy.matchAll(/^g, ([^,]+), /gm)].map((m) => m[1]!);
    expect(argoGroups.length).toBeGreaterThan(0);
    for (const g of argoGroups) expect(groups).toContain(g);
    const crb = manifests.find((m) => m.kind === 'ClusterRoleBinding')!;
    expect(crb.subjects[0].name).toBe(kubeGroup(GROUPS.platformAdmins));
    expect(crb.subjects[0].name.startsWith(apiServerOidc(site).groupsPrefix)).toBe(true);
  });

  it('ArgoCD: issuer, client id, secret reference and callback match the realm', async () => {
    const { site, realm, values, result } = await load(file);
    const cm = values('argocd')!.configs.cm;
    const oidc = parse(cm['oidc.config']) as Obj;
    const client = (realm.clients as Obj[]).find((c) => c.clientId === oidc.clientID)!;
    expect(client).toBeDefined();
    expect(oidc.issuer).toBe(issuerUrl(site));
    expect(client.redirectUris).toContain(`${cm.url}/auth/callback`);
    expect(oidc.requestedScopes).toContain('groups');
    // $<secret>:<key> names the Secret the store delivers, in argocd, labelled for ArgoCD.
    const [, name, key] = /^\$([^:]+):(.+)$/.exec(oidc.clientSecret)!;
    const need = result.secrets.find((s) => s.namespace === 'argocd' && s.name === name && s.key === key)!;
    expect(need.ref).toBe(oidcClients(site).argocd.secretRef!.ref);
    expect(need.labels).toEqual({ 'app.kubernetes.io/part-of': 'argocd' });
  });

  it('Grafana: client id, redirect (root_url + /login/generic_oauth), endpoints and admin group match', async () => {
    const { site, realm, values, result } = await load(file);
    const g = values('kube-prometheus-stack')?.grafana;
    expect(g, 'the monitoring component renders Grafana').toBeDefined();
    const o = g['grafana.ini']['auth.generic_oauth'];
    const client = (realm.clients as Obj[]).find((c) => c.clientId === o.client_id)!;
    expect(client.redirectUris).toContain(`${g['grafana.ini'].server.root_url}/login/generic_oauth`);
    expect(o.auth_url.startsWith(`${issuerUrl(site)}/protocol/openid-connect/`)).toBe(true);
    expect(o.role_attribute_path).toContain(`'${GROUPS.platformAdmins}'`);
    const need = result.secrets.find(
      (s) => s.name === g.envFromSecret && s.key === 'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET',
    )!;
    expect(need.ref).toBe(oidcClients(site).grafana.secretRef!.ref);
    expect(need.namespace).toBe(result.components.find((c) => c.name === 'kube-prometheus-stack')!.namespace);
  });

  it('Harbor: external URL, OIDC endpoint, client id and callback match the realm', async () => {
    const { site, realm, values, harbor } = await load(file);
    const v = values('harbor')!;
    const c = harbor.configurations;
    expect(c.oidc_endpoint).toBe(issuerUrl(site));
    expect(c.oidc_groups_claim).toBe('groups');
    const client = (realm.clients as Obj[]).find((x) => x.clientId === c.oidc_client_id)!;
    expect(client.redirectUris).toEqual([`${v.externalURL}/c/oidc/callback`]);
    // ingress-nginx: the chart makes Harbor's Ingress; a Gateway API layer publishes it by an HTTPRoute.
    if (site.ingress.controller === 'ingress-nginx') expect(v.expose.ingress.hosts.core).toBe(site.hosts.harbor);
    else expect(publishedHosts(await load(file), 'harbor')).toEqual([site.hosts.harbor]);
    expect(harbor.proxyCaches.map((p: Obj) => p.name)).toEqual(site.registry.proxyCaches.map((p) => p.name));
  });

  it('Keycloak serves the issuer host; API server settings and kubeconfig use the same issuer and client', async () => {
    const { site, manifests, realm } = await load(file);
    const kc = manifests.find((m) => m.kind === 'Keycloak')!;
    expect(kc.spec.instances).toBeGreaterThanOrEqual(2);
    expect(new URL(issuerUrl(site)).host).toBe(new URL(kc.spec.hostname.hostname).host);
    const ing = manifests.find((m) => m.kind === 'Ingress' || m.kind === 'HTTPRoute')!;
    if (ing.kind === 'Ingress') {
      expect(ing.spec.rules[0].host).toBe(site.hosts.sso);
      expect(ing.spec.tls[0].hosts).toEqual([site.hosts.sso]);
    } else {
      // The Gateway's HTTPS listener for this host holds the certificate; the route names the host.
      expect(ing.spec.hostnames).toEqual([site.hosts.sso]);
    }
    const api = apiServerOidc(site);
    expect(api.issuerUrl).toBe(`https://${site.hosts.sso}/realms/${realm.realm}`);
    const k8sClient = (realm.clients as Obj[]).find((c) => c.clientId === api.clientId)!;
    expect(k8sClient.publicClient).toBe(true);
    expect(api.extraArgs).toEqual(
      expect.arrayContaining([
        { name: 'oidc-issuer-url', value: api.issuerUrl },
        { name: 'oidc-client-id', value: 'kubernetes' },
      ]),
    );
    const jwt = (api.authenticationConfiguration.jwt as Obj[])[0]!;
    expect(jwt.issuer).toEqual({ url: api.issuerUrl, audiences: ['kubernetes'] });
    expect(jwt.claimMappings.groups).toEqual({ claim: 'groups', prefix: KUBE_OIDC_PREFIX });
    // A site CA signs Keycloak's certificate on internal-ca sites: the API server must be told to trust it.
    expect(api.extraArgs.some((a) => a.name === 'oidc-ca-file')).toBe(site.tls.mode === 'internal-ca');
    const kubeconfig = buildKubeconfig(site, { user: 'student1' }) as Obj;
    const args: string[] = kubeconfig.users[0].user.exec.args;
    expect(args).toContain(`--oidc-issuer-url=${api.issuerUrl}`);
    expect(args).toContain(`--oidc-client-id=${api.clientId}`);
    // kubelogin listens on localhost:8000/18000: both must be allowed redirects of the public client.
    expect(k8sClient.redirectUris).toEqual(['http://localhost:8000', 'http://localhost:18000']);
  });
});

describe('labctl kubeconfig', () => {
  it('writes a kubeconfig real kubectl accepts, with the kubelogin exec plugin and no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labctl-kubeconfig-'));
    try {
      const out = join(dir, 'kc.yaml');
      const ca = join(dir, 'ca.crt');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUKQ\n-----END CERTIFICATE-----\n');
      const r = await labctl([
        'kubeconfig',
        '-i',
        EXAMPLE,
        '--user',
        'jdoe',
        '--namespace',
        'course-os101-shell',
        '--ca-file',
        ca,
        '-o',
        out,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const kubectl = spawnSync('kubectl', ['config', 'view', '--kubeconfig', out, '-o', 'json'], { encoding: 'utf8' });
      expect(kubectl.status).toBe(0);
      const j = JSON.parse(kubectl.stdout) as Obj;
      expect(j['current-context']).toBe('jdoe@cs-lab');
      expect(j.contexts[0].context.namespace).toBe('course-os101-shell');
      expect(j.clusters[0].cluster.server).toBe('https://k8s-api.lab.example.edu:6443');
      expect(j.users[0].user.exec.command).toBe('kubectl');
      expect(j.users[0].user.exec.args.slice(0, 2)).toEqual(['oidc-login', 'get-token']);
      expect(readFileSync(out, 'utf8')).not.toMatch(/client-secret|token:/);
      // Never replaced silently.
      const again = await labctl(['kubeconfig', '-i', EXAMPLE, '--user', 'jdoe', '-o', out]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists; pass --replace-file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--namespace: a name that is no namespace is refused; course-<course> (no namespace labctl makes) is named as such', async () => {
    // The --help and docs/kubeconfig.md example was --namespace course-os101, but labs run in
    // course-<course>-<lab>: every kubectl command then looked where nothing is. Any text was written as is.
    const dir = mkdtempSync(join(tmpdir(), 'labctl-kubeconfig-ns-'));
    try {
      const out = join(dir, 'kc.yaml');
      const bad = await labctl(['kubeconfig', '-i', EXAMPLE, '--user', 'jdoe', '--namespace', 'Course OS', '-o', out]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(
        "labctl: --namespace Course OS: expected a namespace name (lowercase letters, digits and '-', at most 63), e.g. course-netsec-firewalls\n",
      );
      expect(existsSync(out)).toBe(false);
      const course = await labctl([
        'kubeconfig',
        '-i',
        EXAMPLE,
        '--user',
        'jdoe',
        '--namespace',
        'course-os101',
        '-o',
        out,
      ]);
      expect(course.code, course.stderr).toBe(0);
      expect(course.stderr).toContain(
        'note: no namespace course-os101 exists: each lab of course os101 runs in its own, course-os101-<lab> (labs/os101/<lab>.yaml), so kubectl finds nothing there; give --namespace course-os101-<lab> (with --replace-file)\n',
      );
      const lab = await labctl([
        'kubeconfig',
        '-i',
        EXAMPLE,
        '--user',
        'jdoe',
        '--namespace',
        'course-os101-shell',
        '-o',
        out,
        '--replace-file',
      ]);
      expect(lab.code, lab.stderr).toBe(0);
      expect(lab.stderr).not.toContain('note:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
