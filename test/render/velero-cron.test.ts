// The Velero schedule seam: labctl writes backup.velero.schedule verbatim into Velero's Schedules, and Velero
// parses it with cron.ParseStandard of robfig/cron v3 (a refusal: the Schedule is FailedValidation and never
// backs up). This runs the REAL parser (test/velero-cron, Go, robfig/cron v3.0.1 as Velero v1.18.1 pins it,
// built by .ci/velero-cron.sh) over a corpus of hand-picked and generated expressions and requires labctl to
// accept exactly what it accepts (or refuse on purpose, for a short named list of reasons), with the same
// first runs and the same longest gap over the year (the backup-late alert's interval).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAP_WINDOW, nextRun, parseVeleroSchedule, veleroScheduleGap } from '../../installer/core/velero-cron.ts';
import { EXAMPLE, ROOT, labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';

const exec = (cmd: string, args: string[], input = '') =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      cmd,
      args,
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });

// The schema's pattern comes first: a value it refuses never reaches the parser.
const PATTERN = new RegExp(
  JSON.parse(readFileSync(join(ROOT, 'inventory.schema.json'), 'utf8')).properties.backup.properties.velero.properties
    .schedule.pattern,
);

/** What labctl does with a schedule: its longest gap, or its refusal. */
function verdict(expr: string): { seconds: number } | { error: string; deliberate: boolean } {
  if (!PATTERN.test(expr))
    return { error: `a character outside the inventory schema's pattern ${PATTERN.source}`, deliberate: true };
  return veleroScheduleGap(expr);
}

const ORDINARY = [
  '0 3 * * *',
  '30 2 * * *',
  '00 03 * * *',
  '0 */6 * * *',
  '0 3 * * 1-5',
  '15 1 * * sun',
  '7 3 * * SUN',
  '0 0 1 * *',
  '0 12 * * mon,wed,fri',
  '*/15 * * * *',
  '0 0,12 * * *',
  '0 22 * * 1-5',
  '0 3 1,15 * *',
  '0 2 * jan,jul *',
  '0 0 1 */3 *',
  '45 23 * * 6',
  '0 9-17 * * mon-fri',
  '* 3 * * *',
  '0 * * * *',
  '0 3 * * 0-6',
  '0 0 1 1 *',
  '0 0 31 * *',
  '* * * 1 *',
  ' 0 3 * * *',
  '0  3 * * *',
  '0 3 * * * ',
];
const DESCRIPTORS = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
  '@DAILY',
  '@reboot',
  '@daily ',
  ' @daily',
  '@every',
  '@weekly 0',
];
const INTERVALS = [
  '@every 6h',
  '@every 1h30m',
  '@every 90m',
  '@every 45s',
  '@every 1m',
  '@every 24h',
  '@every 168h',
  '@every 1m1m',
  '@every 8783h',
  '@every 8784h',
  '@every 0h',
  '@every 0s',
  '@every 0',
  '@every 1.5h',
  '@every 500ms',
  '@every -1h',
  '@every +1h',
  '@every 90',
  '@every 1h 30m',
  '@every  1h',
  '@every 1d',
  '@every 1H',
  '@every 00h',
  '@every 1h30m0s',
  '@every 2562047h',
  '@every 2562048h',
  'TZ=UTC @daily',
  '@every 99999999999h',
  // Go's Duration is int64 nanoseconds: one second past 2562047h47m16s overflows (time.ParseDuration refuses).
  '@every 9223372036s',
  '@every 9223372037s',
  '@every 2562047h47m16s',
  '@every 2562047h47m17s',
  '@every 153722867m',
  '@every 153722868m',
  '@every 1h9223372036s',
  '@every 99999999999999999999s',
];
const TRICKY = [
  // Quartz and croner extensions: last day, nearest weekday, nth weekday; seconds and year fields.
  '0 3 L * *',
  '0 3 15W * *',
  '0 3 LW * *',
  '0 3 * * 5L',
  '0 3 * * 1#2',
  '0 0 3 * * *',
  '0 3 * * * 2026',
  '0 3 * *',
  '',
  // `?` (robfig: the same as `*`, in any field, star rule included).
  '0 3 ? * mon',
  '0 3 * * ?',
  '? 3 * * *',
  '?/20 3 * * *',
  // Sunday as 7, ranges that wrap.
  '0 3 * * 7',
  '0 3 * * 1-7',
  '0 3 * * 5-1',
  '0 3 * * fri-mon',
  '0 22-2 * * *',
  // Names: three letters, any case, in ranges and as a step's start; no full names.
  '0 3 * JAN *',
  '0 3 * * Mon-Fri',
  '0 3 * * monday',
  '0 3 * january *',
  '0 3 * jan/2 *',
  '0 3 * * mon/2',
  '0 jan * * *',
  // Day of month and day of week: either (neither starred) or both (one starred, *, ? or */1).
  '0 3 1 * mon',
  '0 3 13 * fri',
  '0 3 */2 * mon',
  '0 3 1-31 * mon',
  '0 3 */1 * mon',
  '0 3 1 * */2',
  '0 3 1,15 * 1-5',
  '0 3 * * */1',
  '0 0 29 2 mon',
  '0 3 1-31/1 * mon',
  '0 3 *,1 * mon',
  '0 3 * * mon-fri/2',
  '0 3 * * 1-fri',
  // Steps: `n/s` runs to the maximum; a step past the range; step 0.
  '5/15 * * * *',
  '0 1/5 * * *',
  '0 3 */40 * *',
  '0 3 1-5/2 * *',
  '*/0 * * * *',
  '0 3 1-10/0 * *',
  // `*` with a tail robfig ignores.
  '*-5 3 * * *',
  '*-5/2 3 * * *',
  '?-3 3 * * *',
  '0 3 * * *-1-2',
  // Signs and numbers Atoi reads.
  '+5 3 * * *',
  '0 3 * * +1',
  '*/+5 3 * * *',
  '-5 3 * * *',
  '*/-5 * * * *',
  '*/-0 * * * *',
  '99999999999999999999 * * * *',
  '*/99999999999999999999 3 * * *',
  '*/9223372036854775807 3 * * *',
  '*/9223372036854775808 3 * * *',
  '0x10 * * * *',
  '1_0 * * * *',
  // Empty list items (robfig drops them; a field of nothing never matches).
  '0,,30 3 * * *',
  ',0 3 * * *',
  '0 3 , * *',
  '0 3 * * ,',
  // Hyphens and slashes.
  '1-2-3 * * * *',
  '1/2/3 * * * *',
  '/5 * * * *',
  '5- * * * *',
  // Bounds.
  '60 * * * *',
  '0 24 * * *',
  '0 0 0 * *',
  '0 0 32 * *',
  '0 0 * 0 *',
  '0 0 * 13 *',
  // Dates that never come, or once in four years.
  '0 0 30 2 *',
  '0 0 31 4,6,9,11 *',
  '0 0 29 2 *',
  // Time zones (Velero's parser takes them; labctl's schedule is UTC).
  'TZ=UTC 0 3 * * *',
  'CRON_TZ=Europe/Berlin 0 3 * * *',
  'TZ=Nowhere/Bogus 0 3 * * *',
  'TZ=UTC',
  // White space robfig splits on that the schema does not allow.
  '0\t3 * * *',
];

/** Bounded, seeded: the same few hundred expressions on every run (mulberry32). */
function generated(count: number, seed = 20261130): string[] {
  let s = seed;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const NAMES: Record<number, string[]> = {
    3: ['jan', 'FEB', 'Mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
    4: ['sun', 'MON', 'Tue', 'wed', 'thu', 'fri', 'sat'],
  };
  const BOUNDS = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
  ] as const;
  const value = (f: number) => {
    const [lo, hi] = BOUNDS[f]!;
    const r = rand();
    if (r < 0.08) return pick([String(lo - 1), String(hi + 1), '7', 'L', '5W', '1#3', '+2']);
    if (r < 0.25 && NAMES[f]) return pick(NAMES[f]!);
    return String(int(lo, hi));
  };
  const atom = (f: number): string => {
    const r = rand();
    if (r < 0.2) return '*';
    if (r < 0.24) return '?';
    if (r < 0.4) return `${pick(['*', '?', value(f)])}/${pick(['0', '1', '2', '3', '5', '7', '15', '40'])}`;
    if (r < 0.6) return `${value(f)}-${value(f)}${rand() < 0.3 ? `/${int(1, 6)}` : ''}`;
    return value(f);
  };
  const field = (f: number) => {
    // Minutes as a single value mostly: a dense minute field makes the Go walk long (robfig's Next takes ~2 us
    // a run), not more telling (the day rule is where parsers differ; every minute of January is hand-picked).
    if (f === 0 && rand() < 0.85) return String(int(0, 59));
    const n = rand() < 0.7 ? 1 : int(2, 3);
    const items = Array.from({ length: n }, () => atom(f));
    if (rand() < 0.03) items.push('');
    return items.join(',');
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (rand() < 0.05) {
      out.push(`@every ${pick(['', '0', '1', '2', '30', '90'])}${pick(['h', 'm', 's', '', 'ms', '.5h'])}`);
      continue;
    }
    const n = rand() < 0.05 ? pick([4, 6]) : 5;
    out.push(Array.from({ length: n }, (_, f) => field(Math.min(f, 4))).join(' '));
  }
  return out;
}

/** The reasons labctl refuses a schedule Velero's parser accepts: the short named list. */
/**
 * Deliberate refusals checked before the parser runs, so they also answer for some expressions it refuses:
 * the schema's pattern (the empty schedule) and a time zone prefix (whatever follows it). Any other refusal
 * of an expression the parser refuses must be the parser's reason, not labctl's ("at most once a year").
 */
const PARSER_FIRST: RegExp[] = [/outside the inventory schema's pattern/, /a TZ= or CRON_TZ= prefix/];

const ON_PURPOSE: { why: string; re: RegExp }[] = [
  { why: 'a time zone prefix (the schedule is UTC)', re: /a TZ= or CRON_TZ= prefix/ },
  { why: '@every other than whole h, m and s', re: /takes whole hours, minutes and seconds after @every/ },
  { why: '@every of zero (robfig makes it a second)', re: /an interval of zero/ },
  { why: '`*-n`: robfig ignores the tail', re: /ignores what follows/ },
  { why: 'a number with a sign', re: /without a sign/ },
  { why: 'an empty list item', re: /has an empty list item/ },
  { why: 'never runs', re: /it never runs/ },
  { why: 'runs at most once a year (no interval for the alert)', re: /at most once a year/ },
  { why: "a character outside the schema's pattern (a tab)", re: /outside the inventory schema's pattern/ },
];

interface Robfig {
  expr: string;
  ok: boolean;
  error?: string;
  runs: number[] | null;
  gap: number;
}

// backup.velero.ttl, a metav1.Duration that Velero reads with the same time.ParseDuration as @every: run by the
// parser as "@every <ttl>" (its refusal there is ParseDuration's), each matching the schema's ttl pattern.
const TTLS = [
  '720h',
  '8760h',
  '2562047h',
  '2562047h47m16s',
  '2562047h47m17s',
  '2562048h',
  '9223372036s',
  '9223372037s',
  '153722868m',
  '9999999999999h',
  '1h99999999999999999999s',
];

const HAND = [...ORDINARY, ...DESCRIPTORS, ...INTERVALS, ...TRICKY, ...TTLS.map((t) => `@every ${t}`)];
const GENERATED = generated(400);
const CORPUS = [...new Set([...HAND, ...GENERATED])];

let robfig: Map<string, Robfig>;
beforeAll(async () => {
  // Never skipped: without Go or the module proxy the build fails and so does every test here.
  const b = await exec('bash', ['.ci/velero-cron.sh']);
  if (b.code !== 0)
    throw new Error(`.ci/velero-cron.sh could not build Velero's cron parser (test/velero-cron): ${b.stderr}`);
  const r = await exec(b.stdout.trim(), [], `${CORPUS.join('\n')}\n`);
  if (r.code !== 0) throw new Error(`test/velero-cron failed (${r.code}): ${r.stderr}`);
  robfig = new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Robfig)
      .map((x) => [x.expr, x]),
  );
}, 300_000);

describe("Velero's schedule parser (robfig/cron v3, real) and labctl agree", () => {
  it('the corpus reaches the parser whole, and holds accepted and refused expressions of every kind', () => {
    expect(robfig.size).toBe(CORPUS.length);
    const accepted = CORPUS.filter((e) => robfig.get(e)!.ok);
    expect(accepted.length).toBeGreaterThan(150);
    expect(CORPUS.length - accepted.length).toBeGreaterThan(100);
    // A parser that is not robfig's would not refuse these (croner, Quartz) or accept these.
    for (const e of ['0 3 L * *', '0 3 * * 7', '0 3 * * 5-1', '0 0 3 * * *', '0 3 * * 1#2'])
      expect(robfig.get(e)!.ok, e).toBe(false);
    for (const e of ['0 3 ? * mon', '*-5 3 * * *', '0,,30 3 * * *', 'TZ=UTC 0 3 * * *', '@every 500ms'])
      expect(robfig.get(e)!.ok, e).toBe(true);
  });

  it('labctl accepts exactly what the parser accepts, except for the named reasons; same first 8 runs, same longest gap', () => {
    const wrong: string[] = [];
    const onPurpose = new Map<string, string[]>();
    for (const expr of CORPUS) {
      const go = robfig.get(expr)!;
      const ours = verdict(expr);
      const q = JSON.stringify(expr);
      if (!go.ok) {
        if (!('error' in ours)) wrong.push(`${q}: labctl accepts it, Velero's parser refuses it: ${go.error}`);
        // Refused as the parser refuses it, not for a reason of labctl's own ("at most once a year").
        else if (ours.deliberate && !PARSER_FIRST.some((r) => r.test(ours.error)))
          wrong.push(`${q}: labctl refuses it on purpose (${ours.error}), but Velero's parser refuses it: ${go.error}`);
        continue;
      }
      if ('error' in ours) {
        const reason = ON_PURPOSE.find((r) => r.re.test(ours.error));
        if (!ours.deliberate || !reason)
          wrong.push(`${q}: labctl refuses it (${ours.error}), Velero's parser accepts it (gap ${go.gap}s)`);
        else onPurpose.set(reason.why, [...(onPurpose.get(reason.why) ?? []), expr]);
        continue;
      }
      if (ours.seconds !== go.gap) wrong.push(`${q}: labctl's longest gap ${ours.seconds}s, robfig's ${go.gap}s`);
      const p = parseVeleroSchedule(expr);
      if (!('schedule' in p)) throw new Error(`${q}: accepted yet not parsed`);
      const runs: number[] = [];
      for (let t = GAP_WINDOW.startMs, i = 0; i < 8; i++) {
        const n = nextRun(p.schedule, t);
        if (n === undefined) break;
        runs.push(n / 1000);
        t = n;
      }
      if (JSON.stringify(runs) !== JSON.stringify(go.runs ?? []))
        wrong.push(`${q}: labctl's first runs ${runs.join(',')}, robfig's ${(go.runs ?? []).join(',')}`);
    }
    expect(wrong, `${wrong.length} of ${CORPUS.length} expressions disagree:\n${wrong.join('\n')}`).toEqual([]);
    // Each named reason is a real narrowing: some expression Velero accepts is refused for it.
    expect(
      ON_PURPOSE.filter((r) => !onPurpose.has(r.why)).map((r) => r.why),
      'reasons no accepted expression needs',
    ).toEqual([]);
  });

  it('generated expressions agree too, and are not all refused', () => {
    const both = GENERATED.filter((e) => robfig.get(e)!.ok && !('error' in verdict(e)));
    expect(both.length).toBeGreaterThan(100);
    // Day-of-month and day-of-week together, both restricted (robfig: either) and one starred (both).
    expect(both.filter((e) => /^\S+ \S+ [^*?\s]\S* \S+ [^*?\s]\S*$/.test(e)).length).toBeGreaterThan(10);
  });
});

describe('each refusal says why', () => {
  it.each([
    ['0 3 L * *', /Velero's parser \(robfig\/cron\) does not accept "L" in the day of month \(it has no L, W or #\)/],
    ['0 3 * * 1#2', /does not accept "1#2" in the day of week \(it has no L, W or #\)/],
    ['0 3 * * 1-7', /does not accept day of week 7 in "1-7": outside 0-6 \(7 is not Sunday there: write 0 or sun\)/],
    ['0 3 * * 5-1', /the day of week range "5-1": it runs backwards \(no wrap-around/],
    ['0 0 3 * * *', /does not accept 6 fields: it takes exactly 5 .*no seconds or year field/],
    ['@DAILY', /does not accept "@DAILY": its descriptors are @yearly, .* in lower case/],
    ['@every 90', /does not accept "@every 90": not a Go duration/],
    ['*/0 * * * *', /does not accept the step 0 in the minute "\*\/0"/],
    ['TZ=UTC 0 3 * * *', /a TZ= or CRON_TZ= prefix: labctl writes schedules in UTC/],
    ['0 0 30 2 *', /it never runs/],
    ['@every 9223372037s', /does not accept "@every 9223372037s": the interval overflows Go's duration/],
  ])('%s', (expr, why) => {
    const r = veleroScheduleGap(expr);
    expect('error' in r && r.error).toMatch(why);
  });
});

describe('a long schedule', () => {
  it('over 256 characters is refused before parsing (an @every of 30,000 digits took 1.6 CPU-s in validate), and validate quotes it cut', () => {
    expect(parseVeleroSchedule(`@every ${'1'.repeat(30_000)}x`)).toEqual({
      error: '30008 characters long: a schedule is at most 256',
      deliberate: true,
    });
    expect(parseVeleroSchedule(`@every ${'1'.repeat(240)}x`)).toMatchObject({ deliberate: false });
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    lines[lines.indexOf('    schedule: "0 3 * * *"')] = `    schedule: "@every ${'1'.repeat(30_000)}x"`;
    const dir = mkdtempSync(join(tmpdir(), 'velero-cron-long-'));
    try {
      writeFileSync(join(dir, 'inventory.yaml'), lines.join('\n'));
      const r = requireSite(join(dir, 'inventory.yaml'));
      const errors = 'errors' in r ? r.errors : [];
      const mine = errors.filter((e) => e.path === 'backup.velero.schedule');
      expect(mine.length, JSON.stringify(errors).slice(0, 500)).toBeGreaterThan(0);
      for (const e of mine) expect(e.message.length).toBeLessThan(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('advice on the schedule and the ttl (new-user trial)', () => {
  /** validate of the example with its Velero schedule and ttl lines replaced (in-process). */
  const check = (schedule: string, ttl = '720h') => {
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace('    schedule: "0 3 * * *"', `    schedule: ${schedule}`)
      .replace('    ttl: 720h', `    ttl: ${ttl}`);
    const dir = mkdtempSync(join(tmpdir(), 'velero-advice-'));
    try {
      writeFileSync(join(dir, 'inventory.yaml'), text);
      const r = requireSite(join(dir, 'inventory.yaml'));
      return 'errors' in r ? { errors: r.errors, warnings: [] } : { errors: [], warnings: r.warnings };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('an unquoted value YAML reads as syntax: one error for its line, and the hint quotes it', () => {
    for (const [value, hint] of [
      ['*/30 * * * *', 'a value starting with * must be quoted in YAML: schedule: "*/30 * * * *"'],
      ['@daily', 'a value starting with @ must be quoted in YAML: schedule: "@daily"'],
    ]) {
      const { errors } = check(value!);
      expect(errors.map((e) => e.hint)).toEqual([hint]);
    }
  });

  it('a ttl that is no Go duration says what one is; a ttl shorter than the interval and a schedule under 15 minutes warn', () => {
    expect(check('"0 3 * * *"', '30d').errors.map((e) => e.message)).toEqual([
      '"30d" is not a duration in hours, minutes and seconds like 720h (30 days) or 1h30m (there is no d unit)',
    ]);
    const weekly = check('"0 2 * * 0"', '24h');
    expect(weekly.errors).toEqual([]);
    expect(weekly.warnings.map((w) => [w.path, w.hint])).toContainEqual([
      'backup.velero.ttl',
      'keep backups at least two intervals, e.g. ttl: 336h',
    ]);
    expect(check('"@every 30s"').warnings.map((w) => w.path)).toContain('backup.velero.schedule');
    expect(check('"@every 6h"', '12h').warnings.filter((w) => w.path.startsWith('backup.velero'))).toEqual([]);
  });

  it("a ttl is refused exactly when Go's time.ParseDuration (the real parser) refuses it: past 64-bit nanoseconds (attacker trial: 9999999999999h validated, Velero cannot decode the Schedule)", () => {
    const ttlPattern = new RegExp(
      JSON.parse(readFileSync(join(ROOT, 'inventory.schema.json'), 'utf8')).properties.backup.properties.velero
        .properties.ttl.pattern,
    );
    const refusedByGo = TTLS.filter((t) => !robfig.get(`@every ${t}`)!.ok);
    expect(refusedByGo.length).toBeGreaterThanOrEqual(6);
    for (const t of TTLS) {
      expect(ttlPattern.test(t), t).toBe(true);
      const errors = check('"0 3 * * *"', t).errors.filter((e) => e.path === 'backup.velero.ttl');
      expect(errors.length, `${t}: ${robfig.get(`@every ${t}`)!.error ?? 'accepted by ParseDuration'}`).toBe(
        refusedByGo.includes(t) ? 1 : 0,
      );
    }
  });
});

describe('a refused schedule through the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'velero-cron-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("labctl render refuses day of week 7 at the schedule's file:line:col, saying why, and writes nothing", async () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const at = lines.indexOf('    schedule: "0 3 * * *"');
    expect(at).toBeGreaterThan(0);
    lines[at] = '    schedule: "0 3 * * 7"';
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, lines.join('\n'));
    const out = join(dir, 'site');
    const r = await labctl(['render', '-i', inv, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${inv}:${at + 1}:15 backup.velero.schedule: "0 3 * * 7" is not a schedule Velero runs: Velero's parser (robfig/cron) does not accept day of week 7: outside 0-6 (7 is not Sunday there: write 0 or sun); Velero would mark the Schedule FailedValidation and take no backup`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('labctl validate names an @every past Go\'s 64-bit duration as refused by the parser (attacker trial: it said "at most once a year")', async () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const at = lines.indexOf('    schedule: "0 3 * * *"');
    lines[at] = '    schedule: "@every 9223372037s"';
    const inv = join(dir, 'overflow.yaml');
    writeFileSync(inv, lines.join('\n'));
    const r = await labctl(['validate', inv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${inv}:${at + 1}:15 backup.velero.schedule: "@every 9223372037s" is not a schedule Velero runs: Velero's parser (robfig/cron) does not accept "@every 9223372037s": the interval overflows Go's duration`,
    );
    expect(r.stderr).not.toContain('once a year');
  });

  it("labctl validate refuses a ttl past Go's 64-bit duration at its file:line:col", async () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const at = lines.indexOf('    ttl: 720h');
    lines[at] = '    ttl: 9999999999999h';
    const inv = join(dir, 'ttl-overflow.yaml');
    writeFileSync(inv, lines.join('\n'));
    const r = await labctl(['validate', inv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${inv}:${at + 1}:10 backup.velero.ttl: "9999999999999h" overflows Go's duration (64-bit nanoseconds, at most 2562047h47m16s, about 292 years)`,
    );
  });
});
