// The image catalog: the shipped examples, the emitted JSON Schema, located errors for bad
// definitions, and every user-data checked by the real `cloud-init schema` (Debian's cloud-init 22.4).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataSourceRef, imageNames, listImages, loadImage } from '../../installer/images/catalog.ts';
import { checkUserData, cloudInitVersion, parseSchemaErrors } from '../../installer/images/cloud-init.ts';
import { IMAGE_SCHEMA_FILE, imageSchemaText } from '../../installer/images/emit-schema.ts';
import { ExitError } from '../../installer/core/diagnostics.ts';
import { labctl, ROOT, run } from '../helpers.ts';

const EXAMPLES = ['desktop-vnc', 'netlab', 'ubuntu-24.04'];
const tmp = mkdtempSync(join(tmpdir(), 'labctl-catalog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = {
  'image.yaml':
    [
      'apiVersion: 1',
      'name: demo',
      'version: "1.0"',
      'description: demo',
      'os: {family: ubuntu, release: "24.04"}',
      'base:',
      '  url: https://cloud-images.ubuntu.com/noble/20241106/noble-server-cloudimg-amd64.img',
      '  sha256: 5dc7f9c796442a51316d8431480fbe3f62cadbfde4d58a14d34dd987c01fd655',
      'defaultUser: ubuntu',
      'minDiskGiB: 10',
    ].join('\n') + '\n',
  'user-data.yaml': '#cloud-config\nusers: [default]\npackages: [git]\n',
};

/** A one-image catalog with `edit` applied to the good files; returns its root. */
function catalogWith(dir: string, edit: (f: Record<string, string | undefined>) => void, name = 'demo'): string {
  const root = join(tmp, dir);
  const files: Record<string, string | undefined> = { ...GOOD };
  edit(files);
  mkdirSync(join(root, name), { recursive: true });
  for (const [f, text] of Object.entries(files)) if (text !== undefined) writeFileSync(join(root, name, f), text);
  return root;
}
const messages = (root: string) => {
  const r = listImages(root);
  return [...r.errors, ...r.warnings].map(
    (d) =>
      `${d.file.slice(d.file.indexOf('demo/'))}:${d.line}:${d.col} ${d.path}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`,
  );
};

describe('the shipped catalog', () => {
  it('has the three example images, all valid', () => {
    const r = listImages(join(ROOT, 'images'));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.images.map((i) => i.name)).toEqual(EXAMPLES);
    expect(imageNames(join(ROOT, 'images'))).toEqual(EXAMPLES);
    for (const i of r.images) {
      expect(i.definition.base.url).toMatch(/^https:\/\/cloud-images\.ubuntu\.com\/noble\/\d{8}\//);
      expect(i.definition.base.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(dataSourceRef('netlab')).toEqual({ kind: 'DataSource', name: 'netlab', namespace: 'vm-images' });
  });

  it('every image.yaml points editors at the emitted schema, and the schema file is current', () => {
    for (const n of EXAMPLES) {
      expect(readFileSync(join(ROOT, 'images', n, 'image.yaml'), 'utf8').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=../../installer/images/image.schema.json',
      );
    }
    expect(readFileSync(IMAGE_SCHEMA_FILE, 'utf8'), 'run npm run schema').toBe(imageSchemaText());
  });

  it('labctl images validate accepts it and says which cloud-init checked the user-data', async () => {
    const r = await labctl(['images', 'validate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^images: 3 valid \(desktop-vnc:\S+, netlab:\S+, ubuntu-24\.04:\S+\); user-data checked with cloud-init 22\.\d+(\.\d+)? schema\n$/,
    );
    const list = await labctl(['images', 'list', '--output', 'json']);
    expect(JSON.parse(list.stdout).images.map((i: { name: string }) => i.name)).toEqual(EXAMPLES);
  });
});

// Attacker trial: the description went to the terminal as written, so an ESC sequence or newline in a catalog's
// image.yaml (LABCTL_IMAGES_DIR, --images) could clear the screen or forge the table's lines.
it('images list shows a description with control characters escaped', async () => {
  const dir = join(tmp, 'controls');
  mkdirSync(join(dir, 'ubuntu-24.04'), { recursive: true });
  for (const f of ['image.yaml', 'user-data.yaml'])
    writeFileSync(
      join(dir, 'ubuntu-24.04', f),
      readFileSync(join(ROOT, 'images/ubuntu-24.04', f), 'utf8').replace(
        /^description: .*$/m,
        'description: "Ubuntu\\e[2J\\nFORGED\\rx"',
      ),
    );
  expect(readFileSync(join(dir, 'ubuntu-24.04/image.yaml'), 'utf8')).toContain('FORGED');
  const r = await labctl(['images', 'list'], { env: { LABCTL_IMAGES_DIR: dir } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('Ubuntu\\x1b[2J\\x0aFORGED\\x0dx');
  expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f]|^FORGED/m);
});

describe('user-data against the real cloud-init schema', () => {
  it('cloud-init is installed (Debian 12 ships 22.4)', () => {
    expect(cloudInitVersion()).toMatch(/^2\d\.\d+/);
  });

  it.each(EXAMPLES)('%s/user-data.yaml passes `cloud-init schema --config-file`', async (name) => {
    const file = join(ROOT, 'images', name, 'user-data.yaml');
    // cloud-init is Python: seconds of CPU per call, so not spawnSync (the worker must keep answering vitest).
    const r = await run('cloud-init', ['schema', '--config-file', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`Valid cloud-config: ${file}`);
    expect(r.status).toBe(0);
    expect(checkUserData(file).diagnostics).toEqual([]);
  });

  it('a wrong user-data is reported by cloud-init and placed at its line', () => {
    const file = join(tmp, 'bad-user-data.yaml');
    writeFileSync(
      file,
      '#cloud-config\npackages: 5\nwrite_files:\n  - path: /etc/motd\n    content: 1\n    owner_typo: root\n',
    );
    const c = checkUserData(file, 'bad-user-data.yaml');
    expect(c.available).toBe(true);
    expect(c.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.path}: ${d.message}`)).toEqual([
      "bad-user-data.yaml:2:11 packages: cloud-init schema: 5 is not of type 'array'",
      "bad-user-data.yaml:4:5 write_files[0]: cloud-init schema: Additional properties are not allowed ('owner_typo' was unexpected)",
      "bad-user-data.yaml:5:14 write_files[0].content: cloud-init schema: 1 is not of type 'string'",
    ]);
  });

  it("splits cloud-init's one-line error list on paths only", () => {
    expect(
      parseSchemaErrors(
        "Error:\nCloud config schema errors: runcmd: 'x' is not of type 'array', users.1: {'name': 'x', 'shell': 5} is not valid under any of the given schemas",
      ),
    ).toEqual([
      { path: 'runcmd', message: "'x' is not of type 'array'" },
      { path: 'users.1', message: "{'name': 'x', 'shell': 5} is not valid under any of the given schemas" },
    ]);
  });

  it('labctl images validate fails with the located cloud-init error', async () => {
    const root = catalogWith('ci-bad', (f) => {
      f['user-data.yaml'] = '#cloud-config\nruncmd: "reboot"\n';
    });
    const r = await labctl(['images', 'validate', '--images-dir', root], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "ci-bad/demo/user-data.yaml:2:9 runcmd: cloud-init schema: 'reboot' is not of type 'array'",
    );
  });
});

describe('bad image definitions: exact, located messages', () => {
  const cases: [string, (f: Record<string, string | undefined>) => void, string[]][] = [
    [
      'name differs from folder',
      (f) => {
        f['image.yaml'] = f['image.yaml']!.replace('name: demo', 'name: other');
      },
      [
        'demo/image.yaml:2:7 name: name "other" differs from its folder images/demo; they must be equal (the folder is how labs and commands find it)',
      ],
    ],
    [
      'typo in a key',
      (f) => {
        f['image.yaml'] = f['image.yaml']!.replace('minDiskGiB: 10', 'minDiskGB: 10');
      },
      [
        'demo/image.yaml:1:1 : missing required key "minDiskGiB"',
        'demo/image.yaml:10:1 minDiskGB: unknown key "minDiskGB"; expected one of: apiVersion, name, version, description, os, architecture, base, defaultUser, minDiskGiB, userData, customize (hint: did you mean "minDiskGiB"?)',
      ],
    ],
    [
      'short checksum',
      (f) => {
        f['image.yaml'] = f['image.yaml']!.replace(/sha256: \w+/, 'sha256: abc123');
      },
      [
        'demo/image.yaml:8:11 base.sha256: "abc123" is not a SHA-256 as 64 lowercase hex digits, as in the publisher\'s SHA256SUMS',
      ],
    ],
    [
      'a version that cannot be a tag',
      (f) => {
        f['image.yaml'] = f['image.yaml']!.replace('version: "1.0"', 'version: "1.0 beta"');
      },
      [
        'demo/image.yaml:3:10 version: "1.0 beta" is not a version tag like 2026.09.1 (letters, digits, "_", "." and "-"; at most 128)',
      ],
    ],
    [
      'unknown OS family',
      (f) => {
        f['image.yaml'] = f['image.yaml']!.replace('family: ubuntu', 'family: ubunto');
      },
      [
        'demo/image.yaml:5:14 os.family: "ubunto" is not one of: ubuntu, debian, fedora, centos-stream, rocky, almalinux, opensuse (hint: did you mean "ubuntu"?)',
      ],
    ],
    [
      'a customize step with two actions',
      (f) => {
        f['image.yaml'] += 'customize:\n  - {install: [htop], run: "true"}\n';
      },
      ['demo/image.yaml:12:5 customize[0]: a customize step has exactly one of install, run, write'],
    ],
    [
      'no user-data file',
      (f) => {
        f['user-data.yaml'] = undefined;
      },
      [
        'demo/image.yaml:1:1 userData: no user-data.yaml next to image.yaml; add one (at least "#cloud-config") or name another file in userData',
      ],
    ],
    [
      'user-data without the #cloud-config line',
      (f) => {
        f['user-data.yaml'] = 'packages: [git]\n';
      },
      [
        'demo/user-data.yaml:1:1 : first line is "packages: [git]"; cloud-init only reads user-data as cloud-config when it starts with "#cloud-config"',
      ],
    ],
    [
      'a moving "current" link (warning)',
      (f) => {
        f['image.yaml'] = f['image.yaml']!.replace('/noble/20241106/', '/noble/current/');
      },
      [
        'demo/image.yaml:7:8 base.url: warning: points at a moving "current"/"latest" link; its checksum breaks when upstream publishes a new build. Pin a dated release folder',
      ],
    ],
    [
      'users without the default user (warning)',
      (f) => {
        f['user-data.yaml'] = '#cloud-config\nusers:\n  - name: alice\n';
      },
      [
        'demo/user-data.yaml:3:3 users: warning: replaces the image\'s default user ubuntu; add "- default" to keep it (labs add the student\'s user on top)',
      ],
    ],
  ];
  it.each(cases)('%s', (label, edit, expected) => {
    const root = catalogWith(label.replace(/\W+/g, '-'), edit);
    expect(messages(root)).toEqual(expected);
  });

  it('loadImage of an unknown name suggests the closest one', () => {
    const root = catalogWith('unknown-name', () => {});
    expect(() => loadImage('dmeo', root)).toThrow(ExitError);
    expect(() => loadImage('dmeo', root)).toThrow(
      'no image "dmeo" in ' + root + '; known: demo (did you mean "demo"?)',
    );
    expect(loadImage('demo', root).version).toBe('1.0');
  });

  it('labctl images build of an invalid image prints the located errors and exits 1', async () => {
    const root = catalogWith('cli-invalid', (f) => {
      f['image.yaml'] = f['image.yaml']!.replace('minDiskGiB: 10', 'minDiskGiB: 0');
    });
    const r = await labctl(['images', 'build', 'demo', '--images-dir', root], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'cli-invalid/demo/image.yaml:10:13 minDiskGiB: 0 is out of range; expected a number >= 1\nlabctl: image demo: 1 error(s)\n',
    );
  });
});
