// A kubeconfig labctl cannot use (not YAML, empty, no current context) is the user's file: every command
// that reads one exits 1 naming it, never "internal error" with a stack (installer/cluster/kube-access.ts
// loadKubeconfigFile). Nothing is contacted: the file is refused before any connection.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'labctl-kubeconfig-'));
copyFileSync(EXAMPLE, join(dir, 'inventory.yaml'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const bad = file('bad.yaml', 'garbage: [\n');
const empty = file('empty.yaml', '');
const noContext = file('no-context.yaml', 'foo: bar\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refused = async (args: string[], expected: string, env: NodeJS.ProcessEnv = {}) => {
  const r = await labctl(args, { cwd: dir, env: { HOME: dir, ...env } });
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toContain(expected);
  expect(r.code, r.stderr).toBe(1);
};

describe('a kubeconfig file labctl cannot use', () => {
  it.each([
    ['status'],
    ['backup', 'list'],
    ['restore', '--plan'],
    ['secrets', 'apply', '-k', join(dir, 'site.agekey')],
  ])('labctl %s --kubeconfig <not YAML>: exit 1 naming the file', async (...args) => {
    await refused([...args, '--kubeconfig', bad], `${bad}: not a kubeconfig the client can read (`);
  });

  it('empty, or with no current context: exit 1 saying which', async () => {
    await refused(['status', '--kubeconfig', empty], `${empty}: not a kubeconfig the client can read (empty`);
    await refused(['backup', 'list', '--kubeconfig', noContext], `${noContext}: no current context with a cluster`);
  });

  it('$KUBECONFIG naming a broken file is named as such', async () => {
    await refused(['restore', '--plan'], `$KUBECONFIG (${bad}): not a kubeconfig the client can read`, {
      KUBECONFIG: bad,
    });
  });
});
