// bin/labctl.js runs an esbuild bundle of the sources (built by npm ci / npm run build, rebuilt whenever
// a file it was built from changes) or, with LABCTL_NO_BUNDLE=1, the sources through tsx. Both must
// behave the same, and a stale bundle must never run.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, labctl } from './helpers.ts';

describe('labctl entry point', () => {
  it('the bundle and the tsx path render the same repository', async () => {
    const a = mkdtempSync(join(tmpdir(), 'labctl-entry-'));
    const rendered = await labctl(['render', '-i', EXAMPLE, '-o', a]);
    expect(rendered.code).toBe(0);
    // -o away from the inventory: the other commands would look for the store beside it, so render says how to name it.
    expect(rendered.stdout).toContain(`note: ${a} does not hold ${EXAMPLE}`);
    expect(rendered.stdout).toContain(`unless -r ${a} is given.`);
    // With -o . the flag is not followed by the sentence's full stop: copied, "-r .." named the parent folder.
    const here = await labctl(['render', '-i', EXAMPLE, '-o', '.'], { cwd: a });
    expect(here.stdout).toContain('unless -r . is given.');
    expect(here.stdout).not.toContain('-r ..');
    const viaTsx = await labctl(['render', '--check', '-i', EXAMPLE, '-o', a], { env: { LABCTL_NO_BUNDLE: '1' } });
    expect(viaTsx.code, viaTsx.stdout + viaTsx.stderr).toBe(0);
    expect(viaTsx.stdout).toContain('is up to date');
  });

  it('the README quick start runs as written, and so does every command its hints print next, from the same folder', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const first = /## Quick start[\s\S]*?```sh\n([^\n]*)/.exec(readme)![1]!.replace(/\s+#.*$/, '');
    const [install, ...rest] = first.split(' && ');
    expect(install).toBe('npm ci');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm ci\b/m);
    const dir = mkdtempSync(join(tmpdir(), 'labctl-quickstart-'));
    symlinkSync(join(ROOT, 'bin'), join(dir, 'bin'));
    symlinkSync(join(ROOT, 'inventory.example.yaml'), join(dir, 'inventory.example.yaml'));
    // A new user's home: the site key labctl secrets init writes goes there, not into this machine's ~/.config.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(dir, 'home'), LABCTL_STATE_DIR: join(dir, 'state') };
    delete env.LABCTL_AGE_KEY_FILE;
    const sh = (line: string, input = '') =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const c = spawn('sh', ['-c', line], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (b) => {
          out += b;
        });
        c.stderr.on('data', (b) => {
          out += b;
        });
        c.stdin.end(input);
        c.on('close', (code) => done({ code, out }));
      });
    // A hint's command as the user copies it: `labctl` is `node bin/labctl.js` in a checkout (README).
    const asTyped = (cmd: string) => cmd.replace(/^labctl /, 'node bin/labctl.js ');
    const r = await sh(rest.join(' && '));
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(join(dir, 'site/bootstrap/root.yaml'), 'utf8')).toContain('kind: Application');
    // Run again (a user repeats the quick start): the edited inventory is kept, and the line still succeeds.
    const inventory = join(dir, 'site/inventory.yaml');
    writeFileSync(inventory, `${readFileSync(inventory, 'utf8')}# edited by the user\n`);
    const twice = await sh(rest.join(' && '));
    expect(twice.code, twice.out).toBe(0);
    expect(readFileSync(inventory, 'utf8')).toContain('# edited by the user');
    // Every folder a hint names with -r is the one the quick start made; no hint sends the user elsewhere.
    const folders = (out: string) => [...out.matchAll(/ -r (\S+?)[;,:)]?(?=\s|$)/g)].map((m) => m[1]);
    const init = /run (labctl secrets init -r \S+) to create the site key, then (labctl render [^\n]*?) again/.exec(
      r.out,
    );
    expect(init, r.out).not.toBeNull();
    const i = await sh(asTyped(init![1]!));
    expect(i.code, i.out).toBe(0);
    const again = await sh(asTyped(init![2]!));
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/secrets: generated \d+ new entries/);
    const set = /to supply, each with (labctl secrets set ENTRY [^:]*): ([^\n]*)/.exec(again.out);
    expect(set, again.out).not.toBeNull();
    // plan reads the store the render hints filled: the etcd snapshot credentials are what it asks for.
    const plan = await sh('node bin/labctl.js plan -i site/inventory.yaml');
    expect(plan.code, plan.out).toBe(0);
    const next = /Next: (.*?) \(campus IT supplies the S3 keys\), then (labctl up [^\n]*?) again;/.exec(plan.out);
    expect(next, plan.out).not.toBeNull();
    const planSets = next![1]!.split('; ').filter((c) => c.startsWith('labctl secrets set '));
    expect(planSets.length).toBeGreaterThan(0);
    expect(new Set([...folders(r.out), ...folders(again.out), ...folders(plan.out)])).toEqual(new Set(['site']));
    // The entries plan asks for, set with the command render printed (ENTRY filled in) and with plan's own.
    const [firstSet, ...otherSets] = planSets;
    const entry = firstSet!.split(' ')[3]!;
    expect(set![2]!.split(', ')).toContain(entry);
    const viaRender = await sh(asTyped(set![1]!.replace('ENTRY', entry)), 'AKIAQUICKSTART\n');
    expect(viaRender.code, viaRender.out).toBe(0);
    for (const c of otherSets) {
      const s = await sh(asTyped(c), 'quickstart-secret-value\n');
      expect(s.code, s.out).toBe(0);
    }
    const after = await sh('node bin/labctl.js plan -i site/inventory.yaml');
    expect(after.code, after.out).toBe(0);
    expect(after.out).not.toContain('etcd snapshots: the inventory has a backup section');
    // The up command plan names parses as a command labctl has (it is not run: it would reach for the servers).
    const up = await sh(`${asTyped(next![2]!)} --help`);
    expect(up.code, up.out).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('in a copy of the checkout', () => {
    const copy = mkdtempSync(join(tmpdir(), 'labctl-entry-copy-'));
    for (const d of ['bin', 'installer', 'gitops', 'charts', 'images'])
      cpSync(join(ROOT, d), join(copy, d), { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'inventory.example.yaml'])
      cpSync(join(ROOT, f), join(copy, f));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    afterAll(() => rmSync(copy, { recursive: true, force: true }));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const c = spawn(process.execPath, args, { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (b) => {
          out += b;
        });
        c.stderr.on('data', (b) => {
          out += b;
        });
        c.on('close', (code) => done({ code, out }));
      });
    const current = () =>
      JSON.parse(readFileSync(join(copy, '.build/current.json'), 'utf8')) as {
        dir: string;
        inputs: Record<string, string>;
      };

    it('npm run build (bin/build.js) makes a bundle that labctl runs without building again', async () => {
      expect((await run(['bin/build.js'])).code).toBe(0);
      const built = current();
      expect(Object.keys(built.inputs)).toEqual(
        expect.arrayContaining(['installer/cli/main.ts', 'installer/inventory/validate.ts', 'package-lock.json']),
      );
      // Every file of the copy was written just before the build, as by a git clone or pull: bin/build.js took
      // those as "changed during the build" (mtime >= its start - 1 s), and the first start built again.
      const r = await run(['bin/labctl.js', 'validate', 'inventory.example.yaml']);
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toContain('rebuilding'); // no build, no line about one
      expect(current().dir).toBe(built.dir);
    });

    it('a changed source is rebuilt before it runs: a stale bundle never runs', async () => {
      const before = current().dir;
      const main = join(copy, 'installer/cli/main.ts');
      const edited = readFileSync(main, 'utf8').replace('.version(labctlVersion())', ".version('9.9.9-entry-test')");
      expect(edited).toContain('9.9.9-entry-test'); // the edit must take, or this test proves nothing
      writeFileSync(main, edited);
      const r = await run(['bin/labctl.js', '--version']);
      // One line on stderr before the 10-20 s build says why it happens (out holds stderr, then stdout).
      expect(r.out.trim().split('\n')).toEqual([
        'labctl: installer/cli/main.ts changed since the bundle was built; rebuilding (10-20 s)...',
        '9.9.9-entry-test',
      ]);
      const rebuilt = current().dir;
      expect(rebuilt).not.toBe(before);
      // The edited file is older than the build but newer than its start minus 1 s: bin/build.js took that
      // as "changed during the build", and the next start built again (7-13 s). Only a stamp that moved
      // while esbuild ran counts now.
      const again = await run(['bin/labctl.js', '--version']);
      expect(again.out).toBe('9.9.9-entry-test\n'); // no "rebuilding" line
      expect(current().dir).toBe(rebuilt);
    });

    it('a changed lockfile (dependencies) also rebuilds', async () => {
      const before = current().dir;
      expect((await run(['bin/labctl.js', '--version'])).code).toBe(0);
      expect(current().dir).toBe(before);
      utimesSync(join(copy, 'package-lock.json'), new Date(), new Date());
      const r = await run(['bin/labctl.js', '--version']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('labctl: package-lock.json changed since the bundle was built; rebuilding (10-20 s)...');
      expect(current().dir).not.toBe(before);
    });

    it("a syntax error in a source: its file:line:col and esbuild's text, exit 1, no stack; the bundle it had stays", async () => {
      const file = join(copy, 'installer/cli/output.ts');
      const good = readFileSync(file, 'utf8');
      const line = good.split('\n').length; // the appended line's number (the file ends with a newline)
      writeFileSync(file, `${good}const x = ;\n`);
      const r = await run(['bin/labctl.js', '--version']);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`labctl: installer/cli/output.ts:${line}:11: Unexpected ";"\n`);
      expect(r.out).not.toMatch(/^ {4}at /m); // the tsx fallback ended in a TransformError stack
      expect(r.out).not.toContain('running from the sources');
      expect(r.out.trim().split('\n')).toHaveLength(3); // why it rebuilds, where the error is, what to do
      // Fixed: the next run builds and runs (the next test's run, which also proves versions.yaml an input:
      // one build for both, 7-13 s saved).
      writeFileSync(file, good);
    });

    it('the pinned versions and templates built into the bundle are inputs: a changed gitops/versions.yaml rebuilds', async () => {
      expect(Object.keys(current().inputs)).toEqual(
        expect.arrayContaining(['gitops/versions.yaml', 'installer/render/templates/site-readme.md.hbs']),
      );
      const file = join(copy, 'gitops/versions.yaml');
      const edited = readFileSync(file, 'utf8').replace(/^( {2}default: )v1\.36\.\d+$/m, '$1v1.36.987');
      expect(edited).toContain('v1.36.987'); // the edit must take, or this test proves nothing
      writeFileSync(file, edited);
      const r = await run(['bin/labctl.js', 'version']);
      expect(r.code, r.out).toBe(0); // after the syntax error fixed in the test before
      expect(r.out).toContain('kubernetes v1.36.987');
    });
  });
});

// Only one Node is installed here: an older one is pretended (process.version set by --import before the
// launcher runs), and the syntax an older Node must parse is checked with esbuild. Node 18.20, 20.0, 20.10
// and 20.19 binaries were run by hand (CHANGELOG): 18 crashed in secrets init, 20.0 could not load tsx.
describe('the Node version check (other versions pretended: one Node here)', () => {
  const support = () =>
    import(pathToFileURL(join(ROOT, 'bin/node-support.js')).href) as Promise<{
      ENGINES: string;
      nodeRefusal: (v: string) => string | null;
    }>;

  it('lets through exactly what package.json engines says (and the lockfile repeats)', async () => {
    const { ENGINES, nodeRefusal } = await support();
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node).toBe(ENGINES);
    expect(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages[''].engines.node).toBe(ENGINES);
    expect(readFileSync(join(ROOT, 'installer/cli/commands/doctor.ts'), 'utf8')).toContain(
      `labctl itself (${ENGINES})`,
    );
    for (const v of ['v20.19.0', 'v20.20.2', 'v22.12.0', 'v22.22.1', 'v23.0.0', 'v24.11.1', 'v26.10.0'])
      expect(nodeRefusal(v), v).toBeNull();
    for (const v of ['v18.20.4', 'v20.0.0', 'v20.10.0', 'v20.18.3', 'v21.7.3', 'v22.0.0', 'v22.11.0', 'garbage'])
      expect(nodeRefusal(v), v).toMatch(/^labctl: this is Node .*; labctl needs Node 20\.19 or later/);
  });

  it('an older Node gets one line on stderr and exit 1 from the real launcher, before anything is loaded', async () => {
    const pretend = `data:text/javascript,Object.defineProperty(process,"version",{value:"v20.18.1"})`;
    const r = await new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const c = spawn(process.execPath, ['--import', pretend, join(ROOT, 'bin/labctl.js'), 'validate', EXAMPLE]);
      let out = '';
      let err = '';
      c.stdout.on('data', (b) => {
        out += b;
      });
      c.stderr.on('data', (b) => {
        err += b;
      });
      c.on('close', (code) => done({ code, out, err }));
    });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toEqual([
      'labctl: this is Node v20.18.1; labctl needs Node 20.19 or later in the 20 line, or 22.12 or later (package.json engines: ^20.19.0 || >=22.12.0). Install a newer Node.js (https://nodejs.org/en/download) and run labctl again.',
    ]);
  });

  it('the launcher and the check are written in syntax Node 12.20 parses (esbuild changes nothing for it)', async () => {
    const { transform } = await import('esbuild');
    for (const f of ['bin/labctl.js', 'bin/node-support.js']) {
      const src = readFileSync(join(ROOT, f), 'utf8');
      const now = await transform(src, { format: 'esm', target: 'esnext' });
      const old = await transform(src, { format: 'esm', target: 'node12.20' });
      expect(old.code, f).toBe(now.code);
    }
  });
});

describe("ends that are the user's, not labctl bugs", () => {
  it('a reader that stops reading (| head) ends labctl quietly: no EPIPE stack', async () => {
    const { execFile } = await import('node:child_process');
    const r = await new Promise<{ code: number; err: string }>((res) => {
      execFile(
        'bash',
        ['-o', 'pipefail', '-c', `node bin/labctl.js plan -i ${EXAMPLE} --scripts | head -c 10 >/dev/null`],
        { cwd: ROOT },
        (e, _o, err) => res({ code: (e as any)?.code ?? 0, err }),
      );
    });
    expect(r.err).not.toMatch(/EPIPE|internal error|at .*\(node:/);
    expect(r.code).toBe(0);
  });

  it('Ctrl+C at a labctl init prompt (real pty): "aborted; nothing was written", exit 130, no stack', async () => {
    const { execFile } = await import('node:child_process');
    const file = join(mkdtempSync(join(tmpdir(), 'labctl-abort-')), 'inventory.yaml');
    // python3's pty: start labctl init on a terminal, wait for the first question, press Ctrl+C.
    const py = `import os,pty,select,sys,time
pid,fd=pty.fork()
if pid==0: os.execvp('node',['node','bin/labctl.js','init',sys.argv[1]])
out=b''
t=time.time()
while time.time()-t<60 and b'[' not in out:
  r,_,_=select.select([fd],[],[],0.5)
  if r: out+=os.read(fd,4096)
os.write(fd,b'\\x03')
while True:
  try:
    d=os.read(fd,4096)
    if not d: break
    out+=d
  except OSError: break
_,st=os.waitpid(pid,0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(st))`;
    const r = await new Promise<{ code: number; out: string }>((res) => {
      execFile('python3', ['-c', py, file], { cwd: ROOT, timeout: 120_000 }, (e, out) =>
        res({ code: (e as any)?.code ?? 0, out }),
      );
    });
    expect(r.out).toContain('labctl: aborted; nothing was written');
    expect(r.out).not.toMatch(/internal error|AbortError/);
    expect(r.code).toBe(130);
    expect(existsSync(file)).toBe(false);
  });
});
