// Attack: course staff hide a key from `labs validate` behind a character that Helm's YAML 1.1 reader
// (go-yaml v2, as ArgoCD runs it) takes for a line break and labctl's YAML 1.2 reader does not: a lone CR,
// NEL (U+0085), LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029) ends a comment for Helm only, so
// `title: x # note<LS>staffGroup: course-netsec-students` is one comment for labs validate and a
// staffGroup for Helm. The hidden group is one labs validate refuses when it is visible: through the hidden
// line it got kubevirt.io:admin over the lab's VMs. labs validate (the real CLI, as the rendered CI runs it)
// must refuse the file at the character; real helm shows that the hidden key is what ArgoCD would render.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearLabs, helmApp, labText, put, siteRepo, validate, type SiteRepo } from './labs-helpers.ts';

const BREAKS: [string, string][] = [
  ['a lone CR', '\r'],
  ['NEL (U+0085)', '\u0085'],
  ['LINE SEPARATOR (U+2028)', '\u2028'],
  ['PARAGRAPH SEPARATOR (U+2029)', '\u2029'],
];
const HIDDEN = 'staffGroup: course-netsec-students';

let repo: SiteRepo;
beforeAll(async () => {
  repo = await siteRepo('yaml-breaks');
});
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

describe('attack: a key hidden behind a YAML 1.1-only line break', () => {
  it('the same staffGroup, visible, is refused by labs validate', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/grant.yaml', labText('netsec', HIDDEN));
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is the course's students group");
  });

  for (const [name, c] of BREAKS)
    it(`${name} after a comment: labs validate refuses the file at the character; helm reads the hidden staffGroup`, async () => {
      clearLabs(repo);
      const rel = 'labs/netsec/grant.yaml';
      const f = put(repo, rel, labText('netsec', `# lab notes${c}${HIDDEN}`));
      const r = await validate(repo);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${f}:7:12 `);
      expect(r.stderr).toContain('read it as a line break and labctl (YAML 1.2) does not');
      expect(r.stderr).not.toMatch(/[\r\u0085\u2028\u2029]/);
      // What ArgoCD would do with the file labs validate passed before: helm grants the hidden group
      // kubevirt.io:admin over the lab's VMs.
      const h = await helmApp(repo, rel);
      expect(h.code, h.stderr).toBe(0);
      const staff = h.objects.find((o) => o.kind === 'RoleBinding' && o.metadata?.name === 'staff-vms') as unknown as {
        subjects: { name: string }[];
      };
      expect(staff.subjects.map((s) => s.name)).toEqual(['oidc:course-netsec-students']);
    });

  it('CRLF line ends are fine', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/crlf.yaml', labText('netsec', '# written on Windows').replace(/\n/g, '\r\n'));
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(0);
  });
});

// Attack: a lab file that labs validate passed and Helm's reader refuses. ArgoCD's git files generator reads
// every lab file with the same reader (sigs.k8s.io/yaml over go-yaml v2), and one file it cannot read stops
// the labs ApplicationSet for every course: a green CI run let one course's staff freeze all labs.
/** [what, the lab file's text, where labs validate points: LINE:COL]. */
const UNREADABLE: [string, string, string][] = [
  ['a raw C1 control in the title', labText('netsec').replace('title: Attack', 'title: "Evil \u009b2J"'), '2:14'],
  ['a raw DEL in a comment', labText('netsec', '# notes \u007f'), '7:9'],
  [
    'the escape \\/ (JSON allows it, go-yaml v2 does not)',
    labText('netsec').replace('title: Attack', 'title: "a\\/b"'),
    '2:10',
  ],
  ['a lone surrogate escape', labText('netsec').replace('title: Attack', 'title: "a\\ud800"'), '2:10'],
  [
    'a tag: !!omap [{internet: true}] is an empty mapping for labctl and a list for Helm',
    labText('netsec', 'network: !!omap [{internet: true}]'),
    '7:17',
  ],
  ['a %TAG directive', `%TAG !e! tag:yaml.org,2002:\n---\n${labText('netsec')}`, '1:1'],
  ['a blank line holding a tab', labText('netsec', '\t'), '7:1'],
  ['a tab after a list dash', labText('netsec', '', 'students:\n  -\talice'), '7:4'],
  [
    'a byte order mark after the first comment (labctl skipped it, go-yaml keeps it in the key)',
    `# a lab\n\ufeff${labText('netsec')}`,
    '2:1',
  ],
  [
    "a key whose ':' is on the next line",
    labText('netsec').replace('image: ubuntu-24.04', 'image\n  : ubuntu-24.04'),
    '4:1',
  ],
  ['a flow key over two lines', labText('netsec', 'access: {"ss\\\n  h": true}'), '7:10'],
  [
    'a key !!str << (merged by labctl, a key named << for go-yaml v2)',
    labText('netsec', '!!str <<: {staffGroup: course-netsec-staff}'),
    '7:7',
  ],
];

describe('attack: a lab file labs validate passed and Helm cannot read', () => {
  for (const [name, text, at] of UNREADABLE)
    it(`${name}: labs validate refuses it, located; helm fails on it`, async () => {
      clearLabs(repo);
      const rel = 'labs/netsec/unreadable.yaml';
      const f = put(repo, rel, text);
      const r = await validate(repo);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${f}:${at} `);
      expect(r.stderr).not.toMatch(/[\x7f-\x9f]/);
      const h = await helmApp(repo, rel);
      expect(h.code, h.stdout).not.toBe(0);
    });

  it('the same characters written as escapes pass and Helm renders them; a tab inside a block scalar is text', async () => {
    clearLabs(repo);
    const rel = 'labs/netsec/escaped.yaml';
    const make = 'cloudInit:\n  files:\n    - path: /opt/Makefile\n      content: |\n        all:\n        \techo hi\n';
    put(repo, rel, labText('netsec', make).replace('title: Attack', 'title: "Evil \\x9b2J a/b"'));
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(0);
    const h = await helmApp(repo, rel);
    expect(h.code, h.stderr).toBe(0);
  });
});

describe("attack: a lab file that makes labs validate's own checks slow", () => {
  it('100,000 scalars and 100,000 "-<tab>" lines inside a block scalar: checked in seconds (one sweep, not a search per line)', async () => {
    clearLabs(repo);
    const n = 100_000;
    put(
      repo,
      'labs/netsec/slow.yaml',
      `${labText('netsec')}x: [${Array(n).fill('1').join(',')}]\ny: |\n${'  -\tx\n'.repeat(n)}`,
    );
    const t0 = Date.now();
    const r = await validate(repo);
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1); // x and y are unknown keys
    expect(r.stderr).toContain('x: unknown key');
    expect(took, `labs validate took ${took} ms`).toBeLessThan(20_000);
  }, 120_000);

  // The YAML library's own duplicate-key check compared each key with every earlier one: 60,000 keys, 35 s.
  it('a mapping of 60,000 keys (and one repeated at its end): the repeat is found, in seconds', async () => {
    clearLabs(repo);
    const n = 60_000;
    const keys = Array.from({ length: n }, (_, i) => `k${i}: 1`).join(', ');
    put(repo, 'labs/netsec/keys.yaml', `${labText('netsec')}c: {${keys}, k7: 2}\n`);
    const t0 = Date.now();
    const r = await validate(repo);
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('duplicate key "k7": each key may appear once in a mapping');
    expect(took, `labs validate took ${took} ms`).toBeLessThan(20_000);
  }, 120_000);

  // The repeat above stopped the read before the YAML 1.1 check, whose own parse still compared each key with every
  // earlier one (30,000 keys: 22 s, 60,000: past 80 s); and each unknown key was looked up through its whole
  // mapping, and each finding under one compared with every unknown key (60,000 keys holding yes: 82 s).
  it('a mapping of 60,000 keys without a repeat, and 60,000 unknown keys holding yes: in seconds', async () => {
    clearLabs(repo);
    const n = 60_000;
    const keys = Array.from({ length: n }, (_, i) => `k${i}: 1`).join(', ');
    put(repo, 'labs/netsec/keys.yaml', `${labText('netsec')}c: {${keys}}\n`);
    let t0 = Date.now();
    let r = await validate(repo);
    let took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('c: unknown key');
    expect(took, `labs validate took ${took} ms`).toBeLessThan(20_000);
    clearLabs(repo);
    put(
      repo,
      'labs/netsec/keys.yaml',
      `${labText('netsec')}${Array.from({ length: n }, (_, i) => `k${i}: yes\n`).join('')}`,
    );
    t0 = Date.now();
    r = await validate(repo);
    took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('k59999: unknown key');
    expect(r.stderr).not.toContain('write it quoted');
    expect(took, `labs validate took ${took} ms`).toBeLessThan(20_000);
  }, 300_000);
});
