// Issue 14: exit codes are decided only in the CLI layer. Library code (installer/ outside installer/cli)
// throws kinds of errors (Problem, UsageError, Interrupted) and never an exit code; installer/cli/main.ts
// maps them. The scan fails on a library file that picks a code; the mapping is checked through the CLI.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitError, Interrupted, Problem, UsageError } from '../installer/core/diagnostics.ts';
import { exitCodeOf } from '../installer/cli/main.ts';
import { EXAMPLE, ROOT, labctl } from './helpers.ts';

/** Entry points that are not library code: they run main() like bin/labctl.js does. */
const ENTRY_POINTS = new Set([
  'installer/packaging/sea-entry.ts',
  'installer/packaging/sea-root.ts',
  'installer/packaging/release-cli.ts',
]);

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

/** Lines of library code that choose an exit code: `new ExitError(`, process.exit, process.exitCode. */
function exitCodeChoices(files: { path: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (f.path.startsWith('installer/cli/') || ENTRY_POINTS.has(f.path) || f.path === 'installer/core/diagnostics.ts')
      continue;
    f.text.split('\n').forEach((line, i) => {
      if (/new ExitError\(|process\.exit\(|process\.exitCode/.test(line))
        out.push(`${f.path}:${i + 1}: ${line.trim()}`);
    });
  }
  return out;
}

describe('exit codes are chosen only by installer/cli', () => {
  const files = sources(join(ROOT, 'installer')).map((p) => ({
    path: relative(ROOT, p),
    text: readFileSync(p, 'utf8'),
  }));

  it('no library module picks an exit code', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(exitCodeChoices(files)).toEqual([]);
  });

  it('the scan finds one that does (a weakened copy of installer/secrets/store.ts)', () => {
    const store = files.find((f) => f.path === 'installer/secrets/store.ts')!;
    const weak = { ...store, text: store.text.replace('throw new UsageError(', 'throw new ExitError(') };
    expect(weak.text).not.toBe(store.text);
    expect(exitCodeChoices([weak])).toHaveLength(1);
  });

  it('main maps the kinds: Problem 1, UsageError 2, Interrupted 130; an ExitError of the CLI keeps its own', () => {
    expect(exitCodeOf(new Problem('x'))).toBe(1);
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new Interrupted('x'))).toBe(130);
    expect(exitCodeOf(new ExitError('x', 4))).toBe(4);
  });

  it("through the CLI: a library UsageError (a bad entry name, installer/secrets/store.ts) exits 2 with the subcommand's help hint", async () => {
    // A folder that holds no site: the entry name is refused before anything is read (a -r naming no folder at
    // all is refused sooner, by the CLI: secrets-set.cli.test.ts).
    const empty = mkdtempSync(join(tmpdir(), 'labctl-exit-codes-'));
    const r = await labctl(['secrets', 'set', 'Not/A/Ref!', '-r', empty]);
    rmSync(empty, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a secret-store entry name');
    expect(r.stderr).toContain('(run labctl secrets set --help for usage)');
  });
});

describe('seconds and counts on the command line (installer/cli/options.ts seconds, count)', () => {
  it('a timeout past a week, a count of 0 or past 10000 is refused with exit 2 (Node fires a timer past 2^31-1 ms at once)', async () => {
    for (const [args, flag, expected] of [
      [
        ['upgrade', '--to', 'v1.36.4', '--drain-timeout', '2200000'],
        '--drain-timeout 2200000',
        'whole seconds (a week at most) from 1 to 604800',
      ],
      [
        ['remove', 'w3', '--rebalance-interval', '1e21'],
        '--rebalance-interval 1e21',
        'whole seconds (a week at most) from 1 to 604800',
      ],
      [['preflight', '--concurrency', '0'], '--concurrency 0', 'a whole number from 1 to 10000'],
      [['upgrade', '--to', 'v1.36.4', '--batch-size', '20000'], '--batch-size 20000', 'a whole number from 1 to 10000'],
      [['upgrade', '--to', 'v1.36.4', '--batch-size', '0x10'], '--batch-size 0x10', 'a whole number from 1 to 10000'],
      [
        ['preflight', '--connect-timeout', '1e2'],
        '--connect-timeout 1e2',
        'whole seconds (a week at most) from 1 to 604800',
      ],
    ] as const) {
      const r = await labctl([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${flag}: expected ${expected}`);
    }
  });
});

describe('the site state is not a labctl bug', () => {
  it('remove, upgrade and preflight without the SSH key in place: exit 1 naming the key file (once per node), no "internal error" (no host is contacted: the key is read first)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'labctl-nokey-'));
    try {
      copyFileSync(EXAMPLE, join(home, 'inventory.yaml'));
      for (const args of [
        ['remove', 'vmh6'],
        ['upgrade', '--to', 'v1.36.4'],
      ]) {
        const r = await labctl(args, { cwd: home, env: { HOME: home, SSH_AUTH_SOCK: '' } });
        expect(r.stderr).not.toContain('internal error');
        // What to do, not only ENOENT (new-user trial: a new admin machine has neither the key nor an agent).
        expect(r.stderr).toContain(
          `cp1: cannot read the private key: ${home}/.ssh/labctl_ed25519: no such file, and no ssh-agent (SSH_AUTH_SOCK is not set); set ssh.privateKeyFile in the inventory to the key that logs in to the servers (default ~/.ssh/id_ed25519), or load that key into ssh-agent (ssh-add)`,
        );
        expect(r.stderr).not.toContain('ENOENT');
        expect(r.stderr).not.toContain('cp1: cp1:');
        expect(r.code, r.stderr).toBe(1);
      }
      // preflight (helm and kubectl from .tools/bin, so this machine passes): the row names the node, the reason
      // does not again ("cp1: ssh: FAIL: cp1: cannot read the private key").
      const tools = join(ROOT, '.tools/bin');
      const pf = await labctl(['preflight', '--nodes', 'cp1'], {
        cwd: home,
        env: { HOME: home, SSH_AUTH_SOCK: '', PATH: `${tools}:${process.env.PATH}` },
      });
      expect(pf.code, pf.stderr).toBe(1);
      expect(pf.stdout).toContain(
        `cp1: ssh: FAIL: cannot read the private key: ${home}/.ssh/labctl_ed25519: no such file`,
      );
      expect(pf.stdout).not.toContain('cp1: cp1:');
      expect(pf.stdout).not.toContain('FAIL: cp1:');
      // status likewise: "cp1 UNREACHABLE ... cp1: cannot read the private key" named the node twice.
      const st = await labctl(['status'], { cwd: home, env: { HOME: home, SSH_AUTH_SOCK: '' } });
      expect(st.code, st.stderr).toBe(1);
      expect(st.stdout).toMatch(
        /^ {2}cp1 +UNREACHABLE .* {2}cannot read the private key: .*labctl_ed25519: no such file/m,
      );
      expect(st.stdout).not.toMatch(/UNREACHABLE .* {2}cp1: /);
      // --to is checked before any connection: a typo needs no key and no cluster to be refused.
      for (const [to, expected] of [
        ['abc', '--to abc: expected a Kubernetes release like v1.36.4'],
        ['v1.20.0', 'v1.20.0 is not a supported minor'],
      ] as const) {
        const r = await labctl(['upgrade', '--to', to], { cwd: home, env: { HOME: home, SSH_AUTH_SOCK: '' } });
        expect(r.stderr).toContain(expected);
        expect(r.stderr).not.toContain('private key');
        expect(r.code, r.stderr).toBe(1);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('--nodes naming a node the inventory does not have', () => {
  it('is said first, as a usage error with the help hint, before this machine is checked (preflight with no helm on PATH)', async () => {
    // It was said only once the local checks passed: here preflight stopped at "preflight failed on this
    // machine (helm, kubectl)", exit 1, and the typo came after helm was installed.
    const d = mkdtempSync(join(tmpdir(), 'labctl-nodes-'));
    try {
      copyFileSync(EXAMPLE, join(d, 'inventory.yaml'));
      for (const cmd of ['preflight', 'plan']) {
        const r = await labctl([cmd, '--nodes', 'cp1,cp9'], { cwd: d, env: { PATH: '/nonexistent' } });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain("labctl: --nodes: unknown node(s): cp9 (the inventory's nodes: cp1, cp2, cp3,");
        expect(r.stderr).toContain(`(run labctl ${cmd} --help for usage)`);
        expect(r.stdout).not.toContain('local helm');
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
