// Finds and reads lab templates (labs/<course>/<lab>.yaml) and course rosters (labs/<course>/roster.yaml):
// parse -> schema -> resolved Lab. Pure apart from reading files; returns located diagnostics.
import { existsSync, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../core/diagnostics.ts';
import { formatPath } from '../core/diagnostics.ts';
import { compile, isUnknownKey, schemaDiagnostics } from '../core/schema-check.ts';
import { loadYamlFile, type PathSeg, type YamlSource } from '../core/yaml-source.ts';
import { notACalendarDay } from '../core/calendar-day.ts';
import { isCanonical, parseCidr } from './protected.ts';
import { yaml11FileDiagnostics } from '../core/yaml11.ts';
import { labSchema, rosterSchema } from './schema.ts';
import { validators } from '../validators/labs.ts';
import { DEFAULT_DISK, SIZE_CLASSES, toGiB, toMiB } from './sizes.ts';
import type { Lab, LabFile, RosterFile, Student, StudentEntry } from './types.ts';

export const ROSTER_FILE = 'roster.yaml';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const labNamespace = (course: string, lab: string) => `course-${course}-${lab}`;
/** ArgoCD Application of a lab: "." joins course and lab because neither name may contain one (no collisions). */
export const labApplication = (course: string, lab: string) => `lab-${course}.${lab}`;
/** A login as a DNS label (the chart's vmName helper does the same). */
export const vmName = (login: string) => login.replace(/[^a-z0-9-]/g, '-').replace(/-+$/, '');

export interface LoadResult {
  labs: Lab[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
  files: number;
  /** Labs with errors of their own that still resolved: checked against the catalog and the inventory too, so a file's errors come at once. */
  withErrors: Lab[];
  /**
   * The places (quotedAt) of values to quote for Helm: a later check there judged the value labctl read, not
   * the one Helm will read, so the quoting finding is the one reported there.
   */
  quoted: Set<string>;
}

/** A diagnostic's place, as LoadResult.quoted holds it. */
export const quotedAt = (d: Diagnostic) => `${d.file}:${d.line}:${d.col}`;

/** People read paths relative to where they run labctl. */
export function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : p;
}

/** The course a lab file belongs to: its folder's name, also for a file given as `lab.yaml` from inside it. */
const courseOf = (file: string) => basename(dirname(resolve(file)));

/** ajv's if/then/else adds an "if" error on top of the branch's own errors; the branch's are the useful ones. */
function withoutIf(fn: ValidateFunction): ValidateFunction {
  const w = ((data: unknown) => {
    const ok = fn(data);
    w.errors = fn.errors ? fn.errors.filter((e) => e.keyword !== 'if') : null;
    return ok;
  }) as ValidateFunction;
  return w;
}

/**
 * Lab files under the given paths: files as given, folders searched two levels deep (labs/<course>/<lab>.yaml).
 * Hidden files and folders are searched too: ArgoCD's files generator (labs/<course>/<lab>.yaml glob) matches them.
 * Rosters are returned separately: the ApplicationSet hands each to every lab of its folder.
 */
export function findLabFiles(
  paths: string[],
  labsDir?: string,
): {
  files: string[];
  rosters: string[];
  warnings: Diagnostic[];
  errors: Diagnostic[];
} {
  const files: string[] = [];
  const rosters: string[] = [];
  const warnings: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  const refuse = (p: string, message: string) =>
    errors.push({ severity: 'error', file: shown(p), line: 1, col: 1, path: '', message });
  const visit = (p: string, depth: number, given: boolean) => {
    // A path the user typed may be a link (their choice); what is found below it is Git content and is
    // looked at as it is (lstat), never followed: a link leaving the repository makes ArgoCD's repo-server
    // refuse the whole site repository (every Application of it), whatever its name, and a link to a
    // folder (labs/<course>/a -> .) made this walk loop.
    const st = given ? (existsSync(p) ? statSync(p) : undefined) : lstatSync(p);
    if (!st) {
      refuse(p, 'file or folder not found');
      return;
    }
    if (st.isSymbolicLink()) {
      refuse(
        p,
        `a symbolic link (to ${readlinkSync(p)}): ArgoCD refuses the whole site repository when a link in it leads outside it, and a lab must be the file itself; commit the file or folder instead of a link`,
      );
      return;
    }
    if (st.isDirectory()) {
      // Below a course folder nothing is a lab, but ArgoCD's file generator must not be handed one either:
      // a file in labs/<course>/<other>/ would be taken as a lab of course <other>. Look at every level
      // (nothing is followed, so the walk ends) and refuse.
      for (const e of readdirSync(p).sort()) visit(join(p, e), depth + 1, false);
      return;
    }
    const name = basename(p);
    // Git attributes decide what a checkout holds: `*.yaml filter=lfs` gives the CI runner (which fetches LFS
    // files) the lab and ArgoCD (which does not) a pointer file, so what CI checked is not what is deployed;
    // eol and working-tree-encoding rewrite the text likewise. Lab files need none (attacker trial).
    if (name === '.gitattributes') {
      refuse(
        p,
        'a .gitattributes in the labs folder: it can make Git hand the CI check and ArgoCD different lab files (filter=lfs, eol, working-tree-encoding); lab files need no attributes, remove it',
      );
      return;
    }
    if (!st.isFile()) {
      if (name.endsWith('.yaml') || name.endsWith('.yml'))
        refuse(p, 'not a regular file (a device, pipe or socket); a lab file is a plain YAML file');
      return;
    }
    if (name.endsWith('.yml')) {
      warnings.push({
        severity: 'warning',
        file: shown(p),
        line: 1,
        col: 1,
        path: '',
        message: 'ignored: ArgoCD only picks up lab files ending in .yaml; rename it',
      });
      return;
    }
    if (!name.endsWith('.yaml')) return;
    if (!given && depth > 2) {
      errors.push({
        severity: 'error',
        file: shown(p),
        line: 1,
        col: 1,
        path: '',
        message:
          'a YAML file below a course folder: lab files live directly in <labs>/<course>/ (the folder names the course); move or remove it',
      });
      return;
    }
    if (name === '.yaml') {
      errors.push({
        severity: 'error',
        file: shown(p),
        line: 1,
        col: 1,
        path: '',
        message: 'a lab file needs a name before .yaml (the name becomes the lab and its namespace)',
      });
      return;
    }
    if (name === ROSTER_FILE && !given) {
      if (depth === 2) rosters.push(p);
      return;
    }
    if (!given && depth < 2) {
      warnings.push({
        severity: 'warning',
        file: shown(p),
        line: 1,
        col: 1,
        path: '',
        message: 'ignored: lab files live in <labs>/<course>/<lab>.yaml, one folder per course',
      });
      return;
    }
    files.push(p);
  };
  for (const p of paths) visit(p, existsSync(p) ? depthOf(p, labsDir) : 0, true);
  return { files: [...new Set(files)], rosters: [...new Set(rosters)], warnings, errors };
}

/**
 * How deep a given folder lies, counted as the files below it are: 0 for the labs folder, 1 for a course
 * folder. A folder inside the labs folder is as deep as it lies there (labs validate labs/netsec); one
 * elsewhere is a course folder when YAML files lie directly in it and in none of its folders (labs validate .
 * from inside a course folder, without an inventory), else a labs folder. Counted from the given folder alone,
 * a course folder's labs were all "ignored" and the run passed with 0 lab files.
 */
function depthOf(p: string, labsDir?: string): number {
  if (!statSync(p).isDirectory()) return 0;
  if (labsDir) {
    const rel = relative(resolve(labsDir), resolve(p));
    if (rel === '') return 0;
    if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).length;
  }
  const entries = readdirSync(p, { withFileTypes: true });
  const yamlIn = (dir: string) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => e.isFile() && e.name.endsWith('.yaml'));
  const direct = entries.some((e) => e.isFile() && e.name.endsWith('.yaml'));
  const below = entries.some((e) => e.isDirectory() && yamlIn(join(p, e.name)));
  return direct && !below ? 1 : 0;
}

interface Reporter {
  error(path: PathSeg[], message: string, hint?: string): void;
  warn(path: PathSeg[], message: string, hint?: string): void;
}
export function reporter(source: YamlSource, errors: Diagnostic[], warnings: Diagnostic[]): Reporter {
  const push =
    (list: Diagnostic[], severity: 'error' | 'warning') => (path: PathSeg[], message: string, hint?: string) =>
      list.push({
        severity,
        file: source.file,
        ...source.locate(path),
        path: formatPath(path),
        message,
        ...(hint ? { hint } : {}),
      });
  return { error: push(errors, 'error'), warn: push(warnings, 'warning') };
}

type Loaded<T> = { source: YamlSource; data: T } | undefined;
/**
 * A file that parsed to a mapping; `valid` false when the schema or the YAML 1.1 check refused it, `typed`
 * when the schema accepted it (only quoting is wrong: every other check can still read it).
 */
type Read<T> = { source: YamlSource; data: T; valid: boolean; typed: boolean } | undefined;
function loadChecked<T>(
  file: string,
  schema: object,
  what: string,
  errors: Diagnostic[],
  quoted = new Set<string>(),
): Read<T> {
  const r = loadYamlFile(file);
  if (!r.ok) {
    // The parser often reports a second error where the first one stopped it: the first is the cause.
    errors.push(...firstAtEachPlace(r.diagnostics).map((d) => ({ ...d, file: shown(file) })));
    return undefined;
  }
  const source: YamlSource = { ...r.source, file: shown(file) };
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    errors.push({
      severity: 'error',
      file: source.file,
      ...source.locate([]),
      path: '',
      message: `expected a mapping (${what})`,
    });
    return undefined;
  }
  // Every finding of a file at once: the schema's and the YAML 1.1 check's together (ArgoCD hands this
  // file to Helm as a values file: Helm must read what labctl read).
  const diags = schemaDiagnostics(source, withoutIf(compile(schema, validators)));
  // A value the schema already refuses (ssh: yes, not a boolean) is one problem, not two: the schema's
  // finding says what to write; the YAML 1.1 advice (quote it) would not make it valid.
  const refused = new Set(diags.map(place));
  // Nor is a value under an unknown key (due: 2026-12-01): the key is to go, quoting its value would not help.
  // A set and the path's own prefixes, not every unknown key for every finding: 60,000 unknown keys holding `yes`
  // took 80 s.
  const unknown = new Set(diags.filter(isUnknownKey).map((d) => d.path));
  const underUnknown = (d: Diagnostic) =>
    unknown.size > 0 &&
    [...d.path.matchAll(/[.[]/g)]
      .map((m) => d.path.slice(0, m.index))
      .concat(d.path)
      .some((k) => unknown.has(k));
  const y11 = yaml11FileDiagnostics(file, source.file, 'Helm').filter(
    (d) => !refused.has(place(d)) && !underUnknown(d),
  );
  errors.push(...diags, ...y11);
  for (const d of y11) quoted.add(quotedAt(d));
  return { source, data: source.data as T, valid: !diags.length && !y11.length, typed: !diags.length };
}

/** Reads the students, reporting a login listed twice and two logins that map to the same VM name. */
function students(entries: StudentEntry[], at: (i: number) => PathSeg[], source: YamlSource, r: Reporter): Student[] {
  const seen = new Map<string, number>();
  const vms = new Map<string, number>();
  const out: Student[] = [];
  entries.forEach((e, i) => {
    const name = typeof e === 'string' ? e : e.name;
    const vm = vmName(name);
    const prev = seen.get(name);
    if (prev !== undefined) {
      r.error(
        at(i),
        `student ${name} is listed twice (also ${formatPath(at(prev))}, line ${source.locate(at(prev)).line})`,
      );
      return;
    }
    seen.set(name, i);
    const clash = vms.get(vm);
    if (clash !== undefined) {
      r.error(
        at(i),
        `student ${name} and ${formatPath(at(clash))} (line ${source.locate(at(clash)).line}) would both get the VM ${vm}; VM names replace "." and "_" with "-"`,
      );
      return;
    }
    vms.set(vm, i);
    out.push({ name, vm, sshKeys: typeof e === 'string' ? [] : (e.sshKeys ?? []) });
  });
  return out;
}

/**
 * paths: lab files or folders; labsDir: the labs folder (a folder given inside it is as deep as it lies there);
 * courses: the inventory's labs.courses, when there is an inventory (a course mismatch then names the fix that works).
 */
export function loadLabs(paths: string[], labsDir?: string, courses?: string[]): LoadResult {
  const found = findLabFiles(paths, labsDir);
  const errors = [...found.errors];
  const warnings = [...found.warnings];
  const rosters = new Map<string, Loaded<RosterFile> | null>();
  const labs: Lab[] = [];
  const withErrors: Lab[] = [];
  const quoted = new Set<string>();
  const rosterOf = (dir: string) => {
    if (!rosters.has(dir)) {
      const file = join(dir, ROSTER_FILE);
      const ro = existsSync(file)
        ? loadChecked<RosterFile>(file, rosterSchema, 'a course roster: students, keycloakGroup', errors)
        : undefined;
      rosters.set(dir, ro?.valid ? ro : null);
    }
    return rosters.get(dir) ?? undefined;
  };
  // Every roster is checked, whichever lab uses it: the ApplicationSet passes it to every lab of its folder.
  for (const file of found.rosters) rosterOf(dirname(file));
  for (const file of found.files) {
    if (basename(file) === ROSTER_FILE) {
      rosterOf(dirname(file));
      continue;
    }
    // Inline students win, but the roster is still merged into this lab's values: it must be valid.
    rosterOf(dirname(file));
    const loaded = loadChecked<LabFile>(
      file,
      labSchema,
      'a lab: apiVersion, title, course, image, ...',
      errors,
      quoted,
    );
    if (!loaded) continue;
    if (!loaded.typed) {
      refusedFileChecks(file, loaded.source, errors, warnings, courses);
      continue;
    }
    // A value to quote (due: 2026-12-01) is reported with the lab's other problems (an unknown image...), not
    // alone: the lab is checked in full, as labctl reads it, and counted with the labs that have errors.
    const quoting = !loaded.valid;
    const { source, data: spec } = loaded;
    const r = reporter(source, errors, warnings);
    const name = basename(file, '.yaml');
    const course = courseOf(file);
    const before = errors.length;
    if (!DNS_LABEL.test(name))
      r.error(
        [],
        `file name ${basename(file)}: a lab's file name becomes its Kubernetes names; use lowercase letters, digits and "-" (e.g. intro-linux.yaml)`,
      );
    if (spec.course !== course) courseMismatch(r, spec.course, course, courses);
    const ns = labNamespace(course, name);
    if (ns.length > 63) r.error([], `namespace ${ns} is ${ns.length} characters (at most 63): shorten the file name`);

    // Size: a class, or cpu and memory.
    const size = spec.size ? SIZE_CLASSES[spec.size]! : undefined;
    if (spec.size && (spec.cpu !== undefined || spec.memory !== undefined))
      r.error(
        [spec.cpu !== undefined ? 'cpu' : 'memory'],
        `give either size (${spec.size}) or cpu and memory, not both`,
      );
    else if (!spec.size && (spec.cpu === undefined || spec.memory === undefined)) {
      r.error(
        spec.cpu === undefined && spec.memory === undefined ? [] : [spec.cpu === undefined ? 'memory' : 'cpu'],
        spec.cpu === undefined && spec.memory === undefined
          ? 'no VM size: give size (small, medium, large, xlarge) or cpu and memory'
          : `${spec.cpu === undefined ? 'memory' : 'cpu'} without ${spec.cpu === undefined ? 'cpu' : 'memory'}: give both, or a size`,
      );
    }

    // Students: inline, else the course roster.
    let list: Student[] = [];
    let studentsFrom: Lab['studentsFrom'] = 'none';
    let roster: Lab['roster'];
    if (spec.students) {
      list = students(spec.students, (i) => ['students', i], source, r);
      studentsFrom = 'lab';
    } else {
      const ro = rosterOf(dirname(file));
      if (ro) {
        roster = { file: ro.source.file, source: ro.source, data: ro.data };
        list = students(ro.data.students, (i) => ['students', i], ro.source, reporter(ro.source, errors, warnings));
        studentsFrom = 'roster';
      } else if (!existsSync(join(dirname(file), ROSTER_FILE))) {
        r.error(
          [],
          `no students: list them under students: here or in ${shown(join(dirname(file), ROSTER_FILE))}; a Keycloak group alone cannot name the VMs`,
        );
      } else continue; // the roster's own errors are reported once
    }
    if (studentsFrom !== 'none' && list.length === 0 && errors.length === before)
      r.warn(studentsFrom === 'lab' ? ['students'] : [], 'no students: the lab creates no VMs');

    if (spec.schedule) {
      // The schema's pattern takes any day 01-31: 2027-02-30 passed, and labs list and capacity read it as March.
      for (const k of ['start', 'end'] as const) {
        const why = notACalendarDay(spec.schedule[k]);
        if (why) r.error(['schedule', k], why);
      }
      if (spec.schedule.end < spec.schedule.start)
        r.error(['schedule', 'end'], `term ends ${spec.schedule.end}, before it starts (${spec.schedule.start})`);
      spec.schedule.hours.forEach((w, i) => {
        if (w.end <= w.start)
          r.error(
            ['schedule', 'hours', i, 'end'],
            `lab hours end ${w.end} is not after their start ${w.start}; a window ends on the day it starts`,
          );
      });
    }
    const access = { ...spec.access };
    networkChecks(spec, r);
    if ((access.ssh ?? true) && list.length) {
      const keyless = list.filter((s) => s.sshKeys.length === 0);
      if (keyless.length === list.length)
        r.warn(
          studentsFrom === 'roster' ? [] : ['students'],
          `no student has an SSH key: give sshKeys per student, or students can only use the ${access.console === false ? 'nothing (console is off too)' : 'console'}`,
        );
    }
    const cpu = size?.cpu ?? spec.cpu;
    const memory = size?.memory ?? spec.memory;
    if (cpu === undefined || memory === undefined) continue; // no size: nothing for the host checks to weigh
    (quoting || errors.length > before ? withErrors : labs).push({
      file: source.file,
      source,
      name,
      course,
      namespace: ns,
      application: labApplication(course, name),
      spec,
      cpu,
      memoryMiB: toMiB(memory),
      diskGiB: toGiB(spec.disk ?? size?.disk ?? DEFAULT_DISK),
      students: list,
      studentsFrom,
      ...(roster ? { roster } : {}),
    });
  }
  // Quoting findings come first at their place (loadChecked); what a later check said there is left out.
  const first = new Set<string>();
  const kept = errors.filter((d) => !quoted.has(quotedAt(d)) || (!first.has(quotedAt(d)) && !!first.add(quotedAt(d))));
  return { labs, withErrors, errors: dedupe(kept), warnings: dedupe(warnings), files: found.files.length, quoted };
}

/**
 * A lab's course: key differs from its folder, which is what names the course. The fix offered is one that
 * works: writing the folder's name (when it is a course of the inventory, or there is none to ask), moving the
 * file to a folder named as the key (only when that is a course name: "move the file to NetSec/" was offered
 * for a course that can never be one).
 */
function courseMismatch(r: Reporter, typed: string, folder: string, courses?: string[]): void {
  const known = (c: string) => (courses ? courses.includes(c) : DNS_LABEL.test(c));
  const fixes =
    courses && !known(folder) && !known(typed)
      ? [`neither is a course of the inventory: use one of labs.courses (${courses.join(', ') || 'none'}) for both`]
      : [
          ...(known(folder) || !known(typed) ? [`write course: ${folder}`] : []),
          ...(known(typed) ? [`move the file to ${typed}/`] : []),
        ];
  r.error(
    ['course'],
    `course ${typed} does not match the folder ${folder}/ the file is in (the folder names the course)`,
    fixes.join(', or '),
  );
}

/**
 * The checks of a lab file that do not need it to match the schema, run when it does not: its name, its
 * folder, and students listed twice. So one run shows these together with the schema's findings.
 */
function refusedFileChecks(
  file: string,
  source: YamlSource,
  errors: Diagnostic[],
  warnings: Diagnostic[],
  courses?: string[],
): void {
  const r = reporter(source, errors, warnings);
  const spec = source.data as Record<string, unknown>;
  const name = basename(file, '.yaml');
  const course = courseOf(file);
  if (!DNS_LABEL.test(name))
    r.error(
      [],
      `file name ${basename(file)}: a lab's file name becomes its Kubernetes names; use lowercase letters, digits and "-" (e.g. intro-linux.yaml)`,
    );
  if (typeof spec.course === 'string' && spec.course !== course) courseMismatch(r, spec.course, course, courses);
  const list = spec.students;
  const named = (e: unknown) =>
    typeof e === 'string' ||
    (typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string');
  if (Array.isArray(list) && list.every(named)) students(list as StudentEntry[], (i) => ['students', i], source, r);
}

const place = (d: Diagnostic) => `${d.line}:${d.col}`;
/** The first diagnostic at each line:col of one file. */
function firstAtEachPlace(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => !seen.has(place(d)) && !!seen.add(place(d)));
}

/** A roster shared by several labs is checked once per lab; report each finding once. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.file}:${d.line}:${d.col}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Checks of a lab's CIDRs that need no inventory; the overlap with the platform's networks is in rules.ts. */
function networkChecks(spec: LabFile, r: Reporter): void {
  const cidrs: [PathSeg[], string][] = [
    ...(spec.access?.sshFrom ?? []).map((c, i): [PathSeg[], string] => [['access', 'sshFrom', i], c]),
    ...(spec.network?.allowEgress ?? []).map((e, i): [PathSeg[], string] => [
      ['network', 'allowEgress', i, 'cidr'],
      e.cidr,
    ]),
  ];
  for (const [at, c] of cidrs) {
    if (!isCanonical(c))
      r.error(
        at,
        `${c} has host bits set; write the network ${parseCidr(c)?.cidr ?? c}`,
        `did you mean "${parseCidr(c)?.cidr}"?`,
      );
  }
  const from = spec.access?.sshFrom ?? [];
  if (from.length && spec.access?.ssh === false) r.warn(['access', 'sshFrom'], 'sshFrom is ignored: ssh is false');
  else if (from.length) {
    r.warn(
      ['access', 'sshFrom'],
      "sshFrom only opens TCP 22 in the lab's NetworkPolicy: nothing routes campus traffic to a VM's pod address (no Service, no route), so students still reach their VM only through virtctl ssh/console (docs/security.md, boundary 2)",
    );
  }
}
