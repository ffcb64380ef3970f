import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, fixture, labctl } from './helpers.ts';

describe('labctl validate (CLI)', () => {
  it('accepts the bundled example inventory with exit 0', async () => {
    const r = await labctl(['validate', EXAMPLE]);
    // Warnings may appear (e.g. the on-call horizon nearing its end as the calendar moves on); errors may not.
    expect(r.stderr).not.toMatch(/^\S+:\d+:\d+ (?!.*warning:)/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(12 nodes in 3 racks/);
  });

  it('reports a missing file as a usage error (exit 2, as its --help says) with no stack trace', async () => {
    const r = await labctl(['validate', 'does-not-exist.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('labctl: does-not-exist.yaml: no such file');
    expect(r.stderr).toContain('(run labctl validate --help for usage)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await labctl(['validate', '--help'])).stdout.replace(/\s+/g, ' ')).toContain(
      'exit 0 valid, 1 invalid, 2 usage',
    );
    // The default file, inventory.yaml in the current folder, is the same case.
    expect((await labctl(['validate'], { cwd: '/' })).code).toBe(2);
  });

  it('a folder where the inventory file belongs (validate labs, validate SITE, render -i SITE) is a usage error naming the file in it', async () => {
    // It said "labs:1:1 is a directory, expected a YAML file", exit 1, as if the inventory were wrong.
    const d = mkdtempSync(join(tmpdir(), 'labctl-folder-as-inventory-'));
    try {
      mkdirSync(join(d, 'site/labs'), { recursive: true });
      writeFileSync(join(d, 'site/inventory.yaml'), readFileSync(EXAMPLE, 'utf8'));
      for (const args of [
        ['validate', 'site'],
        ['render', '-i', 'site'],
      ]) {
        const r = await labctl(args, { cwd: d });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain('labctl: site is a folder: name the inventory in it, site/inventory.yaml\n');
      }
      const labs = await labctl(['validate', 'labs'], { cwd: join(d, 'site') });
      expect(labs.code).toBe(2);
      expect(labs.stderr).toContain(
        'labctl: labs is a folder, not an inventory file (inventory.yaml in the site repository; labctl init writes one)\n',
      );
      expect(labs.stderr).not.toContain('labs:1:1');
      expect((await labctl(['validate', 'site/inventory.yaml'], { cwd: d })).code).toBe(0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('counts in words that agree with the number (1 rack, 1 BGP router, 1 pool)', async () => {
    const r = await labctl(['validate', fixture('inventory/valid/single-rack.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid \(\d+ nodes in 1 rack, 1 BGP router, 1 pool[,)]/);
  });

  it('exits 2 on a usage error', async () => {
    expect((await labctl(['validate', '--output', 'xml', EXAMPLE])).code).toBe(2);
    expect((await labctl(['no-such-command'])).code).toBe(2);
  });

  it('prints JSON with --output json', async () => {
    const r = await labctl(['validate', EXAMPLE, '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.valid).toBe(true);
    expect(j.errors).toEqual([]);
  });
});

// "did you mean" only for a likely typo (installer/core/near-name.ts): a name far from every valid one gets
// the list of valid names and no guess (the new-user trial saw `zzzzzzzz`: did you mean "timezone"?).
describe('labctl validate: a tls.mode without its section', () => {
  it('names the YAML to add under tls:, and that YAML, pasted there as written, validates', async () => {
    // It said only "tls.mode acme-dns01 needs tls.acme" (and "needs tls.rfc2136"): nothing said what goes in them.
    const d = mkdtempSync(join(tmpdir(), 'labctl-tls-mode-'));
    try {
      const disks = ['node1', 'node2', 'node3'].flatMap((n) => ['--disk', `${n}=/dev/disk/by-id/nvme-${n}`]);
      expect((await labctl(['init', '--yes', ...disks], { cwd: d })).code).toBe(0);
      const file = join(d, 'inventory.yaml');
      const text = readFileSync(file, 'utf8');
      // The mode switched by hand from the internal-ca init writes, its section removed.
      const switched = text
        .replace('mode: internal-ca', 'mode: acme-dns01')
        .replace(/\n {2}# OPTIONAL\. Site CA[\s\S]*?keyPairRef: [^\n]+/, '');
      expect(switched).not.toContain('internalCa');
      writeFileSync(file, switched);
      const r = await labctl(['validate'], { cwd: d });
      expect(r.code).toBe(1);
      const added = [...r.stderr.matchAll(/needs tls\.\w+ \(hint: add under tls: (.*) \(with your values; /g)].map(
        (m) => m[1]!,
      );
      expect(added.map((a) => a.split(':')[0])).toEqual(['acme', 'rfc2136']);
      writeFileSync(file, switched.replace(/^tls:\n/m, `tls:\n${added.map((a) => `  ${a}\n`).join('')}`));
      const ok = await labctl(['validate'], { cwd: d });
      expect(ok.stderr).not.toMatch(/^\S+:\d+:\d+ (?!.*warning:)/m);
      expect(ok.code).toBe(0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('labctl validate: did you mean', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-didyoumean-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withKey = async (key: string, rack = 'r1') => {
    const text = readFileSync(fixture('inventory/invalid/unknown-key.yaml'), 'utf8')
      .replace('  tiemzone: UTC\n', key ? `  ${key}: UTC\n` : '')
      .replace(/rack: r1\b/, `rack: ${rack}`);
    const file = join(dir, `${key}-${rack}.yaml`);
    writeFileSync(file, text);
    return labctl(['validate', file]);
  };

  it.each([
    ['tiemzone', 'timezone'],
    ['gitrepo', 'gitRepo'],
    ['nmae', 'name'],
  ])('a misspelled key (%s) is guessed (%s), with the valid keys', async (typed, meant) => {
    const r = await withKey(typed);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `site.${typed}: unknown key "${typed}"; expected one of: name, domain, timezone, gitRepo, gitRevision, gitBrowseUrl (hint: did you mean "${meant}"?)`,
    );
  });

  it.each(['zzzzzzzz', 'owner', 'x'])(
    'a key far from every valid one (%s) gets the valid keys and no guess',
    async (typed) => {
      const r = await withKey(typed);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `site\\.${typed}: unknown key "${typed}"; expected one of: name, domain, timezone, gitRepo, gitRevision, gitBrowseUrl\\n`,
        ),
      );
      expect(r.stderr).not.toContain('did you mean');
    },
  );

  it('a reference far from every name (rack "storage" among r1) lists the names, no guess; a near one is guessed', async () => {
    const far = await withKey('', 'storage');
    expect(far.stderr).toContain('"storage" is not a known rack (racks[].name); expected one of: r1\n');
    const near = await withKey('', 'r2');
    expect(near.stderr).toContain(
      '"r2" is not a known rack (racks[].name); expected one of: r1 (hint: did you mean "r1"?)',
    );
  });

  it('a node name written twice (a copied line) is that one error, not also too few Ceph failure domains', async () => {
    const text = readFileSync(fixture('inventory/invalid/unknown-key.yaml'), 'utf8')
      .replace('  tiemzone: UTC\n', '')
      .replace('{name: node2, rack: r1', '{name: node1, rack: r1');
    const file = join(dir, 'twice.yaml');
    writeFileSync(file, text);
    const r = await labctl(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('node name "node1" is already used by nodes[0].name');
    expect(r.stderr).not.toContain('failure domain');
    expect(r.stderr).toMatch(/: 1 error\(s\)\n$/);
  });

  it("a control-plane node's misspelled rack is that one error, not also a subnet mismatch with an empty subnet name", async () => {
    // node1 (a control plane) in rack "r2": its subnet comes from its rack, so it has none; it said
    // "control-plane node node2 is in subnet rack but other control-plane nodes are in ; the API VIP needs...".
    const r = await withKey('', 'r2');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('L2 segment');
    expect(r.stderr).toMatch(/: 1 error\(s\)\n$/);
  });
});

// New-user trial: an unquoted ": " in a value (title: Operating Systems: Intro) gave only the parser's words,
// "Nested mappings are not allowed in compact mappings" / "Block collections are not allowed within flow
// collections", which name neither the value nor the fix.
describe('labctl validate / labs validate: a ": " inside an unquoted value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-colon-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says to quote the value, with the quoted line, in a block and in a flow mapping; the quoted line validates', async () => {
    const base = readFileSync(EXAMPLE, 'utf8');
    const cases: [string, string, string][] = [
      [
        '    - {name: os101, title: Operating Systems, staff: [jdoe], backup: false}',
        '    - {name: os101, title: Operating Systems: Intro, staff: [jdoe], backup: false}',
        'Block collections are not allowed within flow collections (hint: a ": " inside a value starts a mapping in YAML; quote the value: title: "Operating Systems: Intro")',
      ],
      [
        '  gitBrowseUrl: https://git.example.edu/platform/cs-lab-site/-/blob/main\n',
        '  gitBrowseUrl: see: https://git.example.edu/platform/cs-lab-site/-/blob/main\n',
        'Nested mappings are not allowed in compact mappings (hint: a ": " inside a value starts a mapping in YAML; quote the value: gitBrowseUrl: "see: https://git.example.edu/platform/cs-lab-site/-/blob/main")',
      ],
    ];
    for (const [from, to, said] of cases) {
      expect(base, from).toContain(from);
      const file = join(dir, 'inventory.yaml');
      writeFileSync(file, base.replace(from, to));
      const r = await labctl(['validate', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`invalid YAML: ${said}\n`);
      // The line as the hint writes it parses.
      const quoted = /quote the value: (\w+: ".*")\)$/m.exec(r.stderr)![1]!;
      writeFileSync(
        file,
        base.replace(
          from,
          to.replace(/(\w+): ([^,{}\n]*?: [^,{}\n]*)(?=,|\n)/, () => quoted),
        ),
      );
      expect((await labctl(['validate', file])).stderr).not.toContain('invalid YAML');
    }
    const lab = join(dir, 'labs/os101/shell.yaml');
    mkdirSync(join(dir, 'labs/os101'), { recursive: true });
    writeFileSync(
      lab,
      'apiVersion: 1\ntitle: Shell: the basics\ncourse: os101\nimage: ubuntu-24.04\nsize: small\nstudents: [ada]\n',
    );
    const l = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', join(dir, 'labs')]);
    expect(l.stderr).toContain(
      'shell.yaml:2:8 invalid YAML: Nested mappings are not allowed in compact mappings (hint: a ": " inside a value starts a mapping in YAML; quote the value: title: "Shell: the basics")',
    );
  });
});

describe('labctl validate: a name, URL or address of the wrong form is said in words', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-pattern-words-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('site.name, site.gitRepo, an email, smtp.smarthost and a retention: never the regular expression', async () => {
    // New-user trial: site.name "CS_Lab" was 'not valid (pattern ^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$)'.
    const edits: [string, string, string][] = [
      ['  name: cs-lab\n', '  name: CS_Lab\n', '"CS_Lab" is not a site name: at most 40 lowercase letters'],
      [
        'gitRepo: https://git.example.edu/platform/cs-lab-site.git',
        'gitRepo: git.example.edu/platform/cs-lab-site',
        '"git.example.edu/platform/cs-lab-site" is not a Git URL like https://',
      ],
      ['email: jdoe@example.edu', 'email: jdoe', '"jdoe" is not an email address like jdoe@example.edu'],
      ['smarthost: smtp.example.edu:587', 'smarthost: smtp.example.edu', 'is not host:port like smtp.example.edu:587'],
      ['retention: 30d', 'retention: 30days', '"30days" is not a retention like 15d'],
    ];
    let text = readFileSync(EXAMPLE, 'utf8');
    for (const [from, to] of edits) {
      expect(text, from).toContain(from);
      text = text.replace(from, to);
    }
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, text);
    const r = await labctl(['validate', file]);
    expect(r.code).toBe(1);
    for (const [, , said] of edits) expect(r.stderr).toContain(said);
    expect(r.stderr).not.toContain('(pattern');
  });
});
