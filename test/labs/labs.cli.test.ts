// The three labs commands through the real CLI, over valid and invalid lab fixtures.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chartSchemaText,
  labSchemaText,
  rosterSchemaText,
  CHART_SCHEMA_FILE,
  LAB_SCHEMA_FILE,
  ROSTER_SCHEMA_FILE,
} from '../../installer/labs/emit-schema.ts';
import { EXAMPLE, labctl } from '../helpers.ts';
import { INVALID, VALID, tmp } from './helpers.ts';

const invalidFiles = readdirSync(INVALID)
  .flatMap((c) => readdirSync(join(INVALID, c)).map((f) => `${c}/${f}`))
  .sort();
const dirs: string[] = [];
const SSH_FROM_WARNING =
  "test/fixtures/labs/valid/netsec/firewalls.yaml:13:30 access.sshFrom: warning: sshFrom only opens TCP 22 in the lab's NetworkPolicy: nothing routes campus traffic to a VM's pod address (no Service, no route), so students still reach their VM only through virtctl ssh/console (docs/security.md, boundary 2)\n";
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('labctl labs validate', () => {
  it('accepts the valid fixtures (inline students, roster, ephemeral, explicit size) with exit 0', async () => {
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, VALID]);
    // The one warning: sshFrom opens a NetworkPolicy but nothing routes campus traffic to a VM (issue 13 §3).
    expect(r.stderr).toBe(SSH_FROM_WARNING);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('3 lab file(s) valid: 3 lab(s), 8 VM(s), 1 warning(s)\n');
  });

  it('has at least ten invalid fixtures, each opening with "# fault:" and "# expect:"', async () => {
    expect(invalidFiles.length).toBeGreaterThanOrEqual(10);
    for (const f of invalidFiles) {
      const [fault, expectLine] = readFileSync(join(INVALID, f), 'utf8').split('\n');
      expect(fault, f).toMatch(/^# fault: \S/);
      expect(expectLine, f).toMatch(/^# expect: \S/);
    }
  });

  for (const f of invalidFiles) {
    it(`rejects ${f} with its exact message and exit 1`, async () => {
      const expected = readFileSync(join(INVALID, f), 'utf8')
        .split('\n')[1]!
        .replace(/^# expect: /, '');
      const r = await labctl(['labs', 'validate', '-i', EXAMPLE, f], { cwd: INVALID });
      expect(r.code).toBe(1);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith(f) && !l.includes(' warning: '));
      expect(errors).toEqual([expected]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('checks a whole folder at once and counts every bad file', async () => {
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '.'], { cwd: INVALID });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`labctl: ${invalidFiles.length} error(s) in ${invalidFiles.length} lab file(s)`);
  });

  it('skips the inventory checks with a warning when there is no inventory.yaml, and fails when -i names a missing file', async () => {
    const d = tmp('noinv');
    dirs.push(d);
    const ok = await labctl(['labs', 'validate', join(VALID)], { cwd: d });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('inventory.yaml:1:1 warning: no inventory here: course and VM host checks are skipped');
    const bad = await labctl(['labs', 'validate', '-i', 'missing.yaml', VALID], { cwd: d });
    // A named inventory that is not there is a wrong argument, said as validate says it (exit 2).
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'missing.yaml: no such file (labctl init writes a starting inventory; name another with -i FILE)',
    );
  });

  it('a term start or end that is no day of the calendar (2027-02-30) is an error, not read as March', async () => {
    const d = tmp('calendar');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/a.yaml'),
      'apiVersion: 1\ntitle: A\ncourse: netsec\nimage: ubuntu-24.04\nsize: small\naccess: {ssh: false}\nstudents: [zoe]\n' +
        'schedule:\n  start: "2027-02-01"\n  end: "2027-02-30"\n  hours:\n    - {days: [monday], start: "09:00", end: "10:00"}\n',
    );
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.stderr).toContain(
      'labs/netsec/a.yaml:10:8 schedule.end: "2027-02-30" is not a day of the calendar: 2027-02 has 28 days',
    );
    expect(r.code).toBe(1);
  });

  it('reports a duplicate in the course roster at the roster line, once, for every lab using it', async () => {
    const d = tmp('roster');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    const lab = (t: string) =>
      `apiVersion: 1\ntitle: ${t}\ncourse: netsec\nimage: ubuntu-24.04\nsize: small\naccess: {ssh: false}\n`;
    writeFileSync(join(d, 'labs/netsec/a.yaml'), lab('A'));
    writeFileSync(join(d, 'labs/netsec/b.yaml'), lab('B'));
    writeFileSync(join(d, 'labs/netsec/roster.yaml'), 'students:\n  - zoe\n  - yann\n  - zoe\n');
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.includes('listed twice'))).toEqual([
      'labs/netsec/roster.yaml:4:5 students[2]: student zoe is listed twice (also students[0], line 2)',
    ]);
  });

  it('finds the labs folder next to the inventory (the site repository), not in the current folder', async () => {
    const site = tmp('site');
    dirs.push(site);
    const elsewhere = tmp('elsewhere');
    dirs.push(elsewhere);
    writeFileSync(join(site, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    mkdirSync(join(site, 'labs/os101'), { recursive: true });
    writeFileSync(
      join(site, 'labs/os101/shell.yaml'),
      'apiVersion: 1\ntitle: Shell\ncourse: os101\nimage: ubuntu-24.04\nsize: small\naccess: {ssh: false}\nstudents: [ada]\n',
    );
    // A labs/ folder in the current folder must not be the one read.
    mkdirSync(join(elsewhere, 'labs/os101'), { recursive: true });
    writeFileSync(join(elsewhere, 'labs/os101/broken.yaml'), 'apiVersion: 1\n');
    const r = await labctl(['labs', 'validate', '-i', join(site, 'inventory.yaml')], { cwd: elsewhere });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1 lab file(s) valid: 1 lab(s), 1 VM(s)\n');
    // From the repository root, the defaults find the same folder.
    expect((await labctl(['labs', 'list'], { cwd: site })).stdout).toContain('os101/shell');
  });

  it('outside a site repository (no inventory.yaml, no labs/): says so, exit 2; a labs folder alone is still checked', async () => {
    const d = tmp('nosite');
    dirs.push(d);
    for (const cmd of ['validate', 'list']) {
      const r = await labctl(['labs', cmd], { cwd: d });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain(
        'labctl: no inventory.yaml and no labs/ folder here: run labctl labs in the site repository (the folder that holds the inventory and labs/), or name its inventory with -i FILE\n',
      );
      expect(r.stderr).not.toContain('labs:1:1');
    }
    mkdirSync(join(d, 'labs/os101'), { recursive: true });
    writeFileSync(
      join(d, 'labs/os101/shell.yaml'),
      'apiVersion: 1\ntitle: Shell\ncourse: os101\nimage: ubuntu-24.04\nsize: small\naccess: {ssh: false}\nstudents: [ada]\n',
    );
    const ok = await labctl(['labs', 'validate'], { cwd: d });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('warning: no inventory here');
  });

  it('takes the course from the folder a file is in when staff run it from inside that folder (labs validate shell.yaml)', async () => {
    const site = tmp('in-course');
    dirs.push(site);
    writeFileSync(join(site, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    const course = join(site, 'labs/os101');
    mkdirSync(course, { recursive: true });
    const lab =
      'apiVersion: 1\ntitle: Shell\ncourse: os101\nimage: ubuntu-24.04\naccess: {ssh: false}\nstudents: [ada]\n';
    writeFileSync(join(course, 'shell.yaml'), `${lab}size: small\n`);
    // A schema fault too: its file is checked by the other path (refusedFileChecks), which names the folder as well.
    writeFileSync(join(course, 'huge.yaml'), `${lab}size: huge\n`);
    const ok = await labctl(['labs', 'validate', '-i', '../../inventory.yaml', 'shell.yaml'], { cwd: course });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('1 lab file(s) valid: 1 lab(s), 1 VM(s)\n');
    const bad = await labctl(['labs', 'validate', '-i', '../../inventory.yaml', './huge.yaml'], { cwd: course });
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toContain('does not match the folder');
    expect(bad.stderr).toContain('huge.yaml:7:7 size: "huge" is not one of');
  });

  it('checks the labs of a course folder given as the path (labs validate labs/os101, or . inside it), not "ignored" and 0 files', async () => {
    const site = tmp('course-dir');
    dirs.push(site);
    writeFileSync(join(site, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    const course = join(site, 'labs/os101');
    mkdirSync(course, { recursive: true });
    writeFileSync(
      join(course, 'shell.yaml'),
      'apiVersion: 1\ntitle: Shell\ncourse: os101\nimage: ubuntu-24.04\nsize: huge\naccess: {ssh: false}\nstudents: [ada]\n',
    );
    for (const [args, cwd, file] of [
      [['labs/os101'], site, 'labs/os101/shell.yaml'],
      [['-i', '../../inventory.yaml', '.'], course, 'shell.yaml'],
      [['.'], course, 'shell.yaml'], // no inventory named: the folder still is a course folder
    ] as const) {
      const r = await labctl(['labs', 'validate', ...args], { cwd });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`${file}:5:7 size: "huge" is not one of`);
      expect(r.stderr).not.toContain('ignored');
      expect(r.stderr).toContain('1 error(s) in 1 lab file(s)');
    }
    writeFileSync(
      join(course, 'shell.yaml'),
      readFileSync(join(course, 'shell.yaml'), 'utf8').replace('huge', 'small'),
    );
    const ok = await labctl(['labs', 'list', 'labs/os101'], { cwd: site });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('os101/shell');
  });

  it('a course: key that differs from its folder gets one error with a fix that works (never a move to a folder that is no course)', async () => {
    const d = tmp('course-fix');
    dirs.push(d);
    writeFileSync(join(d, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8')); // courses netsec and os101
    const lab = (course: string) =>
      `apiVersion: 1\ntitle: T\ncourse: ${course}\nimage: ubuntu-24.04\nsize: small\naccess: {ssh: false}\nstudents: [ada]\n`;
    const cases: [string, string, string][] = [
      // A key that can never be a course (capitals): it offered "move the file to NetSec/".
      ['netsec', 'NetSec', 'write course: netsec'],
      // A key that is no course of the inventory, in a course folder: it offered "move the file to os-101/" and,
      // in a second error, "did you mean os101?".
      ['os101', 'os-101', 'write course: os101'],
      // A folder that is no course, holding a course's lab: moving it is the fix.
      ['net-sec', 'netsec', 'move the file to netsec/'],
      ['netsec', 'os101', 'write course: netsec, or move the file to os101/'],
    ];
    for (const [folder, course, hint] of cases) {
      rmSync(join(d, 'labs'), { recursive: true, force: true });
      mkdirSync(join(d, 'labs', folder), { recursive: true });
      writeFileSync(join(d, 'labs', folder, 'shell.yaml'), lab(course));
      const r = await labctl(['labs', 'validate'], { cwd: d });
      expect(r.code, course).toBe(1);
      const courseLines = r.stderr.split('\n').filter((l) => l.includes(' course: '));
      expect(courseLines.at(-1), course).toBe(
        `labs/${folder}/shell.yaml:3:9 course: course ${course} does not match the folder ${folder}/ the file is in (the folder names the course) (hint: ${hint})`,
      );
      expect(r.stderr).not.toContain('did you mean');
      expect(r.stderr).not.toContain(`move the file to NetSec/`);
    }
  });

  it('a course folder that is no course of the inventory: the guess comes with renaming folder and key, and how a new course is added', async () => {
    // It said only 'did you mean "os101"?' for cs101 (a new course, one letter from os101): course staff changed
    // the key, which then no longer matched the folder.
    const d = tmp('new-course');
    dirs.push(d);
    writeFileSync(join(d, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    mkdirSync(join(d, 'labs/cs101'), { recursive: true });
    writeFileSync(
      join(d, 'labs/cs101/shell.yaml'),
      'apiVersion: 1\ntitle: T\ncourse: cs101\nimage: ubuntu-24.04\nsize: small\naccess: {ssh: false}\nstudents: [ada]\n',
    );
    const r = await labctl(['labs', 'validate'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `labs/cs101/shell.yaml:3:9 course: course cs101 is not a course of the inventory (labs.courses: netsec, os101) (hint: did you mean "os101"? Then write it in course: and as the folder name; a new course goes into the inventory's labs.courses first, then labctl render)\n`,
    );
  });

  it('the inventory given as a lab file (labs validate inventory.yaml) is a usage error naming labctl validate, not a dozen unknown keys', async () => {
    const d = tmp('inv-as-lab');
    dirs.push(d);
    writeFileSync(join(d, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    mkdirSync(join(d, 'labs'));
    for (const cmd of ['validate', 'list']) {
      const r = await labctl(['labs', cmd, 'inventory.yaml'], { cwd: d });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain(
        'labctl: inventory.yaml is the site inventory, not a lab file: labctl validate inventory.yaml checks it; the labs commands take lab files (labs/<course>/<lab>.yaml) or their folders, by default all of them\n',
      );
      expect(r.stderr).not.toContain('unknown key');
    }
    expect((await labctl(['validate', 'inventory.yaml'], { cwd: d })).code).toBe(0);
  });

  // New-user trial: a mistyped path was "labs/netsec/nonexist.yaml:1:1 file or folder not found", exit 1 (a lab error).
  it('a lab file or folder named that does not exist is a usage error (exit 2) naming it', async () => {
    const d = tmp('missing-path');
    dirs.push(d);
    writeFileSync(join(d, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    for (const cmd of ['validate', 'list', 'capacity']) {
      const r = await labctl(['labs', cmd, 'labs/netsec/nonexist.yaml'], { cwd: d });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain(
        'labctl: labs/netsec/nonexist.yaml: no such file or folder; the labs commands take lab files (labs/<course>/<lab>.yaml) or their folders, by default all of them\n',
      );
    }
    // --labs DIR that does not exist: it was 'DIR:1:1 file or folder not found', exit 1.
    for (const cmd of ['validate', 'list', 'capacity']) {
      const r = await labctl(['labs', cmd, '--labs', 'course'], { cwd: d });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain(
        'labctl: --labs course: no such folder; --labs names the labs folder of the site repository (default: labs next to the inventory)\n',
      );
    }
  });

  it('a new site without its labs folder yet (init, no render) says render writes it, and that render as written does', async () => {
    const d = tmp('no-labs-yet');
    dirs.push(d);
    writeFileSync(join(d, 'inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
    const r = await labctl(['labs', 'validate'], { cwd: d });
    expect(r.code, r.stderr).toBe(2);
    const hint = /: (labctl render .*) writes it/.exec(r.stderr)?.[1];
    expect(hint, r.stderr).toBe('labctl render -i inventory.yaml -o .');
    expect((await labctl(hint!.split(' ').slice(1), { cwd: d })).code).toBe(0);
    const again = await labctl(['labs', 'validate'], { cwd: d });
    expect(again.code, again.stderr).toBe(0);
  });

  it('a date, memory, SSH key or cloud-init file field of the wrong form is said in words, never as the regular expression', async () => {
    // New-user trial: schedule.end "2027-15-02" was 'not valid (pattern ^[0-9]{4}-(0[1-9]|1[0-2])-...)'.
    const d = tmp('patterns');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/fw.yaml'),
      [
        'apiVersion: 1',
        'title: Firewalls',
        'course: netsec',
        'image: netlab',
        'cpu: 2',
        'memory: 4GB',
        'students:',
        '  - {name: alice, sshKeys: ["AAAAC3NzaC1lZDI1NTE5AAAAIGJvYi1rZXkt alice@laptop"]}',
        'schedule:',
        '  start: "2026-10-01"',
        '  end: "2027-15-02"',
        '  hours:',
        '    - {days: [tuesday], start: "14:00", end: "18:00"}',
        'cloudInit:',
        '  files: [{path: etc/motd, content: "x", permissions: "644", owner: root}]',
        '  packages: ["-tcpdump"]',
        '',
      ].join('\n'),
    );
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('(pattern');
    for (const line of [
      'fw.yaml:6:9 memory: "4GB" is not a size in Mi, Gi or Ti like 4Gi (GB, G and M are not read)',
      'fw.yaml:8:29 students[0].sshKeys[0]: "AAAAC3NzaC1lZDI1NTE5AAAAIGJvYi1rZXkt alice@laptop" is not an SSH public key line like "ssh-ed25519 AAAAC3Nz... alice@laptop" (the whole line of the .pub file, never the private key)',
      'fw.yaml:11:8 schedule.end: "2027-15-02" is not a date YYYY-MM-DD like 2027-02-15 (month 01-12, then the day; quoted in a lab file)',
      'fw.yaml:15:18 cloudInit.files[0].path: "etc/motd" is not an absolute path like /etc/motd, without spaces',
      'fw.yaml:15:55 cloudInit.files[0].permissions: "644" is not an octal file mode like 0644 (a leading 0, quoted)',
      'fw.yaml:15:69 cloudInit.files[0].owner: "root" is not owner:group like root:root',
      // New-user trial: "-tcpdump" was told "(no spaces)", which was not its fault.
      'fw.yaml:16:14 cloudInit.packages[0]: "-tcpdump" is not a package name like nginx or python3=3.12.3-0ubuntu1 (starting with a letter or digit; then letters, digits, "+", ".", "_", ":", "=" and "-")',
    ])
      expect(r.stderr).toContain(`labs/netsec/${line}\n`);
    // The inventory's disk ids likewise (campus IT writes /dev/sdb).
    writeFileSync(
      join(d, 'inventory.yaml'),
      readFileSync(EXAMPLE, 'utf8').replace(
        'path: /dev/disk/by-id/nvme-SAMSUNG_MZQL23T8HCLS-00A07_S64HNE0T100001',
        'path: /dev/sdb',
      ),
    );
    const v = await labctl(['validate', 'inventory.yaml'], { cwd: d });
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(
      '"/dev/sdb" is not a disk by id like /dev/disk/by-id/nvme-SAMSUNG_MZQL21T9HCJR-00A07_S64GNE0T500001, not /dev/sdb (ls -l /dev/disk/by-id/ on the node lists them)',
    );
    expect(v.stderr).not.toContain('(pattern');
  });

  it('reports all errors of a file at once: schema, names and students together; semantic and catalog errors together', async () => {
    const d = tmp('all-at-once');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/multi.yaml'),
      'apiVersion: 1\ntitle: Many\ncourse: os101\nimage: ubuntu-24.04\nsize: huge\nstudents: [alice, alice]\n',
    );
    writeFileSync(
      join(d, 'labs/netsec/sem.yaml'),
      'apiVersion: 1\ntitle: Sem\ncourse: netsec\nimage: no-such-image\nsize: small\nstudents: [bob, bob]\n',
    );
    // One problem, two checkers: the schema (not a boolean) and the YAML 1.1 check (Helm reads yes as true).
    writeFileSync(
      join(d, 'labs/netsec/yes.yaml'),
      'apiVersion: 1\ntitle: Yesses\ncourse: netsec\nimage: ubuntu-24.04\nsize: small\nstudents: [carl]\naccess: {ssh: yes}\n',
    );
    // One YAML mistake the parser reports twice at the same place.
    writeFileSync(join(d, 'labs/netsec/broken.yaml'), 'apiVersion: 1\ntitle: x\n  bad: indent\n');
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('labs/'));
    const errors = lines.filter((l) => !l.includes(' warning: ')).sort();
    // Each problem once (one line per file:line:col), and the closing line counts exactly the lines above it.
    const places = errors.map((l) => l.split(' ')[0]);
    expect(places).toEqual([...new Set(places)]);
    const warnings = lines.length - errors.length;
    expect(warnings).toBeGreaterThan(0);
    expect(r.stderr).toContain(
      `labctl: ${errors.length} error(s) in 4 lab file(s); ${warnings} warning(s) above too\n`,
    );
    expect(errors).toEqual([
      'labs/netsec/broken.yaml:2:8 invalid YAML: Nested mappings are not allowed in compact mappings',
      'labs/netsec/multi.yaml:3:9 course: course os101 does not match the folder netsec/ the file is in (the folder names the course) (hint: write course: netsec, or move the file to os101/)',
      'labs/netsec/multi.yaml:5:7 size: "huge" is not one of: small, medium, large, xlarge',
      'labs/netsec/multi.yaml:6:19 students[1]: student alice is listed twice (also students[0], line 6)',
      'labs/netsec/sem.yaml:4:8 image: unknown image no-such-image; the catalog has: desktop-vnc, netlab, ubuntu-24.04',
      'labs/netsec/sem.yaml:6:17 students[1]: student bob is listed twice (also students[0], line 6)',
      'labs/netsec/yes.yaml:7:15 access.ssh: expected true or false, got "yes"',
    ]);
  });

  // New-user trial: an unquoted date gave file:line:col but no field, and it was the only finding: the unknown
  // image of the same file came later. Now each quoting finding names its field, and the file is checked in full.
  it('a value to quote for Helm names its field, and the rest of the file is still checked (unknown image, with the catalog)', async () => {
    const d = tmp('quote-and-image');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/dated.yaml'),
      [
        'apiVersion: 1',
        'title: 2026-12-01',
        'course: netsec',
        'image: ubuntu-24.4',
        'size: small',
        'students: [alice, on]',
        'schedule:',
        '  start: 2026-10-01',
        '  end: "2027-02-15"',
        '  hours: [{days: [monday], start: "08:00", end: "10:00"}]',
        '',
      ].join('\n'),
    );
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('labs/') && !l.includes(' warning: '));
    expect(errors.sort()).toEqual([
      'labs/netsec/dated.yaml:2:8 title: 2026-12-01 is read as a string here but as a number or date by Helm (YAML 1.1); write it quoted: "2026-12-01"',
      'labs/netsec/dated.yaml:4:8 image: unknown image ubuntu-24.4; the catalog has: desktop-vnc, netlab, ubuntu-24.04 (hint: did you mean "ubuntu-24.04"?)',
      'labs/netsec/dated.yaml:6:19 students[1]: on is read as a string here but as true by Helm (YAML 1.1); write it quoted: "on"',
      'labs/netsec/dated.yaml:8:10 schedule.start: 2026-10-01 is read as a string here but as a number or date by Helm (YAML 1.1); write it quoted: "2026-10-01"',
    ]);
    expect(r.stderr).toContain('labctl: 4 error(s) in 1 lab file(s)');
  });

  it('a number where a string belongs (title: 1.10) names the field and says to quote it', async () => {
    const d = tmp('number-title');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/num.yaml'),
      'apiVersion: 1\ntitle: 1.10\ncourse: netsec\nimage: netlab\nsize: small\nstudents: [alice]\n',
    );
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'labs/netsec/num.yaml:2:8 title: expected a string, got 1.1 (hint: unquoted, YAML reads it as a number; write it in quotes to make it a string)\n',
    );
  });

  // Attacker trial: go-yaml v2 (Helm, ArgoCD) removes every _ before parsing a number, so title: 0_x10 is 16 and a
  // student 1e_3 is 1000 there (real helm: values.schema.json then refuses the lab); labs validate passed both.
  it('a value Helm reads as a number only once its underscores are gone (0_x10, 1e_3) is refused, located', async () => {
    const d = tmp('underscore-number');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/under.yaml'),
      [
        'apiVersion: 1',
        'title: 0_x10',
        'course: netsec',
        'image: ubuntu-24.04',
        'size: small',
        'students: [alice, 1e_3]',
        '',
      ].join('\n'),
    );
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code, r.stdout).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('labs/') && !l.includes(' warning: '));
    expect(errors.sort()).toEqual([
      'labs/netsec/under.yaml:2:8 title: 0_x10 is read as a string here but as a number or date by Helm (YAML 1.1); write it quoted: "0_x10"',
      'labs/netsec/under.yaml:6:19 students[1]: 1e_3 is read as a string here but as a number or date by Helm (YAML 1.1); write it quoted: "1e_3"',
    ]);
  });

  it('an unknown key holding a date (due: 2026-12-01) is reported as unknown only, not also told to be quoted', async () => {
    const d = tmp('unknown-date');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    writeFileSync(
      join(d, 'labs/netsec/due.yaml'),
      'apiVersion: 1\ntitle: Due\ncourse: netsec\nimage: netlab\nsize: small\nstudents: [alice]\ndue: 2026-12-01\nextra: {at: [14:00]}\nschedule: {start: 2026-10-01, end: "2027-01-01", hours: [{days: [monday], start: "14:00", end: "16:00"}]}\n',
    );
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('labs/') && !l.includes(' warning: '));
    expect(errors.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'labs/netsec/due.yaml:7:1 due:',
      'labs/netsec/due.yaml:8:1 extra:',
      'labs/netsec/due.yaml:9:19 schedule.start:',
    ]);
    expect(errors[0]).toContain('unknown key "due"');
    expect(errors[2]).toContain('write it quoted: "2026-10-01"');
  });

  it('prints JSON with --output json', async () => {
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, VALID, '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.valid).toBe(true);
    expect(j.labs).toHaveLength(3);
  });

  it('ships lab.schema.json, roster.schema.json and charts/vm-lab/values.schema.json as emitted from installer/labs/schema.ts (run npm run schema when this fails)', async () => {
    expect(readFileSync(LAB_SCHEMA_FILE, 'utf8')).toBe(labSchemaText());
    expect(readFileSync(ROSTER_SCHEMA_FILE, 'utf8')).toBe(rosterSchemaText());
    expect(readFileSync(CHART_SCHEMA_FILE, 'utf8')).toBe(chartSchemaText());
  });
});

describe('labctl labs list', () => {
  it('prints a table of labs, students, schedules and resources', async () => {
    const r = await labctl(['labs', 'list', '-i', EXAMPLE, '--labs', VALID]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LAB\s+TITLE\s+IMAGE\s+SIZE\s+DISK\s+STUDENTS\s+SCHEDULE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      [
        'netsec/firewalls',
        'Firewalls and NAT',
        'netlab',
        'medium 2cpu/4Gi/30Gi',
        'persistent',
        '3',
        '2026-10-01..2027-02-15 tue,thu 14:00-18:00; fri 08:30-10:00',
      ],
      [
        'netsec/scanning',
        'Port scanning in a sandbox',
        'desktop-vnc',
        'large 4cpu/8Gi/40Gi',
        'ephemeral',
        '4 (roster)',
        'always on',
      ],
      ['os101/shell', 'The shell', 'ubuntu-24.04', '1cpu/1.5Gi/15Gi', 'persistent', '1', 'always on'],
    ]);
  });
});

describe('labctl labs capacity', () => {
  it('fits the valid fixtures on the example VM hosts and names the busiest moment', async () => {
    const r = await labctl(['labs', 'capacity', '-i', EXAMPLE, '--labs', VALID]);
    expect(r.stderr).toBe(SSH_FROM_WARNING);
    expect(r.code).toBe(0);
    // 5 hosts of 64 and one of 128 threads, 2 reserved each, x4 overcommit; memory likewise at 1.0.
    expect(r.stdout).toContain('capacity for VMs: 1744 vCPU, 3536Gi');
    expect(r.stdout).toContain('busiest: tuesday 14:00 (2026-10-01 .. 2027-02-15): 23 of 1744 vCPU, 48.5Gi of 3536Gi');
    expect(r.stdout).toContain('all 3 lab(s) fit');
  });

  it('says which labs do not fit when overlapping lab hours exceed the hosts, exit 1; labs at other hours still fit', async () => {
    const d = tmp('cap');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    const students = Array.from({ length: 100 }, (_, i) => `s${i}`);
    const lab = (title: string, day: string, start: string) =>
      [
        'apiVersion: 1',
        `title: ${title}`,
        'course: netsec',
        'image: ubuntu-24.04',
        'size: xlarge',
        'persistence: ephemeral',
        'access: {ssh: false}',
        `students: [${students.join(', ')}]`,
        'schedule:',
        '  start: "2026-10-01"',
        '  end: "2027-02-15"',
        '  hours:',
        `    - {days: [${day}], start: "${start}", end: "16:00"}`,
        '',
      ].join('\n');
    // 100 x 8 vCPU = 800 per lab; capacity 1744: two overlapping labs fit, the third does not.
    writeFileSync(join(d, 'labs/netsec/a-mon.yaml'), lab('A', 'monday', '10:00'));
    writeFileSync(join(d, 'labs/netsec/b-mon.yaml'), lab('B', 'monday', '12:00'));
    writeFileSync(join(d, 'labs/netsec/c-mon.yaml'), lab('C', 'monday', '14:00'));
    writeFileSync(join(d, 'labs/netsec/d-tue.yaml'), lab('D', 'tuesday', '14:00'));
    const r = await labctl(['labs', 'capacity', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('busiest: monday 14:00 (2026-10-01 .. 2027-02-15): 2400 of 1744 vCPU');
    expect(r.stderr).toContain(
      'labctl: 1 lab(s) do not fit at their busiest hours: netsec/c-mon (labs/netsec/c-mon.yaml)',
    );
    expect(r.stdout).toMatch(/netsec\/d-tue\s+100\s+800\s+.*yes/);
  });

  it('labs whose terms do not overlap do not add up', async () => {
    const d = tmp('terms');
    dirs.push(d);
    mkdirSync(join(d, 'labs/netsec'), { recursive: true });
    const students = Array.from({ length: 150 }, (_, i) => `s${i}`);
    const lab = (start: string, end: string) =>
      [
        'apiVersion: 1',
        'title: T',
        'course: netsec',
        'image: ubuntu-24.04',
        'size: xlarge',
        'persistence: ephemeral',
        'access: {ssh: false}',
        `students: [${students.join(', ')}]`,
        'schedule:',
        `  start: "${start}"`,
        `  end: "${end}"`,
        '  hours:',
        '    - {days: [monday], start: "10:00", end: "12:00"}',
        '',
      ].join('\n');
    writeFileSync(join(d, 'labs/netsec/winter.yaml'), lab('2026-10-01', '2027-02-15'));
    writeFileSync(join(d, 'labs/netsec/summer.yaml'), lab('2027-04-01', '2027-07-31'));
    const r = await labctl(['labs', 'capacity', '-i', EXAMPLE, '--labs', 'labs'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/busiest: monday 10:00 \(.*\): 1200 of 1744 vCPU/);
  });

  it("without VM host sizes (a new init site): warns at each host's line, says capacity was not checked, and passes", async () => {
    const d = tmp('nosize');
    dirs.push(d);
    const inv = readFileSync(EXAMPLE, 'utf8').replace(/\n {2}vmHost: \{cpu: 64, memory: 512Gi\}\n/, '\n');
    expect(inv).not.toContain('vmHost: {');
    writeFileSync(join(d, 'inventory.yaml'), inv);
    const r = await labctl(['labs', 'capacity', '-i', 'inventory.yaml', '--labs', VALID], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    const line = inv.split('\n').findIndex((l) => /^ {2}- \{name: vmh1,/.test(l)) + 1;
    expect(line).toBeGreaterThan(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^inventory\\.yaml:${line}:\\d+ nodes\\[3\\]: warning: VM host vmh1 has no size, so labs capacity cannot check the labs against it \\(hint: add cpu: .* to node vmh1, or labs.vmHost for every VM host\\)`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^capacity not checked: \d+ of \d+ VM host\(s\) have no size \(vmh1, /m);
  });
});
