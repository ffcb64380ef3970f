// The backup section's validation and the OnCalendar subset labctl accepts: each accepted schedule is
// compared with the REAL `systemd-analyze calendar` (systemd's own parser and next-elapse computation);
// refused ones are refused by systemd too where the syntax is at fault; bad backup sections give
// file:line:col errors naming the field; the rendered timer unit passes `systemd-analyze verify`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE } from '../helpers.ts';
import { formatDiagnostic } from '../../installer/core/diagnostics.ts';
import { gapSeconds, nextElapses, parseCalendar } from '../../installer/core/oncalendar.ts';
import { requireSite, validateInventoryText } from '../../installer/inventory/validate.ts';
import { buildPlan, formatPlan } from '../../installer/cluster/plan.ts';
import { etcdSnapshotFiles } from '../../installer/cluster/etcd-snapshot.ts';
import { snapshotMaxAgeSeconds } from '../../installer/render/platform/backup.ts';

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });

/** systemd's next elapses of `expr`, read as UTC. */
async function systemdElapses(expr: string, n: number): Promise<Date[] | undefined> {
  const r = await run('systemd-analyze', ['calendar', `--iterations=${n}`, expr], { TZ: 'UTC' });
  if (r.code !== 0) return undefined;
  return [...r.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map(
    (m) => new Date(`${m[1]!.replace(' ', 'T')}Z`),
  );
}

const ACCEPTED = [
  '*-*-* 00/6:00:00',
  '*-*-* 02:30:00',
  '*-*-* 02:30',
  'hourly',
  'daily',
  'weekly',
  'Mon..Fri *-*-* 08..18:00:00',
  'Sat,Sun *-*-* 03:15:00',
  '*-*-* 0/4:30:00',
  '*-*-* 1,13:05:00',
  'Mon *-*-* 00:00:00',
  'Fri..Sun 23:45',
];
// Refused for their syntax: systemd refuses them too.
const SYNTAX = ['*-*-* 25:00:00', '*:*/15', 'Mon..Fry *-*-* 02:00', '*-*-* 02:61:00', '03:00 Mon'];
// Valid for systemd, outside labctl's subset (the alert threshold is derived from the schedule).
const OUTSIDE = ['*-*-01 02:00:00', '*-*-* 02:00:00 Europe/Berlin', 'monthly'];

describe('OnCalendar schedules against the real systemd-analyze calendar', () => {
  it.each(ACCEPTED)('%s: accepted, and the next 8 elapses equal systemd-analyze', async (expr) => {
    const parsed = parseCalendar(expr);
    if (!('calendar' in parsed)) throw new Error(parsed.error);
    const sd = await systemdElapses(expr, 8);
    expect(sd, 'systemd-analyze refused it').toBeDefined();
    expect(sd).toHaveLength(8);
    // From just before systemd's first elapse, labctl finds the same eight.
    const mine = nextElapses(parsed.calendar, new Date(sd![0]!.getTime() - 1000), 8);
    expect(mine.map((d) => d.toISOString())).toEqual(sd!.map((d) => d.toISOString()));
  });

  it.each(SYNTAX)('%s: refused by labctl and by systemd-analyze', async (expr) => {
    expect('error' in parseCalendar(expr)).toBe(true);
    expect(await systemdElapses(expr, 1)).toBeUndefined();
  });

  it.each(OUTSIDE)('%s: valid for systemd, refused by labctl with the reason', async (expr) => {
    expect(await systemdElapses(expr, 1)).toBeDefined();
    expect('error' in parseCalendar(expr)).toBe(true);
  });

  it('gaps: every 6 h is 6 h; Mon..Fri 02:30 has the weekend gap of 3 days', () => {
    const g = (e: string) => {
      const p = parseCalendar(e);
      if (!('calendar' in p)) throw new Error(p.error);
      return gapSeconds(p.calendar);
    };
    expect(g('*-*-* 00/6:00:00')).toEqual({ shortest: 6 * 3600, longest: 6 * 3600 });
    expect(g('Mon..Fri *-*-* 02:30:00')).toEqual({ shortest: 86400, longest: 3 * 86400 });
  });
});

const example = readFileSync(EXAMPLE, 'utf8');
/** The example with its backup section replaced by `section` (YAML lines at top level). */
const withBackup = (section: string) => example.replace(/^backup:\n(?: .*\n|\n(?= ))*/m, section);
const errorsOf = (text: string) => validateInventoryText('inventory.yaml', text).errors.map((d) => formatDiagnostic(d));
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('backup section validation: file:line:col and the field', () => {
  it('the example is valid and its threshold is 13 h (every 6 h)', () => {
    const r = requireSite(EXAMPLE);
    if ('errors' in r) throw new Error(JSON.stringify(r.errors));
    expect(snapshotMaxAgeSeconds(r.site)).toBe(13 * 3600);
  });

  it('the replacement helper really replaces the section (so the cases below test what they say)', () => {
    const t = withBackup('backup:\n  target: {endpoint: https://s3.example.edu, bucket: b-1}\n');
    expect(t).not.toContain('labcloud-backups');
    expect(errorsOf(t)).toEqual([]);
  });

  it.each([
    [
      'http endpoint without insecure',
      'backup:\n  target:\n    endpoint: http://nas.campus.example.edu:9000\n    bucket: lab-backups\n',
      'endpoint: http',
      'backup.target.endpoint: http://nas.campus.example.edu:9000 is plain http',
    ],
    [
      'a schedule systemd would refuse',
      'backup:\n  target: {endpoint: https://s3.example.edu, bucket: b-1}\n  etcd:\n    schedule: "*-*-* 25:00:00"\n',
      'schedule:',
      'backup.etcd.schedule: "*-*-* 25:00:00" is not an OnCalendar schedule labctl accepts: hour 25 is out of range 0..23',
    ],
    [
      'a schedule every 5 minutes',
      'backup:\n  target: {endpoint: https://s3.example.edu, bucket: b-1}\n  etcd:\n    schedule: "*-*-* *:0/5:00"\n',
      'schedule:',
      'backup.etcd.schedule: "*-*-* *:0/5:00" takes a snapshot more often than every 15 minutes',
    ],
    [
      'a keep policy of zeros',
      'backup:\n  target: {endpoint: https://s3.example.edu, bucket: b-1}\n  etcd:\n    keep: {last: 0, daily: 0, weekly: 0}\n',
      'keep:',
      'backup.etcd.keep: keep.last, keep.daily and keep.weekly are all 0',
    ],
    [
      'a negative keep number (schema)',
      'backup:\n  target: {endpoint: https://s3.example.edu, bucket: b-1}\n  etcd:\n    keep: {last: -1}\n',
      'keep:',
      'backup.etcd.keep.last',
    ],
    [
      'an endpoint that is not a URL (schema)',
      'backup:\n  target: {endpoint: s3.example.edu, bucket: b-1}\n',
      'endpoint: s3',
      'backup.target.endpoint',
    ],
    [
      'a newline smuggled into the schedule (schema)',
      'backup:\n  target: {endpoint: https://s3.example.edu, bucket: b-1}\n  etcd:\n    schedule: "daily\\nExecStart=/bin/sh"\n',
      'schedule:',
      'backup.etcd.schedule',
    ],
  ])('%s', (_what, section, atLine, message) => {
    const text = withBackup(section);
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^inventory\\.yaml:${lineOf(text, atLine)}:\\d+ `));
    expect(errors[0]).toContain(message);
  });

  it('no backup section: valid, one warning that no backups are taken, no snapshot step, and the plan says so', () => {
    const text = withBackup('');
    expect(text).not.toMatch(/^backup:/m);
    const r = validateInventoryText('inventory.yaml', text);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((d) => d.message).filter((m) => /backup/.test(m))).toEqual([
      'no backup section: no etcd snapshots and no Velero backups are taken; a lost control plane or a deleted namespace cannot be restored',
    ]);
    // The docs it points to are in the labctl repository, not in the site repository the user is in.
    expect(r.warnings.find((d) => /no backup section/.test(d.message))?.hint).toContain(
      'docs/day-two.md in the labctl repository',
    );
    const plan = buildPlan(r.site!);
    expect(plan.phases.flatMap((p) => p.hosts.flatMap((h) => h.steps.map((s) => s.id)))).not.toContain(
      '0037-etcd-snapshot',
    );
    expect(formatPlan(plan)).toContain('0037-etcd-snapshot skipped: the inventory has no backup section');
  });
});

describe('the rendered units', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'labctl-snapunits-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('systemd-analyze verify accepts the service and timer; the timer is Persistent with a small random delay', async () => {
    const r = requireSite(EXAMPLE);
    if ('errors' in r) throw new Error(JSON.stringify(r.errors));
    const cp1 = r.site.nodes.find((n) => n.name === 'cp1')!;
    const files = etcdSnapshotFiles(r.site, cp1);
    const units: string[] = [];
    for (const f of files) {
      const name = f.path.split('/').pop()!;
      // ExecStart must name an existing executable for verify: point it at a file here.
      const content = f.content.replace('/usr/local/sbin/labctl-etcd-snapshot', join(dir, 'labctl-etcd-snapshot'));
      writeFileSync(join(dir, name), content, { mode: Number.parseInt(f.mode, 8) });
      if (/\.(service|timer)$/.test(name)) units.push(join(dir, name));
    }
    const v = await run('systemd-analyze', ['verify', ...units]);
    expect(v.stdout + v.stderr).toBe('');
    expect(v.code).toBe(0);
    const timer = files.find((f) => f.path.endsWith('.timer'))!.content;
    expect(timer).toContain('OnCalendar=*-*-* 00/6:00:00\n');
    expect(timer).toContain('Persistent=true\n');
    expect(Number(/RandomizedDelaySec=(\d+)/.exec(timer)![1])).toBeLessThanOrEqual(600);
    // A broken unit is reported (so the empty output above means something).
    writeFileSync(join(dir, 'broken.timer'), timer.replace('OnCalendar=', 'OnCalendar=*-*-* 25:00\nOnCalendr='));
    const bad = await run('systemd-analyze', ['verify', join(dir, 'broken.timer')]);
    expect(bad.stdout + bad.stderr).not.toBe('');
  });
});
