// Attack: YAML-structure injection through every string field of a lab file and of a course roster.
// The attacker has commit rights to labs/netsec/ only and writes valid YAML whose string values carry
// YAML structure (a second document with a privileged Pod, a key, a flow mapping, an alias, a tag, a
// Helm action). Each field is tried through the real CLI (`labctl labs validate`, as the site CI runs
// it) and through the real helm with the Application's own values (CI skipped). Refused fields are
// refused with a located error by both; free-text fields (title, file content, runcmd) are accepted and
// reach the objects as data only. The same payload is shown to add a Pod through a weakened chart
// (no values.schema.json, no quoting), so these tests can fail.
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml as stringify } from '../../installer/render/yaml.ts'; // YAML 1.1-safe, as labs validate requires
import { CHART_KINDS } from '../../installer/render/components/vm-labs/index.ts';
import { byKind } from '../labs/helpers.ts';
import { clearLabs, helmApp, put, siteRepo, validate, walk, weakChart, type SiteRepo } from './labs-helpers.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFsaWNlLWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDAw alice@laptop';
/** A second YAML document: a privileged, host-network Pod, if any template wrote the value bare. */
const DOC =
  'x\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: evil, namespace: kube-system}\nspec: {hostNetwork: true, containers: [{name: c, image: busybox, securityContext: {privileged: true}}]}\n';
/** Other structure a bare value could add: a key, a flow mapping, an alias, an anchor, a tag, a Helm action. */
const SHAPES = [
  'a: b',
  '{evil: true}',
  '*ref',
  '&anchor x',
  '!!map {}',
  '{{ .Release.Namespace }}',
  '- item',
  '"quoted"',
];

const base = () =>
  ({
    apiVersion: 1,
    title: 'Attack',
    course: 'netsec',
    image: 'ubuntu-24.04',
    size: 'small',
    disk: '20Gi',
    persistence: 'persistent',
    students: ['carol', { name: 'alice', sshKeys: [KEY] }],
    keycloakGroup: 'course-netsec-students',
    staffGroup: 'course-netsec-staff',
    access: { ssh: true, sshFrom: ['198.51.100.0/24'], console: true },
    network: { isolation: 'student', allowEgress: [{ cidr: '198.51.100.0/24', ports: [443] }] },
    schedule: { start: '2026-10-01', end: '2027-02-15', hours: [{ days: ['monday'], start: '10:00', end: '12:00' }] },
    cloudInit: {
      packages: ['curl'],
      files: [{ path: '/etc/motd', content: 'hi', permissions: '0644', owner: 'root:root' }],
      runcmd: ['true'],
    },
  }) as Record<string, any>;

function setAt(o: any, path: (string | number)[], v: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path.at(-1)!] = v;
}

type Field = { path: (string | number)[]; shown: string; free?: boolean; prep?: (o: any) => void };
/** Every string field of a lab file. `free`: free text by design, accepted and carried as data. */
const LAB_FIELDS: Field[] = [
  { path: ['title'], shown: 'title' },
  { path: ['course'], shown: 'course' },
  { path: ['image'], shown: 'image' },
  { path: ['size'], shown: 'size' },
  {
    path: ['memory'],
    shown: 'memory',
    prep: (o) => {
      delete o.size;
      o.cpu = 1;
      o.memory = '2Gi';
    },
  },
  { path: ['disk'], shown: 'disk' },
  { path: ['persistence'], shown: 'persistence' },
  { path: ['students', 0], shown: 'students[0]' },
  { path: ['students', 1, 'name'], shown: 'students[1].name' },
  { path: ['students', 1, 'sshKeys', 0], shown: 'students[1].sshKeys[0]' },
  { path: ['keycloakGroup'], shown: 'keycloakGroup' },
  { path: ['staffGroup'], shown: 'staffGroup' },
  { path: ['access', 'sshFrom', 0], shown: 'access.sshFrom[0]' },
  { path: ['network', 'isolation'], shown: 'network.isolation' },
  { path: ['network', 'allowEgress', 0, 'cidr'], shown: 'network.allowEgress[0].cidr' },
  { path: ['schedule', 'start'], shown: 'schedule.start' },
  { path: ['schedule', 'end'], shown: 'schedule.end' },
  { path: ['schedule', 'hours', 0, 'days', 0], shown: 'schedule.hours[0].days[0]' },
  { path: ['schedule', 'hours', 0, 'start'], shown: 'schedule.hours[0].start' },
  { path: ['schedule', 'hours', 0, 'end'], shown: 'schedule.hours[0].end' },
  { path: ['cloudInit', 'packages', 0], shown: 'cloudInit.packages[0]' },
  { path: ['cloudInit', 'files', 0, 'path'], shown: 'cloudInit.files[0].path' },
  { path: ['cloudInit', 'files', 0, 'content'], shown: 'cloudInit.files[0].content', free: true },
  { path: ['cloudInit', 'files', 0, 'permissions'], shown: 'cloudInit.files[0].permissions' },
  { path: ['cloudInit', 'files', 0, 'owner'], shown: 'cloudInit.files[0].owner' },
  { path: ['cloudInit', 'runcmd', 0], shown: 'cloudInit.runcmd[0]', free: true },
];
const ROSTER_FIELDS: Field[] = [
  { path: ['students', 0], shown: 'students[0]' },
  { path: ['students', 1, 'name'], shown: 'students[1].name' },
  { path: ['students', 1, 'sshKeys', 0], shown: 'students[1].sshKeys[0]' },
  { path: ['keycloakGroup'], shown: 'keycloakGroup' },
];

let repo: SiteRepo;
const dirs: string[] = [];
beforeAll(async () => {
  repo = await siteRepo('inject');
}, 120_000);
afterAll(() => {
  rmSync(repo.dir, { recursive: true, force: true });
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const allowedKinds = new Set(CHART_KINDS.map(([g, k]) => `${g}/${k}`));
/** What must hold for any render of an attacker's file: chart kinds only, in the lab's namespace, nothing privileged. */
function expectContained(objs: any[], ns: string) {
  for (const o of objs) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    expect(allowedKinds.has(`${group}/${o.kind}`), `${o.kind} ${o.metadata?.name}`).toBe(true);
    expect(o.metadata.namespace).toBe(ns);
    walk(o, (k, v) => {
      expect(
        ['privileged', 'hostNetwork', 'hostPID', 'hostIPC', 'hostPath', 'evil'].includes(k) && v !== false,
        `${o.kind}: ${k}`,
      ).toBe(false);
    });
  }
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One attack file per field (labs/netsec/attack-<n>.yaml) and one `labs validate` over all of them, as the
// site CI runs it on a folder: it reports every file's errors, each located by file, line and field, so
// each field's test reads the lines naming its own file (a process per field cost ~1 CPU-s each). helm
// still renders each file's Application on its own. That a free-text field alone passes with exit 0 is
// the run of its own in the free-text test below.
describe('attack: YAML structure injected through a string field of a lab file', () => {
  const attacks = new Map<Field, { rel: string; file: string; ns: string }>();
  let cli: Awaited<ReturnType<typeof validate>>;
  beforeAll(async () => {
    clearLabs(repo);
    LAB_FIELDS.forEach((f, i) => {
      const lab = base();
      f.prep?.(lab);
      setAt(lab, f.path, DOC);
      const rel = `labs/netsec/attack-${i}.yaml`;
      attacks.set(f, { rel, file: put(repo, rel, stringify(lab)), ns: `course-netsec-attack-${i}` });
    });
    cli = await validate(repo);
    expect(cli.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 120_000);

  for (const f of LAB_FIELDS) {
    it(`${f.shown}: ${f.free ? 'accepted as data, renders no extra object' : 'refused by labs validate (located) and by helm alone'}`, async () => {
      const { rel, file, ns } = attacks.get(f)!;
      // The error lines naming this file (its warnings, e.g. what sshFrom opens, do not fail a run).
      const mine = cli.stderr.split('\n').filter((l) => l.startsWith(`${file}:`) && !/^\S+ \S+: warning: /.test(l));
      const helm = await helmApp(repo, rel);
      if (f.free) {
        expect(mine, cli.stderr).toEqual([]);
        expect(helm.code, helm.stderr).toBe(0);
        expectContained(helm.objects, ns);
        // The payload reaches the VM's cloud-init as one string, byte for byte.
        const cfg = parse((byKind(helm.objects, 'Secret')[0] as any).stringData.userdata);
        expect(f.shown.includes('runcmd') ? cfg.runcmd[0] : cfg.write_files[0].content).toBe(DOC);
      } else if (f.shown === 'course') {
        // The file may claim anything; the Application takes the course from the folder (valuesObject).
        expect(cli.code).toBe(1);
        const line =
          readFileSync(file, 'utf8')
            .split('\n')
            .findIndex((l) => l.startsWith('course:')) + 1;
        expect(cli.stderr).toMatch(new RegExp(`^${reEscape(file)}:${line}:9 course: (?!warning: )`, 'm'));
        expect(helm.code, helm.stderr).toBe(0);
        expectContained(helm.objects, ns);
        for (const o of helm.objects) expect(o.metadata.labels?.['labctl.dev/course']).toBe('netsec');
      } else {
        expect(cli.code).toBe(1);
        expect(cli.stderr).toMatch(new RegExp(`^${reEscape(file)}:\\d+:\\d+ ${reEscape(f.shown)}: (?!warning: )`, 'm'));
        expect(helm.code).not.toBe(0);
        expect(helm.stderr).toContain("values don't meet the specifications of the schema");
        expect(helm.stderr).toContain(`at '/${f.path.join('/')}'`);
      }
    });
  }

  it('free-text fields keep every YAML shape as data (key, flow map, alias, anchor, tag, Helm action, list item, quotes)', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/attack.yaml', stringify(base()));
    const baseline = (await helmApp(repo, 'labs/netsec/attack.yaml')).objects.length;
    expect(baseline).toBeGreaterThan(10);
    const lab = base();
    lab.title = SHAPES.join(' ').slice(0, 120);
    lab.cloudInit.files = SHAPES.map((shape, i) => ({ path: `/etc/f${i}`, content: `${shape}\n${shape}\n` }));
    lab.cloudInit.runcmd = SHAPES;
    put(repo, 'labs/netsec/attack.yaml', stringify(lab));
    const cli = await validate(repo);
    expect(cli.code, cli.stderr).toBe(0);
    const helm = await helmApp(repo, 'labs/netsec/attack.yaml');
    expect(helm.code, helm.stderr).toBe(0);
    expectContained(helm.objects, 'course-netsec-attack');
    expect(helm.objects.length).toBe(baseline); // nothing added, nothing lost
    for (const secret of byKind(helm.objects, 'Secret') as any[]) {
      const cfg = parse(secret.stringData.userdata);
      expect(cfg.write_files.map((f: any) => f.content)).toEqual(SHAPES.map((shape) => `${shape}\n${shape}\n`));
      expect(cfg.runcmd).toEqual(SHAPES);
    }
  });

  it('the same injection adds a privileged host-network Pod through a weakened chart (no schema, values written bare)', async () => {
    const weak = weakChart();
    dirs.push(weak);
    clearLabs(repo);
    const lab = base();
    // staffGroup ends its template (the RoleBinding subject), so the injected document parses whole.
    lab.staffGroup = DOC.replace(/^x/, 'course-netsec-staff');
    put(repo, 'labs/netsec/attack.yaml', stringify(lab));
    const r = await helmApp(repo, 'labs/netsec/attack.yaml', { chart: weak });
    expect(r.code, r.stderr).toBe(0);
    const pods = byKind(r.objects, 'Pod') as any[];
    expect(pods.length).toBeGreaterThan(0);
    expect(pods[0].metadata.namespace).toBe('kube-system');
    expect(pods[0].spec.hostNetwork).toBe(true);
    expect(pods[0].spec.containers[0].securityContext.privileged).toBe(true);
  });
});

describe('attack: YAML structure injected through a string field of the course roster', () => {
  for (const f of ROSTER_FIELDS) {
    it(`roster ${f.shown}: refused by labs validate (located) and by helm alone`, async () => {
      clearLabs(repo);
      const roster: any = {
        students: ['carol', { name: 'alice', sshKeys: [KEY] }],
        keycloakGroup: 'course-netsec-students',
      };
      setAt(roster, f.path, DOC);
      const file = put(repo, 'labs/netsec/roster.yaml', stringify(roster));
      // The lab lists its own students: the roster is still merged into its values, so it is still checked.
      put(
        repo,
        'labs/netsec/attack.yaml',
        stringify({ ...base(), cloudInit: undefined, schedule: undefined, access: undefined, network: undefined }),
      );
      const cli = await validate(repo);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ ${f.shown.replace(/[[\].]/g, '\\$&')}: (?!warning: )`,
          'm',
        ),
      );
      // A lab without students of its own takes them from the roster: helm refuses the roster's values.
      put(
        repo,
        'labs/netsec/attack.yaml',
        stringify({
          ...base(),
          students: undefined,
          keycloakGroup: undefined,
          cloudInit: undefined,
          schedule: undefined,
          access: undefined,
          network: undefined,
        }),
      );
      const helm = await helmApp(repo, 'labs/netsec/attack.yaml');
      expect(helm.code).not.toBe(0);
      expect(helm.stderr).toContain("values don't meet the specifications of the schema");
    });
  }
});
