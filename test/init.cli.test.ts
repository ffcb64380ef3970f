// `labctl init`: the starting inventory validates as written, from flags, from the defaults alone, from the
// --help example as printed, and on a real terminal (util-linux `script` gives the command a pty) where
// every question is answered with Enter. Bad answers name the field (flags: exit 2; terminal: asked again),
// and an existing file is never replaced without --force.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ROOT, labctl, run } from './helpers.ts';
import { inventorySchema } from '../installer/inventory/schema/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dir = () => {
  const d = join(tmp, `d${n++}`);
  mkdirSync(d);
  return d;
};

async function validates(file: string, cwd: string) {
  const v = await labctl(['validate', file], { cwd });
  expect(v.code, v.stderr + v.stdout).toBe(0);
  return v;
}

const desc = (...path: string[]): string => {
  let s = inventorySchema as Record<string, any>;
  for (const k of path) s = k === '[]' ? s.items : s.properties[k];
  return s.description as string;
};

describe('labctl init from flags (no terminal)', () => {
  it('writes the answers given, commented with the schema descriptions, and the file validates', async () => {
    const cwd = dir();
    const r = await labctl(
      [
        'init',
        'site.yaml',
        '--yes',
        '--site',
        'cs-lab',
        '--domain',
        'lab.cs.example.edu',
        '--timezone',
        'Europe/Berlin',
        '--subnet',
        '10.40.0.0/24',
        '--racks',
        'r1,r2',
        '--nodes',
        'a1=10.40.0.21,a2=10.40.0.22@r1,a3=10.40.0.23,vm1=10.40.0.31',
        '--disk',
        'a1=/dev/disk/by-id/nvme-A1',
        '--admin',
        'jdoe',
        '--pool',
        '10.41.0.0/27',
      ],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    const file = join(cwd, 'site.yaml');
    const text = readFileSync(file, 'utf8');
    const inv = parse(text);
    expect(inv.site).toEqual({
      name: 'cs-lab',
      domain: 'lab.cs.example.edu',
      timezone: 'Europe/Berlin',
      gitRepo: 'https://git.lab.cs.example.edu/platform/cs-lab-site.git',
    });
    expect(inv.nodes.map((x: any) => [x.name, x.address, x.rack, x.roles.join('+')])).toEqual([
      ['a1', '10.40.0.21', 'r1', 'control-plane+storage'],
      ['a2', '10.40.0.22', 'r1', 'control-plane+storage'],
      ['a3', '10.40.0.23', 'r1', 'control-plane+storage'],
      ['vm1', '10.40.0.31', 'r2', 'vm-host+worker'],
    ]);
    expect(inv.nodes[0].disks).toEqual(['/dev/disk/by-id/nvme-A1']);
    expect(inv.nodes[1].disks).toEqual(['/dev/disk/by-id/REPLACE-ME-a2-disk']);
    expect(inv.kubernetes).toEqual({ apiVip: '10.40.0.10', apiDnsName: 'k8s-api.lab.cs.example.edu' });
    expect(inv.bgp.pools[0].cidr).toBe('10.41.0.0/27');
    expect(inv.identity.admins).toEqual(['jdoe']);
    // Comments are the schema's descriptions, marked REQUIRED as the schema says.
    expect(text).toContain(`# REQUIRED. ${desc('site', 'name')}\n  name: cs-lab`);
    expect(text).toContain(`# REQUIRED. ${desc('apiVersion')}\napiVersion: 1`);
    expect(text).toContain(`# REQUIRED. ${desc('nodes', '[]', 'address')}`);
    expect(r.stdout).toContain('before labctl render: replace the REPLACE-ME disk ids of a2, a3');
    await validates('site.yaml', cwd);
  });

  it('the defaults alone (stdin not a terminal, no --yes) make a valid inventory', async () => {
    const cwd = dir();
    const r = await labctl(['init'], { cwd, env: { TZ: 'America/New_York' } });
    expect(r.code, r.stderr).toBe(0);
    const inv = parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8'));
    expect(inv.site.timezone).toBe('America/New_York');
    expect(inv.nodes).toHaveLength(3);
    expect(inv.bgp.pools[0].cidr).toBe('10.10.1.0/26');
    const v = await validates('inventory.yaml', cwd);
    expect(v.stdout).toContain('valid (3 nodes in 1 rack,');
  });

  it('placeholder disk ids: validate warns per disk (file:line, node, the fix in the file), render and render --check refuse and write nothing', async () => {
    const cwd = dir();
    expect((await labctl(['init', '--yes', '--disk', 'node1=/dev/disk/by-id/nvme-N1'], { cwd })).code).toBe(0);
    const v = await validates('inventory.yaml', cwd);
    const warned = v.stderr.split('\n').filter((l) => l.includes('REPLACE-ME'));
    expect(warned).toHaveLength(2);
    expect(warned[0]).toMatch(
      /^inventory\.yaml:\d+:\d+ nodes\[1\]\.disks\[0\]: warning: disk \/dev\/disk\/by-id\/REPLACE-ME-node2-disk of node node2 is the placeholder/,
    );
    // New-user trial: it also said "or re-run labctl init with --disk node2=...": init refuses the existing
    // file, and with --force writes it again from that command's flags alone (site name, nodes: the defaults).
    expect(warned[0]).not.toContain('labctl init with');
    expect(warned[0]).toContain(
      "(hint: replace it in this file with the node's Ceph disk, by id: ls -l /dev/disk/by-id/ on node2 lists them (the whole disk, not a -partN link))",
    );
    const r = await labctl(['render'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('inventory.yaml: 2 placeholder disk id(s) (REPLACE-ME); nothing was rendered');
    expect(r.stderr).toMatch(
      /^inventory\.yaml:\d+:\d+ nodes\[2\]\.disks\[0\]: disk \/dev\/disk\/by-id\/REPLACE-ME-node3-disk/m,
    );
    expect(existsSync(join(cwd, 'components'))).toBe(false);
    const c = await labctl(['render', '--check'], { cwd });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('placeholder disk id(s)');
    // Edited to real ids, the same file renders.
    const f = join(cwd, 'inventory.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/REPLACE-ME-(node\d)-disk/g, 'nvme-$1'));
    const ok = await labctl(['render'], { cwd });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'components/rook-ceph-cluster/values.yaml'), 'utf8')).not.toContain('REPLACE-ME');
  });

  it('--disk: repeated for one node adds its disks; a node that gets no Ceph disk is refused, nothing written', async () => {
    // Both were dropped silently: the second --disk of a node replaced the first, and a typo (nod1=) or a
    // node without the storage role left REPLACE-ME in the file with no word about the disk given.
    const cwd = dir();
    const two = await labctl(
      ['init', '--yes', '--disk', 'node1=/dev/disk/by-id/nvme-A', '--disk', 'node1=/dev/disk/by-id/nvme-B'],
      { cwd },
    );
    expect(two.code, two.stderr).toBe(0);
    const nodes = parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).nodes;
    expect(nodes[0].disks).toEqual(['/dev/disk/by-id/nvme-A', '/dev/disk/by-id/nvme-B']);
    for (const [args, said] of [
      [['--disk', 'nod1=/dev/disk/by-id/nvme-A'], 'nod1 is not a node (--nodes: node1, node2, node3)'],
      [
        ['--nodes', 'a=10.10.0.11,b=10.10.0.12,c=10.10.0.13,d=10.10.0.14', '--disk', 'd=/dev/disk/by-id/nvme-D'],
        'd is not a storage node (storage: a, b, c)',
      ],
    ] as const) {
      const at = dir();
      const r = await labctl(['init', '--yes', ...args], { cwd: at });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`labctl: --disk ${args.at(-1)}: ${said}; nothing was written\n`);
      expect(existsSync(join(at, 'inventory.yaml'))).toBe(false);
    }
  });

  it('a single-node site validates too; its warnings are shown', async () => {
    const cwd = dir();
    const r = await labctl(['init', '--yes', '--nodes', 'solo=10.10.0.5'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('only one control-plane node');
    expect(parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).storage).toEqual({ replicas: 1 });
    await validates('inventory.yaml', cwd);
  });

  it('values a YAML 1.1 reader would misread are written quoted', async () => {
    const cwd = dir();
    const r = await labctl(
      ['init', '--yes', '--site', 'on', '--nodes', 'no=10.10.0.11,yes=10.10.0.12,off=10.10.0.13'],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(cwd, 'inventory.yaml'), 'utf8');
    const v11 = parse(text, { version: '1.1' });
    expect([v11.site.name, ...v11.nodes.map((x: any) => x.name)]).toEqual(['on', 'no', 'yes', 'off']);
    await validates('inventory.yaml', cwd);
  });

  it('the --help example (also in the README), run exactly as printed, writes a valid inventory', async () => {
    const h = await labctl(['init', '--help']);
    expect(h.code).toBe(0);
    const line = h.stdout
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('labctl init '));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/['"\\$]/); // plain words: splitting on spaces is how a shell reads it
    // The README's journey, step 1, runs the same command (with --disk flags after it).
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\n${line} --disk `);
    const cwd = dir();
    const r = await labctl(line!.split(/\s+/).slice(1), { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).racks).toHaveLength(2);
    await validates('inventory.yaml', cwd);
  });

  it('never replaces an existing file without --force', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'inventory.yaml'), 'mine\n');
    const r = await labctl(['init', '--yes'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('inventory.yaml exists; labctl init never replaces a file');
    expect(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).toBe('mine\n');
    const f = await labctl(['init', '--yes', '--force'], { cwd });
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).toContain('apiVersion: 1');
  });

  // The next steps name the file the user typed (-i), its folder (-r/-o), quoted for the shell, and each runs
  // as printed from the folder init ran in, with `labctl` a shell function (as `npm link` gives it).
  it.each([
    ['another name in this folder', 'site.yaml', '.'],
    ['a new folder (made), with a space in its name', 'new site/inventory.yaml', 'new site'],
  ])('next steps, %s: each printed command runs as printed', async (_what, file, repo) => {
    const cwd = dir();
    const home = dir(); // outside the site folder: secrets init refuses a key inside the repository
    const disks = ['node1', 'node2', 'node3'].flatMap((n) => ['--disk', `${n}=/dev/disk/by-id/nvme-${n}`]);
    const r = await labctl(['init', file, '--yes', ...disks], { cwd, env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, file))).toBe(true);
    const next = /^next, in [^\n]*?: (labctl .*) \(README, "The journey"\)$/m.exec(r.stdout)?.[1];
    expect(next, r.stdout).toBeDefined();
    const steps = next!.split(/, (?=labctl )/);
    expect(steps.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'labctl validate -i',
      'labctl secrets init',
      'labctl secrets generate',
      'labctl render -i',
    ]);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.LABCTL_AGE_KEY_FILE;
    for (const step of steps) {
      const s = await run(
        'bash',
        [
          '-c',
          `labctl() { ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/labctl.js'))} "$@"; }\n${step}`,
        ],
        { cwd, env },
      );
      expect(s.status, `${step}\n${s.stderr}${s.stdout}`).toBe(0);
    }
    // They acted on the site init made: its store and its rendered repository, in its folder.
    expect(existsSync(join(cwd, repo, 'secrets/recipients.txt'))).toBe(true);
    expect(existsSync(join(cwd, repo, 'apps'))).toBe(true);
  });

  // README step 1 makes a folder first; `labctl init cs-lab-site` or `init new-site/` is the mistake that follows.
  it.each([
    ['an existing folder', 'old site', ['--yes']],
    ['an existing folder, with --force', 'old site', ['--yes', '--force']],
    ['a missing folder with a trailing slash', 'new site/', ['--yes']],
  ])('a folder as FILE (%s): said so, exit 2, nothing written; the suggested command runs', async (_w, file, flags) => {
    const cwd = dir();
    mkdirSync(join(cwd, 'old site'));
    writeFileSync(join(cwd, 'old site/notes.txt'), 'mine\n');
    const r = await labctl(['init', file, ...flags], { cwd });
    expect(r.code).toBe(2);
    const hint = /e\.g\. (labctl init .*) \(a missing folder is made\)$/m.exec(r.stderr)?.[1];
    expect(r.stderr).toContain(`labctl: ${file} names a folder; labctl init takes the inventory file to write`);
    expect(readFileSync(join(cwd, 'old site/notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(cwd, 'new site'))).toBe(false);
    expect(existsSync(join(cwd, 'inventory.schema.json'))).toBe(false);
    const s = await run(
      'bash',
      [
        '-c',
        `labctl() { ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/labctl.js'))} "$@"; }\n${hint} --yes`,
      ],
      { cwd },
    );
    expect(s.status, s.stderr).toBe(0);
    await validates(join(file, 'inventory.yaml'), cwd);
  });

  it('into a new folder: never replaces the file there either', async () => {
    const cwd = dir();
    expect((await labctl(['init', 'newdir/inventory.yaml', '--yes'], { cwd })).code).toBe(0);
    writeFileSync(join(cwd, 'newdir/inventory.yaml'), 'mine\n');
    const again = await labctl(['init', 'newdir/inventory.yaml', '--yes'], { cwd });
    expect(again.code).toBe(1);
    expect(readFileSync(join(cwd, 'newdir/inventory.yaml'), 'utf8')).toBe('mine\n');
  });

  // Attacker trial: the refusal's "rm X" hint wrote the folder as it is, so a folder named with `;` or `$(...)` made
  // the pasted hint run more than rm (boundary 4, "Commands labctl suggests").
  it("the symlink refusal's rm hint, pasted into real bash in a folder named with ; and $(...), removes the link and runs nothing else", async () => {
    const cwd = dir();
    const site = join(cwd, 'x;touch PWNED1;$(touch PWNED2)\nEVIL');
    mkdirSync(site);
    symlinkSync(join(dir(), 'planted.json'), join(site, 'inventory.schema.json'));
    const r = await labctl(['init', join(site, 'inventory.yaml'), '--yes'], { cwd });
    expect(r.code, r.stdout).toBe(1);
    const hint = /\(rm ([\s\S]*?)\) and run labctl init again/.exec(r.stderr)?.[1];
    expect(hint, r.stderr).toBeDefined();
    const pasted = await run('bash', ['-c', `rm ${hint}`], { cwd });
    expect(existsSync(join(cwd, 'PWNED1')) || existsSync(join(cwd, 'PWNED2'))).toBe(false);
    expect(pasted.status, pasted.stderr).toBe(0);
    expect(lstatSync(join(site, 'inventory.schema.json'), { throwIfNoEntry: false })).toBeUndefined();
    expect(r.stderr).not.toMatch(/^EVIL/m);
  });

  it('a symlink as inventory.schema.json (dangling, pointing outside the folder) is refused; nothing is written anywhere', async () => {
    const cwd = dir();
    const outside = join(dir(), 'planted.json');
    symlinkSync(outside, join(cwd, 'inventory.schema.json'));
    const r = await labctl(['init', '--yes'], { cwd });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(
      'inventory.schema.json is a symbolic link; labctl writes the schema only as a regular file in the site folder',
    );
    expect(r.stderr).toContain('nothing was written');
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(cwd, 'inventory.yaml'))).toBe(false);
    // The same with a link to an existing file outside: left as it was.
    writeFileSync(outside, 'theirs\n');
    expect((await labctl(['init', '--yes'], { cwd })).code).toBe(1);
    expect(readFileSync(outside, 'utf8')).toBe('theirs\n');
    // Without the link, init writes the schema as a regular file.
    rmSync(join(cwd, 'inventory.schema.json'));
    expect((await labctl(['init', '--yes'], { cwd })).code).toBe(0);
    expect(lstatSync(join(cwd, 'inventory.schema.json')).isFile()).toBe(true);
  });

  it("answers that pass one by one but make an invalid inventory: the rules' errors, exit 1, nothing written", async () => {
    const cwd = dir();
    const r = await labctl(['init', '--yes', '--subnet', '10.244.0.0/24'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^inventory\.yaml:\d+:\d+ network\.podCidr: the pod CIDR 10\.244\.0\.0\/16 overlaps subnet nodes 10\.244\.0\.0\/24/m,
    );
    expect(r.stderr).toContain(
      'these answers make an invalid inventory (the lines above are those of the file it would have written); nothing was written to inventory.yaml',
    );
    expect(existsSync(join(cwd, 'inventory.yaml'))).toBe(false);
  });

  it.each([
    [['--nodes', 'node1=10.99.0.5'], '--nodes (nodes): node node1: 10.99.0.5 is not inside the subnet 10.10.0.0/24'],
    [['--nodes', 'Node_1=10.10.0.5'], '--nodes (nodes): "Node_1" is not a valid node name'],
    [['--site', 'CS Lab'], '--site (site.name): "CS Lab" is not a valid site name'],
    [['--timezone', 'Europe/Berlim'], '--timezone (site.timezone): "Europe/Berlim" is not an IANA time zone'],
    [['--api-vip', '10.10.0.11'], '--api-vip (kubernetes.apiVip): API VIP 10.10.0.11 is already used'],
    [
      ['--disk', 'node2=/dev/sdb'],
      '--disk (nodes[node2].disks): node node2: "/dev/sdb" is not a /dev/disk/by-id/ path',
    ],
    [['--pool', '10.10.0.0/26'], '--pool (bgp.pools[0].cidr): pool 10.10.0.0/26 overlaps the subnet 10.10.0.0/24'],
  ])('bad flag %j: exit 2, the flag and the field named, nothing written', async (args, message) => {
    const cwd = dir();
    const r = await labctl(['init', '--yes', ...args], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(cwd, 'inventory.yaml'))).toBe(false);
  });
});

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `labctl init` on a pty. Each time a new question ("...]: ") appears, it types the next answer
 * (Enter alone when the answers run out). Returns the transcript and the number of questions seen.
 */
function onTerminal(
  cwd: string,
  answers: string[],
): Promise<{ code: number | null; transcript: string; asked: number }> {
  const cmd = [process.execPath, resolve(ROOT, 'bin/labctl.js'), 'init', 'inventory.yaml'].map(shq).join(' ');
  return new Promise((res) => {
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'dumb', TZ: 'Europe/Berlin' },
    });
    let out = '';
    let asked = 0;
    p.stdout.on('data', (b) => {
      out += b;
      // A question ends in "[default]: "; a warning's path (nodes[0].disks[0]: warning: ...) is no question.
      const seen = out.match(/\]: (?!warning: )/g)?.length ?? 0;
      while (asked < seen) {
        p.stdin.write(`${answers[asked] ?? ''}\r`);
        asked++;
      }
    });
    p.stderr.on('data', (b) => {
      out += b;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(t);
      p.stdin.destroy();
      res({ code, transcript: out, asked });
    });
  });
}

describe('labctl init at a terminal (a real pty through util-linux script)', () => {
  it('Enter on every question takes the defaults and writes a valid inventory', async () => {
    const cwd = dir();
    const r = await onTerminal(cwd, []);
    expect(r.code, r.transcript).toBe(0);
    expect(r.transcript).toContain('Site name (short, lowercase) [campus-lab]: ');
    expect(r.transcript).toContain(
      'Ceph disk of node3 (/dev/disk/by-id/..., comma-separated) [/dev/disk/by-id/REPLACE-ME-node3-disk]: ',
    );
    expect(r.asked).toBe(19); // 16 questions and a disk question per storage node
    expect(r.transcript.match(/warning: disk \/dev\/disk\/by-id\/REPLACE-ME-node\d-disk/g)).toHaveLength(3);
    expect(r.transcript).toContain('wrote inventory.yaml: 3 nodes in 1 rack(s)');
    expect(parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).site.timezone).toBe('Europe/Berlin');
    await validates('inventory.yaml', cwd);
  });

  it('a bad answer names the field and asks again; the next answer is taken', async () => {
    const cwd = dir();
    // site, domain, timezone, git, subnet, gateway, dns, racks, nodes (bad, then good)
    const r = await onTerminal(cwd, [
      'Bad_Site',
      'physics',
      '',
      '',
      '',
      '',
      '',
      '',
      'r1,r2',
      'n1=10.99.0.1',
      'n1=10.10.0.21@r2',
    ]);
    expect(r.code, r.transcript).toBe(0);
    expect(r.transcript).toContain('site.name: "Bad_Site" is not a valid site name');
    expect(r.transcript).toContain('nodes: node n1: 10.99.0.1 is not inside the subnet 10.10.0.0/24');
    const inv = parse(readFileSync(join(cwd, 'inventory.yaml'), 'utf8'));
    expect(inv.site.name).toBe('physics');
    expect(inv.nodes).toEqual([expect.objectContaining({ name: 'n1', address: '10.10.0.21', rack: 'r2' })]);
    await validates('inventory.yaml', cwd);
  });

  it('five bad answers in a row end the command (exit 1, field named), nothing written', async () => {
    const cwd = dir();
    const r = await onTerminal(cwd, ['X', 'X', 'X', 'X', 'X']);
    expect(r.code).toBe(1);
    expect(r.transcript).toContain('site.name: no valid answer after 5 tries; nothing was written');
    expect(existsSync(join(cwd, 'inventory.yaml'))).toBe(false);
  });
});
