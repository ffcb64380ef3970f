// Attacks by someone with commit rights to one course folder (labs/netsec/), each through the real CLI
// (`labctl labs validate`, what the site CI runs) and the real helm rendering the Application the
// ApplicationSet generates for the file's path (what ArgoCD runs, CI skipped or not). Each attack is also
// run against a deliberately weakened copy (chart without schema, without excepts, or an Application
// without the platform's values) to show the defence is what stops it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, labctl } from '../helpers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CHART_KINDS } from '../../installer/render/components/vm-labs/index.ts';
import { byKind, globRe } from '../labs/helpers.ts';
import {
  appFor,
  clearLabs,
  helmApp,
  labText,
  put,
  siteRepo,
  validate,
  walk,
  weakChart,
  type SiteRepo,
} from './labs-helpers.ts';

let repo: SiteRepo;
const dirs: string[] = [];
beforeAll(async () => {
  repo = await siteRepo('bound');
}, 120_000);
afterAll(() => {
  rmSync(repo.dir, { recursive: true, force: true });
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const weak = (o: Parameters<typeof weakChart>[0]) => {
  const d = weakChart(o);
  dirs.push(d);
  return d;
};
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** FILE:LINE:COL path: at the start of a line of stderr, an error (a warning line has the same start). */
const located = (file: string, line: number, path: string) =>
  new RegExp(`^${esc(file)}:${line}:\\d+ ${esc(path)}: (?!warning: )`, 'm');

describe('attack: a lab file claims another course', () => {
  const text = labText('os101');
  it('labs validate refuses it at the course line', async () => {
    clearLabs(repo);
    const f = put(repo, 'labs/netsec/steal.yaml', text);
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(located(f, 3, 'course'));
    expect(r.stderr).toContain('does not match the folder netsec/');
  });

  it('CI skipped: the Application keeps project, namespace, course and staff group of the folder', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/steal.yaml', text);
    const app = appFor(repo, 'labs/netsec/steal.yaml');
    expect(app.spec.project).toBe('course-netsec');
    expect(app.spec.destination.namespace).toBe('course-netsec-steal');
    const r = await helmApp(repo, 'labs/netsec/steal.yaml');
    expect(r.code, r.stderr).toBe(0);
    for (const o of r.objects) {
      expect(o.metadata.namespace).toBe('course-netsec-steal');
      expect(o.metadata.labels?.['labctl.dev/course']).toBe('netsec');
    }
    const staff = byKind(r.objects, 'RoleBinding').filter((b) => b.metadata.name.startsWith('staff-')) as any[];
    expect(staff.map((b) => b.subjects[0].name)).toEqual(['oidc:course-netsec-staff', 'oidc:course-netsec-staff']);
  });

  it("weakened: without the course in the Application's own values, the file's claim wins (labels and os101 staff admin)", async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/steal.yaml', text);
    const { course: _c, ...valuesObject } = appFor(repo, 'labs/netsec/steal.yaml').spec.source.helm.valuesObject;
    const r = await helmApp(repo, 'labs/netsec/steal.yaml', { valuesObject });
    expect(r.code, r.stderr).toBe(0);
    expect(r.objects[0]!.metadata.labels?.['labctl.dev/course']).toBe('os101');
    const staff = byKind(r.objects, 'RoleBinding').find((b) => b.metadata.name === 'staff-vms') as any;
    expect(staff.subjects[0].name).toBe('oidc:course-os101-staff');
  });
});

describe('attack: a roster with an extra injected object', () => {
  it("an extra key (the platform's site values) is refused by labs validate, and overridden by the Application when CI is skipped", async () => {
    clearLabs(repo);
    const f = put(repo, 'labs/netsec/roster.yaml', 'students: [alice]\nsite:\n  protectedCidrs: [203.0.113.0/24]\n');
    put(repo, 'labs/netsec/open.yaml', labText('netsec', 'network: {internet: true}', ''));
    const cli = await validate(repo);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(located(f, 2, 'site'));
    const r = await helmApp(repo, 'labs/netsec/open.yaml');
    expect(r.code, r.stderr).toBe(0);
    const pol = byKind(r.objects, 'NetworkPolicy').find((p) => p.metadata.name === 'vm-internet') as any;
    expect(pol.spec.egress[0].to[0].ipBlock.except).toContain('10.10.1.0/24');
    expect(pol.spec.egress[0].to[0].ipBlock.except).not.toContain('203.0.113.0/24');
  });

  it('an extra key is refused by labs validate even when every lab lists its own students', async () => {
    clearLabs(repo);
    const f = put(
      repo,
      'labs/netsec/roster.yaml',
      'students: [alice]\nnetwork: {allowEgress: [{cidr: 10.10.1.0/24}]}\n',
    );
    put(repo, 'labs/netsec/own.yaml', labText('netsec'));
    const cli = await validate(repo);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(located(f, 2, 'network'));
    // Helm merges the roster into the lab's values; the platform's range check refuses the egress.
    const r = await helmApp(repo, 'labs/netsec/own.yaml');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('network.allowEgress[0].cidr 10.10.1.0/24 lies inside the protected range 10.10.1.0/24');
  });

  it('a second YAML document (a Pod) is refused by labs validate; helm 4 merges it into the values and its schema refuses them', async () => {
    clearLabs(repo);
    const f = put(
      repo,
      'labs/netsec/roster.yaml',
      'students: [alice]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: evil}\nspec: {hostNetwork: true, containers: [{name: c, image: busybox, securityContext: {privileged: true}}]}\n',
    );
    put(repo, 'labs/netsec/lab.yaml', labText('netsec', '', ''));
    const cli = await validate(repo);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(f);
    const r = await helmApp(repo, 'labs/netsec/lab.yaml');
    expect(r.code).not.toBe(0);
    // helm lists the keys in Go map order: check each.
    expect(r.stderr).toMatch(/additional properties .* not allowed/);
    for (const k of ['kind', 'metadata', 'spec']) expect(r.stderr).toContain(`'${k}'`);
    // Without the schema the extra keys are values no template reads: still no Pod.
    const w = await helmApp(repo, 'labs/netsec/lab.yaml', { chart: weak({ keepQuoting: true }) });
    expect(byKind(w.objects, 'Pod')).toEqual([]);
  });
});

describe('attack: a lab asks for privileged pods, host namespaces or cluster roles', () => {
  const keys =
    'hostNetwork: true\nsecurityContext: {privileged: true}\ntemplate: {spec: {hostPID: true, volumes: [{name: h, hostPath: {path: /}}]}}\nroleRef: {kind: ClusterRole, name: cluster-admin}';
  it('labs validate refuses every such key, located', async () => {
    clearLabs(repo);
    const f = put(repo, 'labs/netsec/priv.yaml', labText('netsec', keys));
    const r = await validate(repo);
    expect(r.code).toBe(1);
    for (const [line, key] of [
      [7, 'hostNetwork'],
      [8, 'securityContext'],
      [9, 'template'],
      [10, 'roleRef'],
    ] as const)
      expect(r.stderr).toMatch(located(f, line, key));
  });

  it('CI skipped: helm refuses the values (values.schema.json)', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/priv.yaml', labText('netsec', keys));
    const r = await helmApp(repo, 'labs/netsec/priv.yaml');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/additional properties .*'hostNetwork'.* not allowed/);
    for (const k of ['roleRef', 'securityContext', 'template']) expect(r.stderr).toContain(`'${k}'`);
  });

  it('even through a chart without schema nothing privileged, host-namespaced or cluster-wide is rendered, and namespaces enforce Pod Security baseline', async () => {
    clearLabs(repo);
    put(
      repo,
      'labs/netsec/priv.yaml',
      labText(
        'netsec',
        `${keys}\nschedule: {start: "2026-10-01", end: "2027-02-15", hours: [{days: [monday], start: "10:00", end: "12:00"}]}`,
      ),
    );
    const r = await helmApp(repo, 'labs/netsec/priv.yaml', { chart: weak({ keepQuoting: true }) });
    expect(r.code, r.stderr).toBe(0);
    const kinds = new Set(CHART_KINDS.map(([g, k]) => `${g}/${k}`));
    for (const o of r.objects) {
      expect(kinds.has(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`), o.kind).toBe(true);
      walk(o, (k, v) =>
        expect(
          ['privileged', 'hostNetwork', 'hostPID', 'hostIPC', 'hostPath'].includes(k) && v !== false,
          `${o.kind} ${k}`,
        ).toBe(false),
      );
    }
    // Role bindings name only the chart's own Roles and two fixed aggregated ClusterRoles, in the namespace.
    const refs = byKind(r.objects, 'RoleBinding').map((b: any) => `${b.roleRef.kind}/${b.roleRef.name}`);
    expect(new Set(refs)).toEqual(
      new Set(['ClusterRole/kubevirt.io:admin', 'ClusterRole/view', 'Role/lab-scheduler', 'Role/student-alice']),
    );
    // The only pods the chart itself defines (lab-hours jobs) meet Pod Security "restricted".
    for (const cj of byKind(r.objects, 'CronJob') as any[]) {
      const pod = cj.spec.jobTemplate.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers)
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
    }
    // Every lab namespace is created by the Application with Pod Security labels the lab cannot change.
    const labels = appFor(repo, 'labs/netsec/priv.yaml').spec.syncPolicy.managedNamespaceMetadata.labels;
    expect(labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });
});

describe("attack: egress to, or SSH from, the platform's own networks", () => {
  // Example inventory: nodes 10.10.0-3.0/24, pods 10.244.0.0/16, services 10.96.0.0/12, pools 10.20.0.0/26
  // and 192.0.2.32/28, API VIP 10.10.0.10, ingress 10.20.0.10, routers 10.10.{1,2,3}.1.
  const TARGETS: [string, string][] = [
    ['node subnet', '10.10.1.0/24'],
    ['a node', '10.10.1.21/32'],
    ['pods', '10.244.3.0/24'],
    ['services', '10.96.0.1/32'],
    ['API VIP', '10.10.0.10/32'],
    ['campus pool', '10.20.0.0/26'],
    ['public pool', '192.0.2.40/32'],
    ['ingress', '10.20.0.10/32'],
    ['router', '10.10.2.1/32'],
    ['everything', '0.0.0.0/0'],
    ['a range around the nodes', '10.0.0.0/8'],
  ];
  const egressLab = (cidrs: string[]) =>
    labText('netsec', `network:\n  allowEgress:\n${cidrs.map((c) => `    - {cidr: ${c}}`).join('\n')}`);
  const sshLab = (cidrs: string[]) =>
    labText('netsec', `access:\n  sshFrom:\n${cidrs.map((c) => `    - ${c}`).join('\n')}`);

  it('labs validate refuses each egress destination at its FILE:LINE:COL, naming what it overlaps', async () => {
    clearLabs(repo);
    const f = put(repo, 'labs/netsec/egress.yaml', egressLab(TARGETS.map(([, c]) => c)));
    const r = await validate(repo);
    expect(r.code).toBe(1);
    TARGETS.forEach(([what, cidr], i) => {
      expect(r.stderr, what).toMatch(
        new RegExp(
          `^${esc(f)}:${9 + i}:\\d+ network\\.allowEgress\\[${i}\\]\\.cidr: egress destination ${esc(cidr)} overlaps the platform's own networks: `,
          'm',
        ),
      );
    });
    expect(r.stderr).toContain('10.20.0.0/26 (LoadBalancer pool campus)');
    expect(r.stderr).toContain('10.244.0.0/16 (the pod CIDR)');
  });

  // Attacker trial: a lab with internet: true reached every campus address the inventory did not name as the
  // platform's: the backup store, the jump host, BMC networks.
  it('the campus networks the inventory lists (labs.protectedCidrs), its backup endpoint and jump host by address are protected too', async () => {
    const d = mkdtempSync(join(tmpdir(), 'labs-campus-'));
    dirs.push(d);
    const inv = readFileSync(EXAMPLE, 'utf8')
      .replace('  # jumpHost: ops@bastion.example.edu:22\n', '  jumpHost: ops@198.18.6.6:22\n')
      .replace('endpoint: https://s3.campus.example.edu', 'endpoint: https://198.18.5.5:9000')
      .replace(
        '  vmHost: {cpu: 64, memory: 512Gi}\n',
        '  vmHost: {cpu: 64, memory: 512Gi}\n  protectedCidrs: [10.200.0.0/16]\n',
      );
    for (const line of [
      '  jumpHost: ops@198.18.6.6:22\n',
      'endpoint: https://198.18.5.5:9000',
      '  protectedCidrs: [10.200.0.0/16]\n',
    ])
      expect(inv).toContain(line);
    writeFileSync(join(d, 'inventory.yaml'), inv);
    const targets = ['10.200.1.0/24', '198.18.5.5/32', '198.18.6.0/24'];
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(join(d, 'labs/netsec/egress.yaml'), egressLab(targets));
    const r = await labctl(['labs', 'validate'], { cwd: d });
    expect(r.code, r.stderr).toBe(1);
    targets.forEach((cidr, i) =>
      expect(r.stderr).toMatch(
        new RegExp(
          `^labs/netsec/egress\\.yaml:${9 + i}:\\d+ network\\.allowEgress\\[${i}\\]\\.cidr: egress destination ${esc(cidr)} overlaps`,
          'm',
        ),
      ),
    );
    expect(r.stderr).toContain('10.200.0.0/16 (a campus network of labs.protectedCidrs)');
    expect(r.stderr).toContain('198.18.5.5/32 (the backup endpoint, backup.target.endpoint)');
    expect(r.stderr).toMatch(/198\.18\.6\.6\/32 \(the jump host of node [a-z0-9-]+, ssh\.jumpHost\)/);
    // The chart gets them (the ApplicationSet's own values), so ArgoCD excepts them with CI skipped too.
    expect((await labctl(['render'], { cwd: d })).code).toBe(0);
    const appset = parseAllDocuments(readFileSync(join(d, 'apps/labs-applicationset.yaml'), 'utf8'))
      .map((x) => x.toJS())
      .find((o) => o?.kind === 'ApplicationSet');
    for (const c of ['10.200.0.0/16', '198.18.5.5/32', '198.18.6.6/32']) expect(JSON.stringify(appset)).toContain(c);
  }, 120_000);

  it('labs validate refuses each SSH source at its FILE:LINE:COL', async () => {
    clearLabs(repo);
    const f = put(repo, 'labs/netsec/ssh.yaml', sshLab(TARGETS.map(([, c]) => c)));
    const r = await validate(repo);
    expect(r.code).toBe(1);
    TARGETS.forEach(([, cidr], i) =>
      expect(r.stderr).toMatch(
        new RegExp(`^${esc(f)}:${9 + i}:\\d+ access\\.sshFrom\\[${i}\\]: SSH source ${esc(cidr)} overlaps`, 'm'),
      ),
    );
  });

  it('CI skipped: a destination inside a protected range fails the helm render', async () => {
    for (const [what, cidr] of TARGETS.filter(([, c]) => !c.endsWith('/0') && !c.endsWith('/8'))) {
      clearLabs(repo);
      put(repo, 'labs/netsec/egress.yaml', egressLab([cidr]));
      const r = await helmApp(repo, 'labs/netsec/egress.yaml');
      expect(r.code, what).not.toBe(0);
      expect(r.stderr).toMatch(/network\.allowEgress\[0\]\.cidr \S+ lies inside the protected range/);
    }
  });

  it("CI skipped: a range around the platform's networks is rendered with every one of them excepted", async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/egress.yaml', `${egressLab(['10.0.0.0/8', '0.0.0.0/0'])}access: {sshFrom: [10.0.0.0/8]}\n`);
    const r = await helmApp(repo, 'labs/netsec/egress.yaml');
    expect(r.code, r.stderr).toBe(0);
    const pols = byKind(r.objects, 'NetworkPolicy') as any[];
    const egress = pols.find((p) => p.metadata.name === 'vm-egress').spec.egress.map((e: any) => e.to[0].ipBlock);
    const inTen = [
      '10.10.0.0/24',
      '10.10.1.0/24',
      '10.10.2.0/24',
      '10.10.3.0/24',
      '10.244.0.0/16',
      '10.96.0.0/12',
      '10.20.0.0/26',
    ];
    expect(egress).toEqual([
      { cidr: '10.0.0.0/8', except: inTen },
      { cidr: '0.0.0.0/0', except: [...inTen, '192.0.2.32/28'] },
    ]);
    expect(pols.find((p) => p.metadata.name === 'vm-ssh').spec.ingress[0].from[0].ipBlock).toEqual({
      cidr: '10.0.0.0/8',
      except: inTen,
    });
  });

  it("CI skipped: a lab that sets the platform's ranges itself changes nothing (the Application's values win)", async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/egress.yaml', `${egressLab(['10.0.0.0/8'])}site: {protectedCidrs: [203.0.113.0/24]}\n`);
    const vo = appFor(repo, 'labs/netsec/egress.yaml').spec.source.helm.valuesObject;
    const r = await helmApp(repo, 'labs/netsec/egress.yaml', { chart: weak({ keepQuoting: true }), valuesObject: vo });
    expect(r.code, r.stderr).toBe(0);
    const pol = byKind(r.objects, 'NetworkPolicy').find((p) => p.metadata.name === 'vm-egress') as any;
    expect(pol.spec.egress[0].to[0].ipBlock.except).toContain('10.10.1.0/24');
  });

  it('weakened: a chart without the excepts lets 10.0.0.0/8 reach the node subnets', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/egress.yaml', egressLab(['10.0.0.0/8']));
    const chart = weak({
      keepQuoting: true,
      edit: (f, t) =>
        f === 'networkpolicies.yaml'
          ? t.replace(/\n\s*\{\{- if \$b\.except \}\}\n\s*except: .*\n\s*\{\{- end \}\}/g, '')
          : t,
    });
    const r = await helmApp(repo, 'labs/netsec/egress.yaml', { chart });
    expect(r.code, r.stderr).toBe(0);
    const pol = byKind(r.objects, 'NetworkPolicy').find((p) => p.metadata.name === 'vm-egress') as any;
    expect(pol.spec.egress[0].to[0].ipBlock).toEqual({ cidr: '10.0.0.0/8' });
  });
});

describe('attack: oversize and absurd values', () => {
  const absurd: [string, string, string][] = [
    ['1001 students', `students:\n${Array.from({ length: 1001 }, (_, i) => `  - s${i}`).join('\n')}`, 'students'],
    ['a 9999999Ti disk', 'disk: 9999999Ti', 'disk'],
    ['a 1000-vCPU VM', 'cpu: 1000\nmemory: 2Gi', 'cpu'],
    [
      'a 70 kB file in cloud-init',
      `cloudInit: {files: [{path: /x, content: "${'a'.repeat(70_000)}"}]}`,
      'cloudInit.files[0].content',
    ],
    [
      '200 runcmd lines',
      `cloudInit: {runcmd: [${Array.from({ length: 200 }, () => 'true').join(', ')}]}`,
      'cloudInit.runcmd',
    ],
  ];
  // One file per case (labs/netsec/big-<n>.yaml) and one `labs validate` over them all, as the site CI runs
  // it on the folder: each case's test reads the located error naming its own file. helm renders each
  // file's Application alone, with the chart and with one schema-less copy of it (read-only, shared).
  const files: { rel: string; file: string }[] = [];
  let cli: Awaited<ReturnType<typeof validate>>;
  let schemaless: string;
  beforeAll(async () => {
    clearLabs(repo);
    absurd.forEach(([, yaml, path], i) => {
      const body =
        path === 'students'
          ? labText('netsec', '', yaml)
          : labText('netsec', yaml).replace(path === 'cpu' ? 'size: small\n' : '\u0000', '');
      const rel = `labs/netsec/big-${i}.yaml`;
      files.push({ rel, file: put(repo, rel, body) });
    });
    cli = await validate(repo);
    schemaless = weak({ keepQuoting: true });
  }, 120_000);
  absurd.forEach(([name, , path], i) => {
    it(`${name}: refused by labs validate (located) and by helm alone; a chart without schema renders it`, async () => {
      const { rel, file } = files[i]!;
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(new RegExp(`^${esc(file)}:\\d+:\\d+ ${esc(path)}: `, 'm'));
      const r = await helmApp(repo, rel);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("values don't meet the specifications of the schema");
      const w = await helmApp(repo, rel, { chart: schemaless });
      expect(w.code, w.stderr).toBe(0);
    });
  });
});

describe('attack: CI skipped', () => {
  it("helm alone refuses a lab with a typo'd key, an unknown size and a non-label student; a chart copy without values.schema.json renders it", async () => {
    clearLabs(repo);
    put(
      repo,
      'labs/netsec/skip.yaml',
      'apiVersion: 1\ntitle: x\ncourse: netsec\nimage: ubuntu-24.04\nsize: small\nstudents: [alice, "Bob Smith"]\nnetwrok: {internet: true}\n',
    );
    const r = await helmApp(repo, 'labs/netsec/skip.yaml');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("additional properties 'netwrok' not allowed");
    expect(r.stderr).toContain("at '/students/1'");
    const w = await helmApp(repo, 'labs/netsec/skip.yaml', { chart: weak({ keepQuoting: true }) });
    expect(w.code, w.stderr).toBe(0);
    // Unchecked, "Bob Smith" becomes a VM name no API server accepts.
    expect(byKind(w.objects, 'VirtualMachine').map((v) => v.metadata.name)).toEqual(['alice', '-ob--mith']);
  });

  it("a hidden lab file, which ArgoCD's generator picks up, is not skipped by labs validate", async () => {
    clearLabs(repo);
    const f = put(
      repo,
      'labs/netsec/.sneaky.yaml',
      labText('netsec', 'network: {allowEgress: [{cidr: 10.10.1.0/24}]}'),
    );
    const gen = repo.appset.spec.generators[0].git.files.filter((x: any) => !x.exclude).map((x: any) => globRe(x.path));
    expect(gen.some((re: RegExp) => re.test('labs/netsec/.sneaky.yaml'))).toBe(true);
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:1:1 file name .sneaky.yaml:`);
  });
});

describe('the lab example course staff copy from the rendered labs/README.md', () => {
  it('passes labs validate as written, without warnings', async () => {
    clearLabs(repo);
    const readme = repo.files.get('labs/README.md')!;
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    put(repo, 'labs/netsec/firewalls.yaml', example);
    const r = await validate(repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readme).toContain('## What a lab file cannot do');
  });
});

describe('attack: a lab hands its VMs to another group', () => {
  it("labs validate refuses another course's staff and the course's own students as staffGroup, located", async () => {
    for (const [group, msg] of [
      ['course-os101-staff', 'belongs to course os101'],
      ['course-netsec-students', "is the course's students group"],
    ]) {
      clearLabs(repo);
      const f = put(repo, 'labs/netsec/grant.yaml', labText('netsec', `staffGroup: ${group}`));
      const r = await validate(repo);
      expect(r.code, group).toBe(1);
      expect(r.stderr).toMatch(located(f, 7, 'staffGroup'));
      expect(r.stderr).toContain(msg);
    }
    // The course's own staff group is fine.
    clearLabs(repo);
    put(repo, 'labs/netsec/grant.yaml', labText('netsec', 'staffGroup: course-netsec-staff'));
    expect((await validate(repo)).code).toBe(0);
  });
});

describe('attack: a lab file hidden where labs validate did not look', () => {
  it("a file in a sub-folder of one's own course folder (labs/netsec/os101/x.yaml) is refused, located, so CI fails", async () => {
    clearLabs(repo);
    const f = put(repo, 'labs/netsec/os101/takeover.yaml', labText('os101'));
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:1:1 a YAML file below a course folder`);
  });

  it('ArgoCD matches `labs/*/*.yaml` one folder deep (new git file globbing on); with the legacy globbing "*" crosses "/"', () => {
    expect(readFileSync(join(repo.dir, 'components/argocd/values.yaml'), 'utf8')).toMatch(
      /^ {4}applicationsetcontroller\.enable\.new\.git\.file\.globbing: true$/m,
    );
    const appset = parseAllDocuments(readFileSync(join(repo.dir, 'apps/labs-applicationset.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'ApplicationSet');
    const pattern: string = appset.spec.generators[0].git.files[0].path;
    expect(pattern).toBe('labs/*/*.yaml');
    const legacy = new RegExp(`^${pattern.split('*').map(esc).join('.*')}$`); // the weakened, legacy reading
    expect(legacy.test('labs/netsec/os101/takeover.yaml')).toBe(true);
    expect(globRe(pattern).test('labs/netsec/os101/takeover.yaml')).toBe(false);
  });

  it("a file named just `.yaml` is refused (it was skipped: no extension by Node's reading)", async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/firewalls.yaml', labText('netsec'));
    const f = put(repo, 'labs/netsec/.yaml', labText('netsec'));
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:1:1 a lab file needs a name before .yaml`);
  });

  // Attacker trial: with `*.yaml filter=lfs`, the CI runner (which fetches LFS files) checks the real lab while
  // ArgoCD (no LFS) is handed the pointer file; eol and working-tree-encoding rewrite the text likewise.
  it('a .gitattributes in a course folder or the labs folder is refused, so CI and ArgoCD see the same files', async () => {
    for (const where of ['labs/netsec/.gitattributes', 'labs/.gitattributes']) {
      clearLabs(repo);
      put(repo, 'labs/netsec/firewalls.yaml', labText('netsec'));
      const f = put(repo, where, '*.yaml filter=lfs diff=lfs merge=lfs -text\n');
      const r = await validate(repo);
      expect(r.code, where).toBe(1);
      expect(r.stderr).toContain(`${f}:1:1 a .gitattributes in the labs folder`);
      rmSync(f); // clearLabs removes course folders only
    }
  });
});
