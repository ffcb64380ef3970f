// The lab chart (charts/vm-lab, templated by the real helm) for the lab fixtures, synced into the real
// kube-apiserver into course-<course>-<lab> namespaces labelled as the labs ApplicationSet's
// managedNamespaceMetadata says; then student, staff and lab-hours isolation decided by the server's own
// RBAC authorizer (SubjectAccessReview and requests as token users), and Pod Security admission.
// Users and groups follow the identity contract (installer/render/identity.ts, prefix "oidc:"); OIDC itself
// is stood in by impersonation and the server's static token file (test/kube/identities.ts).
// KubeVirt's ClusterRole kubevirt.io:admin (which the staff RoleBinding names) is created by KubeVirt's
// operator at run time, not by the rendered tree: it is stood in here (STAFF_ROLE) by the rules written
// from KubeVirt's role, so staff access is proven for the binding, not for KubeVirt's exact role.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { K8sObject } from '../../installer/render/model.ts';
import { ROOT } from '../helpers.ts';
import { VALID, siteValuesFile, template, tmp } from '../labs/helpers.ts';
import { applyObjects } from './apply.ts';
import {
  allowed,
  freshNamespace,
  type Access,
  kubectl,
  kubectlOk,
  tokenKubeConfig,
  type Identity,
  waitEstablished,
} from './client.ts';
import { crdsFor } from './crds.ts';
import { upstreamCrds } from '../../scripts/crds/generate.ts';
import { SOURCES } from '../../scripts/crds/sources.ts';
import { TOKEN_USERS } from './identities.ts';

const LABS = [
  { course: 'netsec', lab: 'firewalls', files: ['netsec/roster.yaml', 'netsec/firewalls.yaml'] },
  { course: 'netsec', lab: 'scanning', files: ['netsec/roster.yaml', 'netsec/scanning.yaml'] },
  { course: 'os101', lab: 'shell', files: ['os101/shell.yaml'] },
] as const;
type LabName = (typeof LABS)[number]['lab'];

const STAFF_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'kubevirt.io:admin' },
  rules: [
    {
      apiGroups: ['kubevirt.io'],
      resources: ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
    },
    {
      apiGroups: ['subresources.kubevirt.io'],
      resources: [
        'virtualmachineinstances/console',
        'virtualmachineinstances/vnc',
        'virtualmachineinstances/vnc/screenshot',
        'virtualmachineinstances/portforward',
      ],
      verbs: ['get'],
    },
    {
      apiGroups: ['subresources.kubevirt.io'],
      resources: [
        'virtualmachines/start',
        'virtualmachines/stop',
        'virtualmachines/restart',
        'virtualmachines/migrate',
      ],
      verbs: ['update'],
    },
  ],
} as unknown as K8sObject;

const namespaceOf = (course: string, lab: string) => `course-${course}-${lab}`;

/** The namespace labels the labs ApplicationSet gives each lab namespace (CreateNamespace + managedNamespaceMetadata). */
function namespaceLabels(course: string, lab: string): Record<string, string> {
  const set = parse(
    readFileSync(join(ROOT, 'test/golden/example/apps/labs-applicationset.yaml'), 'utf8')
      .split(/^---$/m)
      .find((d) => /kind: ApplicationSet/.test(d))!,
  );
  const labels = set.spec.template.spec.syncPolicy.managedNamespaceMetadata.labels as Record<string, string>;
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [
      k,
      v.replace('{{ .path.basename }}', course).replace('{{ trimSuffix ".yaml" .path.filename }}', lab),
    ]),
  );
}

let dir: string;
const rendered = new Map<LabName, K8sObject[]>();
const results = new Map<LabName, { ok: number; refused: string[] }>();
/** VM names per lab and student login. */
const vms = new Map<LabName, Map<string, string>>();
/** The upstream CRDs installed (scripts/crds). */
let upstreamNames: string[] = [];

beforeAll(async () => {
  dir = tmp('kube');
  const site = siteValuesFile(dir);
  for (const l of LABS)
    rendered.set(
      l.lab,
      await template(l.lab, namespaceOf(l.course, l.lab), [site, ...l.files.map((f) => join(VALID, f))]),
    );
  // VirtualMachine and DataVolume get KubeVirt's and CDI's own CRDs (stored under scripts/crds, full
  // upstream schemas and CEL rules); a kind without a stored CRD would get one built from the schemas.
  const all = [...rendered.values()].flat();
  const stored = new Map(
    (SOURCES.flatMap((s) => upstreamCrds(s)) as any[]).map((c) => [`${c.spec.group}/${c.spec.names.kind}`, c]),
  );
  const kindKey = (o: K8sObject) => `${o.apiVersion.split('/')[0]}/${o.kind}`;
  const real = [...new Set(all.filter((o) => stored.has(kindKey(o))).map((o) => stored.get(kindKey(o)) as K8sObject))];
  upstreamNames = real.map((c) => c.metadata.name).sort();
  const crdObjects = [...crdsFor(all.filter((o) => !stored.has(kindKey(o)))), ...real];
  expect((await applyObjects(crdObjects)).refused).toEqual([]);
  await waitEstablished(crdObjects.map((c) => c.metadata.name));
  expect((await applyObjects([STAFF_ROLE])).refused).toEqual([]);
  for (const l of LABS) {
    const ns = namespaceOf(l.course, l.lab);
    expect(
      (
        await applyObjects([
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: ns, labels: namespaceLabels(l.course, l.lab) },
          } as K8sObject,
        ])
      ).refused,
    ).toEqual([]);
    const objs = rendered.get(l.lab)!;
    results.set(l.lab, await applyObjects(objs));
    vms.set(
      l.lab,
      new Map(
        objs
          .filter((o) => o.kind === 'VirtualMachine')
          .map((o) => [o.metadata.labels!['labctl.dev/student']!, o.metadata.name]),
      ),
    );
  }
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('charts/vm-lab output on a real kube-apiserver (server-side apply, strict validation; the upstream KubeVirt/CDI CRDs from scripts/crds)', () => {
  it('VirtualMachine and DataVolume are checked by the upstream CRDs, not built ones', () => {
    expect(upstreamNames).toEqual(['datavolumes.cdi.kubevirt.io', 'virtualmachines.kubevirt.io']);
  });

  it("a misspelt field in a VM is refused by KubeVirt's CRD (the check can fail)", async () => {
    const vm = structuredClone(rendered.get('firewalls')!.find((o) => o.kind === 'VirtualMachine')!) as any;
    vm.metadata.name = 'typo-vm';
    const nic = vm.spec.template.spec.domain.devices.interfaces[0];
    nic.masquarade = nic.masquerade;
    delete nic.masquerade;
    const r = await applyObjects([vm]);
    expect(r.ok).toBe(0);
    expect(r.refused.join('\n')).toMatch(/masquarade: field not declared in schema|unknown field ".*masquarade"/);
  });

  for (const l of LABS) {
    it(`${l.course}/${l.lab}: every object of the chart is accepted`, () => {
      const r = results.get(l.lab)!;
      console.log(`kube: lab ${l.course}/${l.lab}: ${r.ok} of ${rendered.get(l.lab)!.length} chart objects accepted`);
      expect(r.refused).toEqual([]);
      expect(r.ok).toBe(rendered.get(l.lab)!.length);
    });
  }
});

const student = (login: string, course: string): Identity => ({
  user: `oidc:${login}`,
  groups: [`oidc:course-${course}-students`, 'system:authenticated'],
});
const staff = (login: string, course: string): Identity => ({
  user: `oidc:${login}`,
  groups: [`oidc:course-${course}-staff`, 'system:authenticated'],
});
const scheduler = (ns: string): Identity => ({
  user: `system:serviceaccount:${ns}:lab-scheduler`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
});

const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
/** Every way to reach one VM: the object, its instance, its action and console subresources, its cloud-init Secret. */
function vmAccess(ns: string, vm: string): Access[] {
  return [
    ...['virtualmachines', 'virtualmachineinstances'].flatMap((resource) =>
      ALL_VERBS.map((verb) => ({ verb, resource, group: 'kubevirt.io', namespace: ns, name: vm })),
    ),
    ...['start', 'stop', 'restart', 'migrate', 'portforward'].flatMap((sub) =>
      ['get', 'update', 'patch', 'create'].map((verb) => ({
        verb,
        resource: 'virtualmachines',
        subresource: sub,
        group: 'subresources.kubevirt.io',
        namespace: ns,
        name: vm,
      })),
    ),
    ...['console', 'vnc', 'vnc/screenshot', 'portforward'].flatMap((sub) =>
      ['get', 'create', 'update'].map((verb) => ({
        verb,
        resource: 'virtualmachineinstances',
        subresource: sub,
        group: 'subresources.kubevirt.io',
        namespace: ns,
        name: vm,
      })),
    ),
    ...ALL_VERBS.map((verb) => ({ verb, resource: 'secrets', namespace: ns, name: `cloudinit-${vm}` })),
  ];
}

async function grantedOf(who: Identity, ns: string, vm: string): Promise<string[]> {
  const out: string[] = [];
  for (const a of vmAccess(ns, vm))
    if (await allowed(who, a)) out.push(`${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}`);
  return out;
}

const OWN_VM = [
  'get virtualmachines',
  'get virtualmachineinstances',
  'update virtualmachines/start',
  'update virtualmachines/stop',
  'update virtualmachines/restart',
];

describe("student isolation by the real RBAC authorizer (OIDC users stood in by impersonation with the identity contract's names)", () => {
  const FW = namespaceOf('netsec', 'firewalls');
  const SC = namespaceOf('netsec', 'scanning');
  const SH = namespaceOf('os101', 'shell');

  it('a student may get, start, stop, restart and open the console of their own VM, nothing else of it', async () => {
    const vm = vms.get('firewalls')!.get('alice')!;
    // firewalls: console and ssh (portforward) on, VNC off.
    expect(await grantedOf(student('alice', 'netsec'), FW, vm)).toEqual([
      ...OWN_VM,
      'get virtualmachines/portforward',
      'get virtualmachineinstances/console',
      'get virtualmachineinstances/portforward',
    ]);
    // scanning: console and VNC on, no ssh.
    expect(await grantedOf(student('dave', 'netsec'), SC, vms.get('scanning')!.get('dave')!)).toEqual([
      ...OWN_VM,
      'get virtualmachineinstances/console',
      'get virtualmachineinstances/vnc',
      'get virtualmachineinstances/vnc/screenshot',
    ]);
  });

  it("a student is denied every verb on another student's VM, console, VNC and cloud-init Secret (same lab, same course, other course)", async () => {
    for (const [who, ns, vm] of [
      [student('alice', 'netsec'), FW, vms.get('firewalls')!.get('bob.smith')!],
      [student('erin', 'netsec'), SC, vms.get('scanning')!.get('dave')!],
      [student('alice', 'netsec'), SC, vms.get('scanning')!.get('dave')!],
      [student('gina', 'os101'), FW, vms.get('firewalls')!.get('alice')!],
      [student('alice', 'netsec'), SH, vms.get('shell')!.get('gina')!],
    ] as const)
      expect(await grantedOf(who, ns, vm), `${who.user} on ${ns}/${vm}`).toEqual([]);
    // Nor listing the lab's VMs or Secrets at all.
    for (const resource of ['virtualmachines', 'secrets']) {
      expect(
        await allowed(student('alice', 'netsec'), {
          verb: 'list',
          resource,
          group: resource === 'secrets' ? '' : 'kubevirt.io',
          namespace: FW,
        }),
      ).toBe(false);
    }
  });

  it('course staff manage every VM of their course (start, stop, console) and nothing in another course; no cloud-init Secret', async () => {
    const gina = vms.get('shell')!.get('gina')!;
    const own = await grantedOf(staff('jdoe', 'os101'), SH, gina);
    expect(own).toEqual(
      expect.arrayContaining([
        'update virtualmachines/start',
        'update virtualmachines/stop',
        'get virtualmachineinstances/console',
        'get virtualmachineinstances/vnc',
        'delete virtualmachines',
      ]),
    );
    expect(own.filter((g) => g.includes('secrets'))).toEqual([]);
    expect(await grantedOf(staff('jdoe', 'os101'), FW, vms.get('firewalls')!.get('alice')!)).toEqual([]);
    expect(await grantedOf(staff('mmuster', 'netsec'), SH, gina)).toEqual([]);
    expect(await grantedOf(staff('mmuster', 'netsec'), FW, vms.get('firewalls')!.get('alice')!)).toEqual(
      expect.arrayContaining(['update virtualmachines/start', 'get virtualmachineinstances/console']),
    );
  });

  it('the lab-hours ServiceAccount may only read and patch the VMs of its own lab', async () => {
    const sa = scheduler(FW);
    const alice = vms.get('firewalls')!.get('alice')!;
    expect(await grantedOf(sa, FW, alice)).toEqual([
      'get virtualmachines',
      'list virtualmachines',
      'patch virtualmachines',
    ]);
    expect(await grantedOf(sa, SC, vms.get('scanning')!.get('dave')!)).toEqual([]);
    expect(await grantedOf(sa, SH, vms.get('shell')!.get('gina')!)).toEqual([]);
  });

  it("as token users (the token file standing in for OIDC): gina reads her own VM and is refused another lab's", async () => {
    const gina = tokenKubeConfig(TOKEN_USERS.gina!.token).makeApiClient(k8s.CustomObjectsApi);
    const vm = vms.get('shell')!.get('gina')!;
    const own = (await gina.getNamespacedCustomObject({
      group: 'kubevirt.io',
      version: 'v1',
      namespace: SH,
      plural: 'virtualmachines',
      name: vm,
    })) as K8sObject;
    expect(own.metadata.name).toBe(vm);
    const err = await gina
      .getNamespacedCustomObject({
        group: 'kubevirt.io',
        version: 'v1',
        namespace: FW,
        plural: 'virtualmachines',
        name: vms.get('firewalls')!.get('alice')!,
      })
      .then(
        () => null,
        (e) => e,
      );
    expect(err?.code).toBe(403);
    const r = await kubectl([
      'auth',
      'can-i',
      'update',
      'virtualmachines',
      '--subresource=start',
      `--namespace=${FW}`,
      '--as',
      'oidc:gina',
      '--as-group',
      'oidc:course-os101-students',
    ]);
    expect(r.stdout.trim()).toBe('no');
  });

  it("the checks can fail: with the student Role's resourceNames removed (a weakened copy), another student's VM is reachable", async () => {
    const ns = await freshNamespace('weakened');
    const objs = rendered
      .get('firewalls')!
      .filter((o) => ['Role', 'RoleBinding'].includes(o.kind) && o.metadata.name.startsWith('student-'))
      .map((o) => {
        const c = structuredClone(o) as any;
        c.metadata.namespace = ns;
        if (c.kind === 'Role') for (const rule of c.rules) delete rule.resourceNames;
        return c as K8sObject;
      });
    expect((await applyObjects(objs)).refused).toEqual([]);
    expect(await grantedOf(student('alice', 'netsec'), ns, vms.get('firewalls')!.get('bob.smith')!)).toEqual(
      expect.arrayContaining(['update virtualmachines/start', 'get virtualmachineinstances/console']),
    );
  });
});

describe('Pod Security admission on the course namespaces (real PodSecurity plugin)', () => {
  const privileged = (ns: string) =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'escape', namespace: ns },
      spec: {
        containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', securityContext: { privileged: true } }],
        hostNetwork: true,
      },
    }) as unknown as K8sObject;

  it('a privileged pod is refused in every lab namespace', async () => {
    for (const l of LABS) {
      const ns = namespaceOf(l.course, l.lab);
      // The ServiceAccount admission plugin wants the namespace's default ServiceAccount (made by a controller).
      await kubectlOk(['create', 'serviceaccount', 'default', '-n', ns, '--dry-run=client', '-o', 'yaml']).then((y) =>
        kubectlOk(['apply', '-f', '-'], { stdin: y }),
      );
      const r = await applyObjects([privileged(ns)], { dryRunKinds: new Set() });
      expect(r.refused.join('\n'), ns).toMatch(
        /violates PodSecurity "(baseline|restricted):(latest|v\d+\.\d+)": .*privileged/,
      );
    }
  });

  it("control: the same pod is admitted in a namespace without Pod Security labels (so the refusal above is PodSecurity's)", async () => {
    const ns = await freshNamespace('no-psa');
    await kubectlOk(['create', 'serviceaccount', 'default', '-n', ns]);
    const r = await applyObjects([privileged(ns)], { dryRunKinds: new Set(['Pod']) });
    expect(r.refused).toEqual([]);
    expect(r.ok).toBe(1);
  });
});
