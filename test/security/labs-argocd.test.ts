// Course staff see and sync exactly their course's lab Applications, and a course's Applications reach
// only that course's namespaces and the chart's kinds. No ArgoCD runs here:
// - RBAC is evaluated by the real Casbin engine (npm `casbin`) with ArgoCD's model (argo-cd
//   assets/model.conf, copied below) and ArgoCD's glob matcher re-implemented for the patterns we use
//   (util/glob: gobwas glob without separators, so `*` also matches "/"), fed with the rendered
//   policy.csv. ArgoCD enforces once per group claim (scopes: [groups]); so does this test.
// - AppProject checks are a TypeScript port of argo-cd v3.5.1 AppProject.isDestinationMatched and
//   IsGroupKindPermitted (pkg/apis/application/v1alpha1), run over the rendered AppProjects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import { parse } from 'yaml';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { courseProjects, courseStaffPolicy } from '../../installer/render/components/vm-labs/index.ts';
import { CHART, exampleCtx } from '../labs/helpers.ts';
import { appFor, siteRepo, type SiteRepo } from './labs-helpers.ts';

const ARGOCD_MODEL = `
[request_definition]
r = sub, res, act, obj

[policy_definition]
p = sub, res, act, obj, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && globOrRegexMatch(r.res, p.res) && globOrRegexMatch(r.act, p.act) && globOrRegexMatch(r.obj, p.obj)
`;

/** ArgoCD's glob match (gobwas glob, no separators): `*` any run of characters, `?` one character. */
function globMatch(val: string, pattern: string): boolean {
  if (/[[\]{}\\]/.test(pattern)) throw new Error(`glob syntax this test does not implement: ${pattern}`);
  return new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    's',
  ).test(val);
}

async function enforcer(policyCsv: string): Promise<Enforcer> {
  const e = await newEnforcer(newModelFromString(ARGOCD_MODEL), new StringAdapter(policyCsv));
  await e.addFunction('globOrRegexMatch', (a: string, b: string) => globMatch(a, b));
  return e;
}
/** ArgoCD allows a request when any of the user's groups (or the user) is allowed. */
const can = async (e: Enforcer, groups: string[], res: string, act: string, obj: string) => {
  for (const g of groups) if (await e.enforce(g, res, act, obj)) return true;
  return false;
};

let repo: SiteRepo;
let policy: string;
beforeAll(async () => {
  repo = await siteRepo('argocd');
  policy = parse(repo.files.get('components/argocd/values.yaml')!).configs.rbac['policy.csv'];
}, 120_000);
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

describe("ArgoCD RBAC: course staff see and sync exactly their course's lab Applications (Casbin with ArgoCD's model)", () => {
  const netsec = ['course-netsec-staff'];
  const own = ['course-netsec/lab-netsec.firewalls', 'course-netsec/argocd/lab-netsec.firewalls'];
  const others = [
    'course-os101/lab-os101.shell',
    'course-netsec-x/lab',
    'operators/argocd',
    'root/root',
    'apps/harbor',
    'labs/lab-netsec.firewalls',
  ];

  it("the rendered policy gives course-netsec-staff get and sync on its own project's Applications", async () => {
    const e = await enforcer(policy);
    for (const app of own) {
      expect(await can(e, netsec, 'applications', 'get', app), app).toBe(true);
      expect(await can(e, netsec, 'applications', 'sync', app), app).toBe(true);
    }
    expect(await can(e, netsec, 'projects', 'get', 'course-netsec')).toBe(true);
  });

  it('and nothing else: no other course, no platform app, no write, no exec, no other resource', async () => {
    const e = await enforcer(policy);
    for (const app of others)
      for (const act of ['get', 'sync'])
        expect(await can(e, netsec, 'applications', act, app), `${act} ${app}`).toBe(false);
    for (const act of ['create', 'update', 'delete', 'override', 'action/kubevirt.io/VirtualMachine/stop'])
      expect(await can(e, netsec, 'applications', act, own[0]!), act).toBe(false);
    for (const [res, act, obj] of [
      ['exec', 'create', own[0]],
      ['logs', 'get', own[0]],
      ['applicationsets', 'get', 'course-netsec/labs'],
      ['projects', 'get', 'course-os101'],
      ['projects', 'update', 'course-netsec'],
      ['clusters', 'get', '*'],
      ['repositories', 'get', '*'],
      ['accounts', 'get', '*'],
      ['certificates', 'get', '*'],
    ] as const) {
      expect(await can(e, netsec, res, act, obj!), `${res} ${act} ${obj}`).toBe(false);
    }
    // Students, and users without groups, get nothing (policy.default is empty).
    expect(await can(e, ['course-netsec-students'], 'applications', 'get', own[0]!)).toBe(false);
    expect(await can(e, ['someone'], 'applications', 'get', own[0]!)).toBe(false);
    // Staff of os101 cannot see netsec's labs; platform admins map to ArgoCD's built-in role:admin.
    expect(await can(e, ['course-os101-staff'], 'applications', 'get', own[0]!)).toBe(false);
    expect(await can(e, ['course-os101-staff'], 'applications', 'sync', 'course-os101/lab-os101.shell')).toBe(true);
    expect(policy).toContain('g, platform-admins, role:admin');
  });

  it("weakened: one shared course-staff role over all course projects lets netsec staff sync os101's labs", async () => {
    const shared = [
      'p, role:course-staff, applications, get, course-*/*, allow',
      'p, role:course-staff, applications, sync, course-*/*, allow',
      'g, course-netsec-staff, role:course-staff',
      'g, course-os101-staff, role:course-staff',
    ].join('\n');
    const e = await enforcer(shared);
    expect(await can(e, netsec, 'applications', 'sync', 'course-os101/lab-os101.shell')).toBe(true);
  });

  it('project names of courses that extend each other do not leak: course-net staff never match course-net-sec apps', async () => {
    const e = await enforcer(courseStaffPolicy(['net', 'net-sec']).join('\n'));
    expect(await can(e, ['course-net-staff'], 'applications', 'sync', 'course-net/lab-net-a')).toBe(true);
    expect(await can(e, ['course-net-staff'], 'applications', 'sync', 'course-net-sec/lab-net-sec-a')).toBe(false);
    expect(await can(e, ['course-net-sec-staff'], 'applications', 'sync', 'course-net/lab-net-a')).toBe(false);
  });
});

// --- argo-cd v3.5.1 pkg/apis/application/v1alpha1, ported (see the header). ---
type Dest = { server?: string; name?: string; namespace?: string };
const isDeny = (p?: string) => !!p && p.startsWith('!');
function globMatchNeg(pattern: string | undefined, val: string): boolean {
  const p = pattern ?? '';
  if (isDeny(p)) return !globMatch(val, p.slice(1));
  if (p === '*') return true;
  return globMatch(val, p);
}
function isDestinationMatched(project: any, dst: { server: string; namespace: string }): boolean {
  let any = false;
  let noDeny = true;
  for (const item of project.spec.destinations as Dest[]) {
    const serverMatched = dst.server !== '' && globMatchNeg(item.server, dst.server);
    const nsMatched = globMatchNeg(item.namespace, dst.namespace);
    if (serverMatched && nsMatched) any = true;
    else if ((!serverMatched && isDeny(item.server)) || (!nsMatched && isDeny(item.namespace))) noDeny = false;
  }
  return any && noDeny;
}
function isGroupKindPermitted(project: any, group: string, kind: string, namespaced: boolean): boolean {
  const inList = (l: { group: string; kind: string }[]) =>
    l.some((r) => globMatchNeg(r.group, group) && globMatchNeg(r.kind, kind));
  if (namespaced) {
    const w = project.spec.namespaceResourceWhitelist;
    return w == null || (w.length !== 0 && inList(w));
  }
  const w = project.spec.clusterResourceWhitelist ?? [];
  return w.length !== 0 && inList(w);
}

describe("AppProjects: a course's Applications reach only its namespaces and the chart's kinds (port of ArgoCD's checks)", () => {
  const server = 'https://kubernetes.default.svc';
  const project = (name: string) => repo.projects.find((p) => p.metadata.name === name);

  it('the Application of labs/netsec/x.yaml is in project course-netsec, whose destinations admit only course-netsec-* namespaces', () => {
    const app = appFor(repo, 'labs/netsec/x.yaml');
    expect(app.spec.project).toBe('course-netsec');
    const p = project('course-netsec');
    expect(isDestinationMatched(p, { server, namespace: app.spec.destination.namespace })).toBe(true);
    for (const ns of ['course-os101-shell', 'kube-system', 'argocd', 'vm-images', 'default', 'kubevirt'])
      expect(isDestinationMatched(p, { server, namespace: ns }), ns).toBe(false);
    expect(isDestinationMatched(p, { server: 'https://other-cluster:6443', namespace: 'course-netsec-x' })).toBe(false);
  });

  it('the Application reads only charts/vm-lab and its own course folder, all named from the file path', () => {
    for (const rel of ['labs/netsec/x.yaml', 'labs/os101/shell.yaml']) {
      const course = rel.split('/')[1];
      const src = appFor(repo, rel).spec.source;
      expect(src.repoURL).toBe(repo.appset.spec.generators[0].git.repoURL);
      expect(src.path).toBe('charts/vm-lab');
      const files = src.helm.valueFiles.map((v: string) => posix.normalize(posix.join(src.path, v)));
      expect(files).toEqual([`labs/${course}/roster.yaml`, rel]);
      expect(src.helm.valuesObject.course).toBe(course);
    }
    // The chart reads no file a value could name.
    for (const f of readdirSync(join(CHART, 'templates')))
      expect(readFileSync(join(CHART, 'templates', f), 'utf8')).not.toMatch(/\.Files|\btpl\b/);
  });

  it("only the chart's namespaced kinds, and no cluster-scoped kind but the Namespace CreateNamespace needs", () => {
    const p = project('course-netsec');
    for (const [g, k] of [
      ['kubevirt.io', 'VirtualMachine'],
      ['', 'Secret'],
      ['rbac.authorization.k8s.io', 'RoleBinding'],
      ['networking.k8s.io', 'NetworkPolicy'],
      ['batch', 'CronJob'],
    ]) {
      expect(isGroupKindPermitted(p, g!, k!, true), k).toBe(true);
    }
    for (const [g, k] of [
      ['', 'Pod'],
      ['apps', 'Deployment'],
      ['apps', 'DaemonSet'],
      ['', 'Service'],
      ['batch', 'Job'],
      ['kubevirt.io', 'VirtualMachineInstance'],
      ['', 'PersistentVolumeClaim'],
      ['argoproj.io', 'Application'],
    ]) {
      expect(isGroupKindPermitted(p, g!, k!, true), k).toBe(false);
    }
    for (const [g, k] of [
      ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
      ['rbac.authorization.k8s.io', 'ClusterRole'],
      ['apiextensions.k8s.io', 'CustomResourceDefinition'],
      ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration'],
      ['', 'PersistentVolume'],
    ]) {
      expect(isGroupKindPermitted(p, g!, k!, false), k).toBe(false);
    }
    expect(isGroupKindPermitted(p, '', 'Namespace', false)).toBe(true);
  });

  it('courses whose names extend each other never generate the same Application name (a duplicate stops the whole ApplicationSet)', () => {
    const a = appFor(repo, 'labs/net/sec-a.yaml').metadata.name;
    const b = appFor(repo, 'labs/net-sec/a.yaml').metadata.name;
    expect([a, b]).toEqual(['lab-net.sec-a', 'lab-net-sec.a']);
    // Weakened: joining with "-" as before makes them equal.
    const dash = (course: string, lab: string) => `lab-${course}-${lab}`;
    expect(dash('net', 'sec-a')).toBe(dash('net-sec', 'a'));
    // Both namespaces are still equal; the AppProject deny entry below decides which course may use it.
    expect(appFor(repo, 'labs/net/sec-a.yaml').spec.destination.namespace).toBe(
      appFor(repo, 'labs/net-sec/a.yaml').spec.destination.namespace,
    );
  });

  it("courses whose names extend each other: course net cannot deploy into course net-sec's namespaces (deny destination)", () => {
    const ctx = exampleCtx();
    ctx.site.labs.courses = [{ name: 'net' }, { name: 'net-sec' }];
    const [net, netSec] = courseProjects(ctx);
    // labs/net/sec-a.yaml would target course-net-sec-a, a namespace of course net-sec.
    expect(isDestinationMatched(net, { server, namespace: 'course-net-sec-a' })).toBe(false);
    expect(isDestinationMatched(net, { server, namespace: 'course-net-a' })).toBe(true);
    expect(isDestinationMatched(netSec, { server, namespace: 'course-net-sec-a' })).toBe(true);
    expect(isDestinationMatched(netSec, { server, namespace: 'course-net-a' })).toBe(false);
    // Weakened: without the deny entry the prefix glob lets it through.
    const weak = {
      ...net,
      spec: { ...net!.spec, destinations: net!.spec!.destinations!.filter((d) => !d.namespace?.startsWith('!')) },
    };
    expect(isDestinationMatched(weak, { server, namespace: 'course-net-sec-a' })).toBe(true);
  });
});
