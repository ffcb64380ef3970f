// No inventory where a command looks for one: every command that loads it through the shared loader
// (requireSite) says what validate says, "no such file" with the way out, and exits 2 (a wrong argument),
// instead of "inventory.yaml:1:1 file not found" and exit 1. Nothing is written into the folder.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labctl } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-noinv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { LABCTL_STATE_DIR: join(tmp, '.state'), HOME: join(tmp, '.home') };

describe('a missing inventory', () => {
  it.each([
    [['validate']],
    [['render']],
    [['render', '--check']],
    [['diff']],
    [['plan']],
    [['status']],
    [['preflight']],
    [['kubeconfig', '--user', 'jdoe']],
    [['oncall', 'now']],
    [['secrets', 'list']],
    [['remove', 'node1']],
    [['render', '-i', 'site.yaml']],
    [['render', '-o', 'NEWDIR']],
    // The folder to check does not exist either: it said to run `labctl render -i inventory.yaml -o NEWDIR`.
    [['render', '-o', 'NEWDIR', '--check']],
  ])("labctl %j: exit 2 and validate's message", async (args) => {
    const r = await labctl(args, { cwd: tmp, env });
    const file = args.includes('-i') ? 'site.yaml' : 'inventory.yaml';
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `${file}: no such file (labctl init writes a starting inventory; name another with -i FILE)`,
    );
    expect(r.stderr).not.toContain('file not found');
    expect(readdirSync(tmp).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});
