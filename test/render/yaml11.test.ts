// Every YAML file labctl renders is read by Helm, ArgoCD or the Kubernetes API machinery with YAML 1.1
// (go-yaml v2 via sigs.k8s.io/yaml). This test reads EVERY file of every golden tree, a site whose names
// are YAML 1.1 booleans, and the lab chart's real helm output with a real YAML 1.1 reader (test/yaml11, Go,
// sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2, built by .ci/yaml11.sh) and with labctl's YAML 1.2
// reader (`yaml`), and requires the same data from both.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import { toYaml } from '../../installer/render/yaml.ts';
import { yaml11Ambiguous, yaml11Diagnostics } from '../../installer/core/yaml11.ts';
import { ROOT, fixture } from '../helpers.ts';
import { VALID, siteValuesFile, template } from '../labs/helpers.ts';

const exec = (cmd: string, args: string[], cwd = ROOT) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 300_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });

let reader: string;
let tmp: string;
beforeAll(async () => {
  const b = await exec('bash', ['.ci/yaml11.sh']);
  if (b.code !== 0) throw new Error(`.ci/yaml11.sh failed: ${b.stderr}`);
  reader = join(ROOT, b.stdout.trim());
  tmp = mkdtempSync(join(tmpdir(), 'yaml11-'));
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Read = { docs?: unknown[]; error?: string };

/** The YAML 1.1 reader over many files at once (one process per 200 files). */
async function read11(files: string[]): Promise<Map<string, Read>> {
  const out = new Map<string, Read>();
  for (let i = 0; i < files.length; i += 200) {
    const r = await exec(reader, files.slice(i, i + 200));
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const { file, docs, error } = JSON.parse(line) as { file: string; docs?: unknown[]; error?: string };
      out.set(file, error ? { error } : { docs: docs ?? [] });
    }
  }
  return out;
}

/** labctl's YAML 1.2 reader, to JSON data like sigs.k8s.io/yaml gives. */
function read12(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS({ maxAliasCount: -1 }))
    .filter((d) => d !== null && d !== undefined)
    .map((d) => JSON.parse(JSON.stringify(d)));
}

/** The first place two JSON values differ, as "path: 1.2 value vs 1.1 value"; undefined when equal. */
function firstDiff(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (
    typeof a !== typeof b ||
    a === null ||
    b === null ||
    typeof a !== 'object' ||
    Array.isArray(a) !== Array.isArray(b)
  ) {
    return `${path || '/'}: YAML 1.2 reads ${JSON.stringify(a)}, YAML 1.1 reads ${JSON.stringify(b)}`;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  for (const k of new Set([...ka, ...kb])) {
    if (!ka.includes(k) || !kb.includes(k))
      return `${path}/${k}: key only in YAML ${ka.includes(k) ? '1.2' : '1.1'} (1.1 keys: ${kb.filter((x) => !ka.includes(x)).join(', ')})`;
    const d = firstDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Every disagreement between the two readers over the given files, as "file doc#: diff". */
async function disagreements(files: string[], base: string): Promise<string[]> {
  const r11 = await read11(files);
  const out: string[] = [];
  for (const f of files) {
    const name = relative(base, f);
    const got = r11.get(f);
    if (!got) {
      out.push(`${name}: the YAML 1.1 reader gave no answer`);
      continue;
    }
    if (got.error) {
      out.push(`${name}: the YAML 1.1 reader refuses it: ${got.error}`);
      continue;
    }
    const want = read12(readFileSync(f, 'utf8'));
    if (want.length !== got.docs!.length) {
      out.push(`${name}: ${want.length} documents in YAML 1.2, ${got.docs!.length} in YAML 1.1`);
      continue;
    }
    want.forEach((w, i) => {
      const d = firstDiff(w, got.docs![i]);
      if (d) out.push(`${name} doc ${i}: ${d}`);
    });
  }
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const YAML_EXT = new Set(['.yaml', '.yml', '.json']);
// Files that are not YAML (text rendered by handlebars, Helm templates, zone files). A new extension in a
// golden tree fails the test until it is classified here, so no YAML file escapes the comparison.
const NOT_YAML_EXT = new Set(['.md', '.conf', '.zone', '.tpl', '.helmignore']);
const kind = (f: string) => (/\/charts\/[^/]+\/templates\//.test(f) ? 'helm-template' : extname(f) || basename(f));
// A chart's templates/ are Go templates, not YAML; their output is read below (the lab chart through real helm).
const isYaml = (f: string) => kind(f) !== 'helm-template' && YAML_EXT.has(kind(f));

async function renderTo(inventory: string, dir: string): Promise<void> {
  const v = requireSite(inventory);
  if ('errors' in v) throw new Error(JSON.stringify(v.errors));
  const r = await renderSite(v.site, readRenderInputs(v.site));
  for (const [p, c] of r.files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
}

describe('rendered YAML reads the same with YAML 1.1 (Helm, ArgoCD, Kubernetes) as with YAML 1.2 (labctl)', () => {
  const goldens = readdirSync(join(ROOT, 'test/golden')).sort();

  it('there are golden trees to read', () => expect(goldens.length).toBeGreaterThanOrEqual(3));

  it.each(goldens)(
    'every file of test/golden/%s',
    async (name) => {
      const dir = join(ROOT, 'test/golden', name);
      const files = listFiles(dir);
      const unknown = files.filter(
        (f) => kind(f) !== 'helm-template' && !YAML_EXT.has(kind(f)) && !NOT_YAML_EXT.has(kind(f)),
      );
      expect(
        unknown.map((f) => relative(dir, f)),
        'classify these extensions as YAML or not',
      ).toEqual([]);
      const yamls = files.filter(isYaml);
      expect(yamls.length).toBeGreaterThan(50);
      expect(await disagreements(yamls, dir)).toEqual([]);
    },
    120_000,
  );

  it('a site whose node, rack, subnet, router, pool, course and admin are named no/yes/on/off/y/n keeps them strings', async () => {
    const dir = join(tmp, 'names');
    await renderTo(fixture('inventory/valid/yaml11-names.yaml'), dir);
    const yamls = listFiles(dir).filter(isYaml);
    expect(await disagreements(yamls, dir)).toEqual([]);
    // The names really reach the output (else the comparison above proves nothing about them).
    const all = yamls.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const n of ['"no"', '"on"', '"yes"', '"off"']) expect(all).toContain(n);
  }, 120_000);

  it('the same site written by a plain YAML 1.2 writer (the writer before this fix) is read differently: the test can fail', async () => {
    const dir = join(tmp, 'names-plain');
    await renderTo(fixture('inventory/valid/yaml11-names.yaml'), dir);
    const yamls = listFiles(dir).filter(isYaml);
    for (const f of yamls)
      writeFileSync(
        f,
        read12(readFileSync(f, 'utf8'))
          .map((d) => stringify(d, { lineWidth: 0 }))
          .join('---\n'),
      );
    const bad = await disagreements(yamls, dir);
    expect(bad.length).toBeGreaterThan(5);
    expect(bad.join('\n')).toMatch(/YAML 1\.2 reads "no", YAML 1\.1 reads false/);
  }, 120_000);

  it('the lab chart output (real helm) for every lab fixture, and a lab of courses and students named on/no/yes/off', async () => {
    const site = siteValuesFile(tmp);
    const cases: [string, string[]][] = [
      ['firewalls', [join(VALID, 'netsec/firewalls.yaml')]],
      ['scanning', [join(VALID, 'netsec/roster.yaml'), join(VALID, 'netsec/scanning.yaml')]],
      ['shell', [join(VALID, 'os101/shell.yaml')]],
      ['no', [fixture('yaml11/labs/on/no.yaml')]],
    ];
    const files: string[] = [];
    for (const [release, values] of cases) {
      const objs = await template(release, `course-x-${release}`, [site, ...values]);
      expect(objs.length).toBeGreaterThan(3);
      // template() parses with YAML 1.2; the raw text is what the API server gets: render again to a file.
      const r = await exec('helm', [
        'template',
        release,
        join(ROOT, 'charts/vm-lab'),
        '--namespace',
        `course-x-${release}`,
        '-f',
        site,
        ...values.flatMap((v) => ['-f', v]),
      ]);
      expect(r.code, r.stderr).toBe(0);
      const f = join(tmp, `lab-${release}.yaml`);
      writeFileSync(f, r.stdout);
      files.push(f);
    }
    expect(await disagreements(files, tmp)).toEqual([]);
  }, 300_000);
});

describe('the writer quotes every string a YAML 1.1 reader would take for another type', () => {
  // What go-yaml v2 (sigs.k8s.io/yaml) resolves to a non-string, with the value it gets (REFUSED: a float
  // JSON cannot hold, so sigs.k8s.io/yaml fails the whole document).
  const REFUSED = Symbol('refused');
  const GO_YAML_V2: [string, unknown][] = [
    ['no', false],
    ['No', false],
    ['NO', false],
    ['n', false],
    ['N', false],
    ['off', false],
    ['OFF', false],
    ['yes', true],
    ['Yes', true],
    ['y', true],
    ['Y', true],
    ['on', true],
    ['On', true],
    ['ON', true],
    ['0777', 511],
    ['0o17', 15],
    ['0x1F', 31],
    ['0b101', 5],
    ['1_000', 1000],
    // go-yaml v2 removes every _ before it parses a number (attacker trial: these passed labs validate).
    ['0_x10', 16],
    ['-0_x1f', -31],
    ['0_b1', 1],
    ['0_o7', 7],
    ['1e_3', 1000],
    ['1e3_', 1000],
    ['1.5e_3', 1500],
    ['+12', 12],
    ['1e3', 1000],
    ['.5', 0.5],
    ['.inf', REFUSED],
    ['-.Inf', REFUSED],
    ['.NaN', REFUSED],
    ['~', null],
    ['null', null],
    ['NULL', null],
  ];
  // Quoted too because the YAML 1.1 spec (PyYAML, Ruby) reads them as numbers or dates, though go-yaml v2 does not.
  const SPEC_ONLY = ['1:20', '190:20:30.15', '2001-12-14', '2001-12-14 21:59:43.10 -5', 'nO', 'oN'];
  // Not ambiguous: stay plain (the golden trees are full of them).
  const PLAIN = [
    'node1',
    'none',
    'yesterday',
    '10.30.0.1',
    '1.29.3',
    'v1.2',
    '10.30.0.0/24',
    '4Gi',
    'nginx',
    'true-ish',
    '12:00-13:00',
  ];

  // Of those, the ones a plain YAML 1.2 writer (`yaml` as it was used before) leaves bare: the 1.2 core
  // schema already quotes the octal/hex/float/null spellings it shares with 1.1.
  const LOST_BY_PLAIN_WRITER = new Set([
    'no',
    'No',
    'NO',
    'n',
    'N',
    'off',
    'OFF',
    'yes',
    'Yes',
    'y',
    'Y',
    'on',
    'On',
    'ON',
    '0b101',
    '1_000',
    '0_x10',
    '-0_x1f',
    '0_b1',
    '0_o7',
    '1e_3',
    '1e3_',
    '1.5e_3',
  ]);

  it.each(GO_YAML_V2)('%s: ours keeps it a string for go-yaml v2 (which reads it as %s)', async (s, v11) => {
    const plain = join(tmp, 'plain.yaml');
    const ours = join(tmp, 'ours.yaml');
    writeFileSync(plain, stringify({ k: s, [s]: 'as a key' }));
    writeFileSync(ours, toYaml({ k: s, [s]: 'as a key', list: [s] }));
    const lost = await disagreements([plain], tmp);
    if (LOST_BY_PLAIN_WRITER.has(s))
      expect(lost).toEqual([
        `plain.yaml doc 0: /k: YAML 1.2 reads ${JSON.stringify(s)}, YAML 1.1 reads ${JSON.stringify(v11)}`,
      ]);
    else expect(lost).toEqual([]);
    expect(await disagreements([ours], tmp)).toEqual([]);
    // The reader really resolves the bare spelling as go-yaml v2 does (so the comparison above can fail).
    const bare = join(tmp, 'bare.yaml');
    writeFileSync(bare, `k: ${s}\n`);
    const got = (await read11([bare])).get(bare);
    if (v11 === REFUSED) expect(got?.error).toMatch(/json: unsupported value: [-+]?(Inf|NaN)/);
    else expect(got).toEqual({ docs: [{ k: v11 }] });
  });

  it.each(SPEC_ONLY)('%s is quoted', (s) => {
    expect(yaml11Ambiguous(s)).toBe(true);
    expect(toYaml({ k: s })).toBe(`k: "${s}"\n`);
  });

  it.each(PLAIN)('%s stays plain', (s) => {
    expect(yaml11Ambiguous(s)).toBe(false);
    expect(toYaml({ k: s })).toBe(`k: ${s}\n`);
  });
});

describe('generated strings: whatever a value looks like, both readers get the same string back', () => {
  it('2000 strings built from number-, bool-, date- and null-like pieces, as keys and values, in one file', async () => {
    // A fixed linear congruential generator: the same strings every run, no dependency.
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = [
      '0',
      '1',
      '7',
      '9',
      '0x',
      '0o',
      '0b',
      '_',
      '.',
      ':',
      '-',
      '+',
      'e',
      'E',
      'inf',
      'nan',
      'Inf',
      'y',
      'Y',
      'n',
      'N',
      'yes',
      'no',
      'on',
      'off',
      'true',
      'False',
      'null',
      '~',
      'T',
      ' ',
      '2026',
      '12',
      '<<',
      'a',
      '/',
      '@',
    ];
    const strings = [
      ...new Set(
        Array.from({ length: 2000 }, () =>
          Array.from({ length: 1 + rnd(4) }, () => pieces[rnd(pieces.length)]).join(''),
        ),
      ),
    ];
    const obj = Object.fromEntries(strings.map((x, i) => [`k${i}`, x]));
    const keys = Object.fromEntries(strings.map((x) => [x, 1]));
    const f = join(tmp, 'generated.yaml');
    writeFileSync(f, toYaml({ values: obj, keys }));
    expect(await disagreements([f], tmp)).toEqual([]);
    // And the plain 1.2 writer does lose some of them (the generator reaches the ambiguous cases).
    writeFileSync(f, stringify({ values: obj, keys }));
    expect((await disagreements([f], tmp)).length).toBeGreaterThan(0);
  });
});

describe('a hand-written file (lab files, rosters): what to quote for Helm', () => {
  // New-user trial: `title: !!str yes` was told to be quoted, though the tag already makes it a string to both.
  it('an explicit !!str makes a string to both readers, and yaml11Diagnostics asks to quote only the untagged ones', async () => {
    const text = 'a: !!str yes\nb: !!str 0777\nc: [!!str on, off]\nd: yes\n';
    const f = join(tmp, 'tagged.yaml');
    writeFileSync(f, text);
    expect((await read11([f])).get(f)).toEqual({ docs: [{ a: 'yes', b: '0777', c: ['on', false], d: true }] });
    expect(yaml11Diagnostics('tagged.yaml', text, 'Helm').map((d) => `${d.path} ${d.message.split(' ')[0]}`)).toEqual([
      'c[1] off',
      'd yes',
    ]);
  });

  // Attacker trial: a merge key was said to be "read as a number or date by Helm".
  it('a merge key (<<) is said to be one', () => {
    const [d] = yaml11Diagnostics('merge.yaml', 'base: &b {a: 1}\nlab:\n  <<: *b\n', 'Helm');
    expect(d?.message).toBe(
      '<< is read as a string here but as a merge key (the mapping it names is merged into this one) by Helm (YAML 1.1); write it quoted: "<<"',
    );
  });
});
