// The velero component (installer/render/components/velero/) rendered from the example inventory (it has a
// `backup:` section; the tests override it, and delete it from a copy for the no-backup case): what it deploys, which namespaces each Schedule takes,
// that nothing of it exists without `backup:`, that no credential reaches the rendered tree, and that every
// Velero object is valid against Velero's upstream CRD schemas (a misspelt field fails).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import type { K8sObject } from '../../installer/render/model.ts';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import { validateObjects } from '../../installer/render/validate-objects.ts';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { buildSecrets, entriesNeeded } from '../../installer/secrets/objects.ts';
import {
  SCHEDULES,
  STORAGE_LOCATION,
  VELERO_NAMESPACE,
  component,
} from '../../installer/render/components/velero/index.ts';
import { labNamespaces, longestGapSeconds } from '../../installer/render/components/velero/schedules.ts';
import { maxBackupAgeSeconds } from '../../installer/render/components/velero/alerts.ts';
import { EXAMPLE, fixture } from '../helpers.ts';

const BACKUP = {
  target: { endpoint: 'https://s3.campus.example.edu', bucket: 'labcloud-backups', region: 'eu-central-1' },
  velero: { schedule: '30 2 * * *', ttl: '336h' },
  // Read by the etcd snapshot alerts; not Velero's.
  etcd: { schedule: '*-*-* 00/6:00:00', keep: { last: 4, daily: 7, weekly: 4 } },
};

function siteOf(file: string, extra: Record<string, unknown> = {}, courses?: object[]): Site {
  const v = requireSite(file);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  return {
    ...v.site,
    ...extra,
    labs: { ...v.site.labs, courses: (courses ?? v.site.labs.courses) as Site['labs']['courses'] },
  } as Site;
}

/** The example with backup:, course netsec opted out (os101 keeps the default). */
const exampleWithBackup = () =>
  siteOf(EXAMPLE, { backup: BACKUP }, [
    { name: 'netsec', title: 'Network Security', backup: false },
    { name: 'os101', title: 'Operating Systems' },
  ]);

async function render(site: Site): Promise<RenderResult> {
  const r = await renderSite(site, readRenderInputs(site));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r;
}
const doc = (r: RenderResult, path: string) => {
  const t = r.files.get(path);
  if (t === undefined) throw new Error(`${path} not rendered`);
  return parse(t);
};

/** The example (which has backup:) with the section deleted from a copy. */
function withoutBackup(): Site {
  const site = structuredClone(siteOf(EXAMPLE)) as Site & { backup?: unknown };
  expect(site.backup).toBeDefined();
  delete site.backup;
  return site;
}

describe('velero: deployed only with backup:', () => {
  it('the example without backup: has no Velero Application, files, secrets or alerts', async () => {
    const site = withoutBackup();
    const r = await render(site);
    expect([...r.files.keys()].filter((p) => /velero/i.test(p))).toEqual([]);
    // Only the README's Backups section names Velero: to say that no backups are taken.
    expect([...r.files].filter(([p, t]) => p !== 'README.md' && /velero/i.test(t)).map(([p]) => p)).toEqual([]);
    expect(r.files.get('README.md')).toContain(
      'None: the inventory has no `backup` section, so no etcd snapshots and no Velero backups are taken',
    );
    expect(r.secrets.filter((s) => s.namespace === VELERO_NAMESPACE)).toEqual([]);
    expect(component.alerts!({ site, ...readRenderInputs(site) })).toEqual([]);
  });

  it('with backup: the chart pinned in gitops/versions.yaml, node agent with Kopia, both plugins, no snapshot location', async () => {
    const r = await render(exampleWithBackup());
    const pins = pinnedVersions().components;
    const app = doc(r, 'apps/velero.yaml');
    expect(app.spec.sources[0]).toMatchObject({
      repoURL: pins.velero!.repo,
      chart: 'velero',
      targetRevision: pins.velero!.version,
    });
    expect(app.spec.destination.namespace).toBe('velero');
    const v = doc(r, 'components/velero/values.yaml');
    expect(v.deployNodeAgent).toBe(true);
    expect(v.configuration.uploaderType).toBe('kopia');
    expect(v.snapshotsEnabled).toBe(false);
    expect(v.configuration.volumeSnapshotLocation).toBeUndefined();
    expect(v.credentials).toEqual({ useSecret: true, existingSecret: 'velero-s3' });
    expect(v.initContainers.map((c: { image: string }) => c.image)).toEqual([
      `${pins['velero-plugin-for-aws']!.image}:${pins['velero-plugin-for-aws']!.version}`,
      `${pins['kubevirt-velero-plugin']!.image}:${pins['kubevirt-velero-plugin']!.version}`,
    ]);
    expect(v.metrics.serviceMonitor).toMatchObject({ enabled: true, autodetect: false });
    expect(v.priorityClassName).toBe('platform');
    expect(v.nodeAgent.priorityClassName).toBe('platform');
    expect(v.resources.requests).toBeDefined();
    expect(v.nodeAgent.resources.limits.memory).toBeDefined();
    // No snapshot location anywhere, and TLS verification is never turned off.
    expect([...r.files.keys()].filter((p) => /volumesnapshotlocation/i.test(p))).toEqual([]);
    expect([...r.files.values()].some((t) => /insecureSkipTLSVerify/i.test(t))).toBe(false);
    // Its runbooks and the Backups dashboard come with it.
    expect(r.files.has('runbooks/VeleroBackupTooOld.md')).toBe(true);
    expect(r.files.has('components/kube-prometheus-stack/manifests/configmap-monitoring-dashboard-backup.yaml')).toBe(
      true,
    );
  });

  it('the storage location: the target bucket under velero/<site>, path-style S3, credentials from velero-s3/cloud', async () => {
    const site = exampleWithBackup();
    const r = await render(site);
    const bsl = doc(r, `components/velero/manifests/backupstoragelocation-velero-${STORAGE_LOCATION}.yaml`);
    expect(bsl.spec).toEqual({
      provider: 'aws',
      default: true,
      accessMode: 'ReadWrite',
      objectStorage: { bucket: 'labcloud-backups', prefix: `velero/${site.site.name}` },
      config: {
        region: 'eu-central-1',
        s3Url: 'https://s3.campus.example.edu',
        s3ForcePathStyle: 'true',
        checksumAlgorithm: '',
      },
      credential: { name: 'velero-s3', key: 'cloud' },
    });
  });

  it('defaults: region us-east-1, 03:00 daily, 30 days', async () => {
    // The example without region: and velero:, validated (the defaults are the schema's).
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const start = lines.findIndex((l) => l.startsWith('backup:'));
    const end = lines.findIndex((l, i) => i > start && /^\S/.test(l) && !l.startsWith('#'));
    const section = lines.slice(start, end).filter((l) => !/^ {4}region:/.test(l));
    const velero = section.findIndex((l) => l.startsWith('  velero:'));
    expect(velero).toBeGreaterThan(0);
    const trimmed = section
      .slice(0, velero)
      .concat(section.slice(velero).filter((l) => !/^( {2}velero:| {4})/.test(l)));
    const dir = mkdtempSync(join(tmpdir(), 'velero-defaults-'));
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, [...lines.slice(0, start), ...trimmed, ...lines.slice(end)].join('\n'));
    const site = siteOf(file);
    expect(site.backup!.target.endpoint).toBe('https://s3.campus.example.edu');
    const r = await render(site);
    expect(doc(r, 'components/velero/manifests/backupstoragelocation-velero-default.yaml').spec.config.region).toBe(
      'us-east-1',
    );
    const s = doc(r, 'components/velero/manifests/schedule-velero-platform.yaml');
    expect([s.spec.schedule, s.spec.template.ttl]).toEqual(['0 3 * * *', '720h']);
  });

  it('internal-ca sites: the storage location trusts the site CA through a Secret reference, delivered by the secrets module', async () => {
    const site = siteOf(fixture('inventory/valid/airgapped.yaml'), { backup: BACKUP });
    expect(site.tls.mode).toBe('internal-ca');
    const r = await render(site);
    const bsl = doc(r, 'components/velero/manifests/backupstoragelocation-velero-default.yaml');
    expect(bsl.spec.objectStorage.caCertRef).toEqual({ name: 'site-ca', key: 'ca.crt' });
    expect(r.secrets.some((s) => s.namespace === 'velero' && s.name === 'site-ca' && s.key === 'ca.crt')).toBe(true);
  });
});

describe('velero: the Schedules', () => {
  it('platform: harbor and keycloak (their databases), with the inventory cron and ttl, volumes as files', async () => {
    const r = await render(exampleWithBackup());
    const s = doc(r, `components/velero/manifests/schedule-velero-${SCHEDULES.platform}.yaml`);
    expect(s.spec.schedule).toBe('30 2 * * *');
    expect(s.spec.template).toMatchObject({
      includedNamespaces: ['harbor', 'keycloak'],
      ttl: '336h',
      storageLocation: 'default',
      defaultVolumesToFsBackup: true,
      snapshotVolumes: false,
    });
    // The namespaces are those the harbor and keycloak Applications deploy to (a rename there breaks this).
    for (const ns of s.spec.template.includedNamespaces)
      expect(r.components.some((c) => c.namespace === ns && c.name === ns)).toBe(true);
  });

  it('labs: the lab namespaces of courses that did not opt out; the opted-out course is not in it', async () => {
    const r = await render(exampleWithBackup());
    const s = doc(r, `components/velero/manifests/schedule-velero-${SCHEDULES.labs}.yaml`);
    expect(s.spec.template.includedNamespaces).toEqual(['course-os101-*']);
    expect(JSON.stringify(s)).not.toContain('netsec');
    // Lab VM disks are block volumes: CSI snapshot data movement, not file-system backup (lab-snapshots.test.ts).
    expect(s.spec.template.defaultVolumesToFsBackup).toBe(false);
    expect(s.spec.template.snapshotMoveData).toBe(true);
  });

  it('every course opted out: no labs schedule (an empty namespace list would mean every namespace)', async () => {
    const r = await render(
      siteOf(EXAMPLE, { backup: BACKUP }, [
        { name: 'netsec', backup: false },
        { name: 'os101', backup: false },
      ]),
    );
    expect(r.files.has('components/velero/manifests/schedule-velero-labs.yaml')).toBe(false);
    expect(r.files.has('components/velero/manifests/schedule-velero-platform.yaml')).toBe(true);
  });

  it('a course whose name extends an included one is excluded by its own glob; one that cannot be told apart is refused', () => {
    const site = (courses: object[]) => siteOf(EXAMPLE, { backup: BACKUP }, courses);
    expect(labNamespaces(site([{ name: 'net' }, { name: 'net-sec', backup: false }, { name: 'os' }]))).toEqual({
      included: ['course-net-*', 'course-os-*'],
      excluded: ['course-net-sec-*'],
    });
    // Opted-out a with included a-b: a's glob is simply not included, nothing to exclude.
    expect(labNamespaces(site([{ name: 'net', backup: false }, { name: 'net-sec' }]))).toEqual({
      included: ['course-net-sec-*'],
      excluded: [],
    });
    expect(() => labNamespaces(site([{ name: 'a' }, { name: 'a-b', backup: false }, { name: 'a-b-c' }]))).toThrow(
      /course a-b-c is backed up but course a-b \(backup: false\)/,
    );
  });
});

describe('velero: objects valid against the upstream CRDs, no credential in the tree', () => {
  const veleroObjects = (r: RenderResult): { object: K8sObject; file: string }[] =>
    [...r.files.entries()]
      .filter(([p]) => p.startsWith('components/velero/manifests/'))
      .map(([file, t]) => ({ object: parse(t) as K8sObject, file }));

  it('the schema table has Velero v1.18 kinds the CLI writes too (Backup, Restore)', () => {
    expect(Object.keys(component.crdSchemas!).sort()).toEqual([
      'velero.io/v1/Backup',
      'velero.io/v1/BackupStorageLocation',
      'velero.io/v1/Restore',
      'velero.io/v1/Schedule',
    ]);
  });

  it('every rendered Velero object validates; a misspelt field in each fails', async () => {
    const objs = veleroObjects(await render(exampleWithBackup()));
    expect(objs.map((o) => o.object.kind).sort()).toEqual(['BackupStorageLocation', 'Schedule', 'Schedule']);
    expect(await validateObjects(objs)).toEqual([]);
    for (const { object, file } of objs) {
      const bad = structuredClone(object) as unknown as { spec: Record<string, unknown> };
      if (object.kind === 'Schedule') {
        const t = bad.spec.template as Record<string, unknown>;
        t.defaultVolumesToFsBackupp = t.defaultVolumesToFsBackup;
        delete t.defaultVolumesToFsBackup;
      } else (bad.spec.objectStorage as Record<string, unknown>).buckett = 'x';
      const d = await validateObjects([{ object: bad as unknown as K8sObject, file }]);
      expect(d.map((x) => x.message).join('\n')).toMatch(
        /must NOT have additional properties \((defaultVolumesToFsBackupp|buckett)\)/,
      );
    }
    // A wrong type is refused too (ttl is a string duration upstream).
    const sched = structuredClone(objs.find((o) => o.object.kind === 'Schedule')!);
    (sched.object.spec as { template: { ttl: unknown } }).template.ttl = 720;
    expect((await validateObjects([sched])).length).toBeGreaterThan(0);
  });

  it('a Backup made from a schedule and a Restore of it (what the backup CLI sends) validate', async () => {
    const r = await render(exampleWithBackup());
    const s = doc(r, 'components/velero/manifests/schedule-velero-platform.yaml');
    const backup = {
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name: 'platform-manual-1', namespace: 'velero', labels: { 'velero.io/schedule-name': 'platform' } },
      spec: s.spec.template,
    };
    const restore = {
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      metadata: { name: 'platform-manual-1-restore', namespace: 'velero' },
      spec: { backupName: 'platform-manual-1', includedNamespaces: ['keycloak'], restorePVs: true },
    };
    expect(
      await validateObjects([
        { object: backup as K8sObject, file: 'backup' },
        { object: restore as K8sObject, file: 'restore' },
      ]),
    ).toEqual([]);
  });

  it('the S3 keys are secret-store entries only: the built Secret holds the credentials file, the rendered tree none of it', async () => {
    const r = await render(exampleWithBackup());
    const needs = r.secrets.filter((s) => s.namespace === 'velero' && s.name === 'velero-s3');
    expect(entriesNeeded(needs)).toEqual(['backup-s3-access-key', 'backup-s3-secret-key']);
    expect(
      needs
        .filter((n) => n.generate.kind === 'external')
        .map((n) => n.ref)
        .sort(),
    ).toEqual(['backup-s3-access-key', 'backup-s3-secret-key']);
    const values = new Map([
      ['backup-s3-access-key', 'AKIAVELEROTEST000001'],
      ['backup-s3-secret-key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYVELEROTEST'],
    ]);
    const [secret] = buildSecrets(needs, values);
    expect(secret!.metadata!.name).toBe('velero-s3');
    expect(Buffer.from(secret!.data!.cloud!, 'base64').toString()).toBe(
      '[default]\naws_access_key_id=AKIAVELEROTEST000001\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYVELEROTEST\n',
    );
    expect(secret!.metadata!.annotations!['labctl.dev/entries']).toBe('backup-s3-access-key,backup-s3-secret-key');
    const tree = [...r.files.values()].join('\n');
    for (const v of values.values()) expect(tree.includes(v)).toBe(false);
    expect(tree).not.toMatch(/aws_secret_access_key\s*=/);
    // The README lists the entries as supplied by the site, the derived key too.
    expect(r.files.get('README.md')).toMatch(
      /`backup-s3-secret-key` \| velero\/velero-s3 \| cloud \| no, supplied by the site/,
    );
  });

  it("the Kopia repository password is a generated, never-rotated store entry delivered as velero-repo-credentials; no rendered file holds it or Velero's built-in one", async () => {
    const r = await render(exampleWithBackup());
    const repo = r.secrets.filter((s) => s.namespace === 'velero' && s.name === 'velero-repo-credentials');
    expect(repo).toHaveLength(1);
    expect(repo[0]).toMatchObject({ ref: 'backup-velero-repo-password', key: 'repository-password' });
    expect(repo[0]!.generate).toEqual({ kind: 'password', length: 48 });
    expect(repo[0]!.noRotate).toMatch(/lock every volume backup away/);
    expect(repo[0]!.onNodes).toBeUndefined();
    const value = 'kopia-repo-password-only-in-the-store-0123456789abcdef';
    const [secret] = buildSecrets(repo, new Map([['backup-velero-repo-password', value]]));
    expect(Buffer.from(secret!.data!['repository-password']!, 'base64').toString()).toBe(value);
    const tree = [...r.files.values()].join('\n');
    expect(tree.includes(value)).toBe(false);
    expect(tree).not.toContain('static-passw0rd');
    expect(tree).not.toMatch(/repository-password\s*[:=]\s*\S/);
    // The README's secrets table lists it as generated by labctl (delivered by up / secrets apply before ArgoCD).
    expect(r.files.get('README.md')).toMatch(
      /`backup-velero-repo-password` \| velero\/velero-repo-credentials \| repository-password \| yes/,
    );
  });

  it('both Schedules exclude Secrets (Velero stores objects unencrypted in the bucket)', async () => {
    const r = await render(exampleWithBackup());
    for (const name of [SCHEDULES.platform, SCHEDULES.labs]) {
      const s = doc(r, `components/velero/manifests/schedule-velero-${name}.yaml`);
      expect(s.spec.template.excludedResources).toEqual(['secrets']);
      expect(s.spec.template.includedResources).toBeUndefined();
    }
  });

  it('a key with a line break cannot add lines to the credentials file', async () => {
    const r = await render(exampleWithBackup());
    const needs = r.secrets.filter((s) => s.namespace === 'velero' && s.name === 'velero-s3');
    const values = new Map([
      ['backup-s3-access-key', 'AKIA\n[evil]\naws_access_key_id=x'],
      ['backup-s3-secret-key', 'secret'],
    ]);
    expect(() => buildSecrets(needs, values)).toThrow(/velero\/velero-s3 key cloud.*line break/);
  });

  it('the operators project allows what the chart creates cluster-wide (its CRDs, the ClusterRoleBinding) and the velero namespace', async () => {
    const r = await render(exampleWithBackup());
    const projects = r.files
      .get('apps/projects.yaml')!
      .split(/^---$/m)
      .map((t) => parse(t));
    const ops = projects.find((p) => p?.metadata?.name === 'operators');
    const kinds = ops.spec.clusterResourceWhitelist.map((k: { group: string; kind: string }) => `${k.group}/${k.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'apiextensions.k8s.io/CustomResourceDefinition',
        'rbac.authorization.k8s.io/ClusterRoleBinding',
      ]),
    );
    expect(ops.spec.destinations.map((d: { namespace: string }) => d.namespace)).toContain('velero');
  });
});

describe('velero: how old a backup may be', () => {
  it("the schedule's longest interval plus four hours for the backup to run", () => {
    expect(longestGapSeconds('0 3 * * *')).toBe(86400);
    expect(longestGapSeconds('0 */6 * * *')).toBe(6 * 3600);
    // Weekdays only: Friday to Monday is the longest gap.
    expect(longestGapSeconds('0 3 * * 1-5')).toBe(3 * 86400);
    expect(maxBackupAgeSeconds('0 3 * * *')).toBe(28 * 3600);
    // Velero's interval form, as the inventory's comment offers it.
    expect(longestGapSeconds('@every 6h')).toBe(6 * 3600);
    expect(longestGapSeconds('@every 1h30m')).toBe(5400);
    expect(() => longestGapSeconds('@every 0h')).toThrow(/"@every 0h" is refused: an interval of zero/);
    // Every minute of January only: the gap is from 31 January 23:59 to 1 January 00:00, exact (day by day).
    expect(longestGapSeconds('* * * 1 *')).toBe(334 * 86400 + 60);
    expect(longestGapSeconds('* * * * *')).toBe(60);
  });

  it('a cron that is not one is refused, naming the field', () => {
    expect(() => longestGapSeconds('every night')).toThrow(
      /backup\.velero\.schedule: "every night" is refused: Velero's parser \(robfig\/cron\) does not accept 2 fields/,
    );
  });
});
